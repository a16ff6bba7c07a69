"""Money formatting and parsing for payments: integer minor units + ISO 4217 code, never floats.
One implementation for the project lives in `freelancers.money`; this re-exports it."""

from freelancers.money import exponent, format_money, to_major, to_minor

__all__ = ["exponent", "format_money", "to_major", "to_minor"]
