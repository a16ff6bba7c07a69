from django import forms

from .events import EVENT_TYPES


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(label="Endpoint URL", max_length=2000, assume_scheme="https",
                         help_text="Where to POST the events: https, a public address.")
    description = forms.CharField(max_length=200, required=False,
                                  help_text="What receives these events (for you; it is not sent).")
    events = forms.MultipleChoiceField(
        choices=[(name, f"{name} — {text}") for name, text in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple, help_text="The events this endpoint receives.",
    )
