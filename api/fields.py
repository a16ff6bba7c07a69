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


def query_filters(serializer_class, request):
    """Validate the query parameters a list takes, strictly: an empty value (`?status=`) is
    checked like any other and refused when the schema forbids it, where DRF would take it for
    "absent" from a QueryDict; a parameter given twice is refused too. Returns the
    validated data; a problem is a 400 naming the parameter."""
    serializer = serializer_class()
    data = {}
    for name in serializer.fields:
        values = request.query_params.getlist(name)
        if len(values) > 1:
            raise serializers.ValidationError({name: ["Give this parameter once."]})
        if values:
            data[name] = values[0]
    checked = serializer_class(data=data)
    checked.is_valid(raise_exception=True)
    return checked.validated_data


def _strict(field_class, accepted, message):
    """Refuse values of another JSON type than the schema says, where DRF would coerce them
    (the number 0 into the string "0" or the boolean false). Strings stay accepted: query
    parameters and multipart fields are always text."""
    coerce = field_class.to_internal_value

    def to_internal_value(self, data):
        if not isinstance(data, accepted):
            raise serializers.ValidationError(message)
        return coerce(self, data)

    field_class.to_internal_value = to_internal_value


def _length_before_trimming():
    """A string longer than its field's max_length is refused as sent, where DRF would measure
    it after trimming its whitespace: the schema's maxLength counts what the client sends."""
    to_internal = serializers.CharField.to_internal_value

    def to_internal_value(self, data):
        if self.max_length is not None and isinstance(data, str) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return to_internal(self, data)

    serializers.CharField.to_internal_value = to_internal_value


def strict_json_types():
    """Called once when the app loads (api/apps.py): every serializer of the API shares it."""
    _strict(serializers.CharField, str, "Not a valid string.")
    _length_before_trimming()
    _strict(serializers.BooleanField, (bool, str), "Must be true or false.")
