"""Serializer fields every API module may share."""

from django.utils.dateparse import parse_datetime
from rest_framework import serializers


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset (API.md): a time without one is refused rather than guessed."""

    def to_internal_value(self, value):
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:  # well-formed but impossible ("12:99"): DRF's own message below
            parsed = None
        if isinstance(value, str) and parsed is not None and parsed.tzinfo is None:
            raise serializers.ValidationError("Include a UTC offset, e.g. 2026-05-04T15:00:00+02:00.")
        return super().to_internal_value(value)
