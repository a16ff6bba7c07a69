"""Amounts as the money actions take them: whole numbers of minor units (cents), refused with a
message naming the field otherwise. Pages and the API clean their own input; these checks are
what the services hold for every caller."""

from ..errors import InvalidInput

NOT_WHOLE = "Amounts are whole numbers of minor units (cents)."


def _integer(value, field):
    if isinstance(value, bool):
        raise InvalidInput(NOT_WHOLE, field=field)
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(NOT_WHOLE, field=field) from None


def positive(value, field):
    """A positive whole number of minor units, or InvalidInput."""
    value = _integer(value, field)
    if value <= 0:
        raise InvalidInput("Amounts must be greater than zero.", field=field)
    return value


def whole(value, field):
    """A non-negative whole number of minor units, or InvalidInput."""
    value = _integer(value, field)
    if value < 0:
        raise InvalidInput("Amounts cannot be negative.", field=field)
    return value
