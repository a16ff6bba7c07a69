"""Form fields and validators every app's forms (and the API) share."""

from django import forms
from django.core.validators import RegexValidator

# What Python's str.strip() removes (Django forms and DRF strip values before validating):
# spelled out, because the same pattern is stated in the API schema, where `\s` means less.
_EDGE = r"[\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*"
# Names and titles are one line: they travel in email headers (a subject, a display name) and
# are typed into one-line inputs, so a line break inside one is a slip or an attempt to add a
# header. Whitespace around the value is trimmed anyway; NUL is refused as everywhere.
SINGLE_LINE = rf"^{_EDGE}[^\x00\r\n]*{_EDGE}$"
single_line = RegexValidator(SINGLE_LINE, message="Use a single line: line breaks are not allowed here.",
                             code="line_break")


class SingleLineField(forms.CharField):
    """A one-line text field (a name, a title): a line break in it is a field error."""

    default_validators = [single_line]
