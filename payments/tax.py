"""Tax ids and what an invoice says about tax.

A tax id is checked against its country's format with python-stdnum (check digits included):
an EU country's VAT number (with or without its two-letter prefix), otherwise the country's VAT
module, otherwise its tax-number module; a country stdnum knows nothing of is taken as written.

Tax on an invoice: reverse charge when issuer and recipient both have a VAT number and are in
different EU member states (EU B2B cross-border services: the recipient accounts for the VAT);
otherwise the issuer's rate, 0 by default, with "no tax charged" wording. The amount invoiced
is what was paid, so the tax is the part of it above the net: net = amount / (1 + rate).
"""

from django.core.exceptions import ValidationError
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.util import get_cc_module

EU_MEMBER_STATES = frozenset(eu_vat.MEMBER_STATES) - {"xi"}  # xi: Northern Ireland's VAT prefix, not a country
REVERSE_CHARGE_NOTE = ("Reverse charge: VAT to be accounted for by the recipient "
                       "(Article 196, Council Directive 2006/112/EC).")
NO_TAX_NOTE = "No tax charged."


def _module(country):
    for kind in ("vat", "tin"):
        module = get_cc_module(country, kind)
        if module is not None:
            return module
    return None


def normalize_tax_id(country, tax_id):
    """The tax id in its compact form (an EU VAT number with its country prefix), or a
    ValidationError on `tax_id` naming what is wrong. An empty id stays empty."""
    country = (country or "").strip().lower()
    raw = (tax_id or "").strip()
    if not raw:
        return ""
    if country in EU_MEMBER_STATES:
        prefix = "EL" if country == "gr" else country.upper()
        candidate = "".join(ch for ch in raw if ch.isalnum()).upper()
        if not candidate[:2].isalpha():
            candidate = prefix + candidate
        if candidate[:2] != prefix:
            raise ValidationError({"tax_id": f"“{raw}” is a VAT number of {candidate[:2]}, not of {country.upper()}: "
                                             f"change the country or the number."})
        try:
            return eu_vat.validate(candidate)
        except StdnumError as exc:
            raise ValidationError({"tax_id": f"“{raw}” is not a valid VAT number for {country.upper()}: "
                                             f"{exc.message.rstrip('.')}."}) from exc
    module = _module(country) if len(country) == 2 else None
    if module is None:
        return raw
    try:
        return module.validate(raw)
    except StdnumError as exc:
        raise ValidationError({"tax_id": f"“{raw}” is not a valid tax id for {country.upper()}: "
                                         f"{exc.message.rstrip('.')}."}) from exc


def is_eu_vat_id(country, tax_id):
    return (country or "").lower() in EU_MEMBER_STATES and bool(tax_id)


def tax_treatment(*, issuer_country, issuer_tax_id, recipient_country, recipient_tax_id, rate_bp):
    """(rate in basis points, reverse charge?, the note the invoice carries)."""
    if (is_eu_vat_id(issuer_country, issuer_tax_id) and is_eu_vat_id(recipient_country, recipient_tax_id)
            and issuer_country.lower() != recipient_country.lower()):
        return 0, True, REVERSE_CHARGE_NOTE
    if not rate_bp:
        return 0, False, NO_TAX_NOTE
    return rate_bp, False, f"Tax at {rate_bp / 100:.2f} %, included in the amounts."


def split_gross(amount, rate_bp):
    """(net, tax) of an amount that includes tax at `rate_bp`, rounding half up."""
    net = (amount * 10_000 * 2 + (10_000 + rate_bp)) // (2 * (10_000 + rate_bp))
    return net, amount - net
