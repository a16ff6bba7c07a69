"""Money in integer minor units plus an ISO 4217 code (DESIGN.md: never floats).

Forms take amounts as decimals in major units ("45.50") and store minor units (4550); this
module converts both ways with the currency's own exponent.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                "VND", "VUV", "XAF", "XOF", "XPF"}
THREE_DECIMAL = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}


def exponent(currency):
    currency = (currency or "").upper()
    if currency in ZERO_DECIMAL:
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


def to_minor(amount, currency):
    """Decimal major units → int minor units (rounded half up). Raises ValueError on junk."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise ValueError(f"“{amount}” is not an amount") from exc
    scaled = (value * (Decimal(10) ** exponent(currency))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(scaled)


def to_major(minor, currency):
    if minor is None:
        return None
    return Decimal(minor) / (Decimal(10) ** exponent(currency))


def major_text(minor, currency):
    """Minor units as the amount a person types, with the currency's decimals: 5500 USD → "55.00"."""
    if minor is None:
        return None
    return f"{to_major(minor, currency):.{exponent(currency)}f}"


def format_money(minor, currency):
    if minor is None:
        return ""
    places = exponent(currency)
    major = to_major(minor, currency)
    return f"{major:,.{places}f} {currency}"
