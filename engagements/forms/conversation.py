"""The conversation's forms: the owner pages and the portal share these."""

from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class MessageForm(forms.Form):
    body = forms.CharField(label="Message", required=False, max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Write a message… (Markdown works)"}))
    files = MultipleFileField(label="Attach files", required=False,
                              help_text="Up to 10 files: PDF, images, ZIP archives or plain text.")


class MessageEditForm(forms.Form):
    body = forms.CharField(label="Message", required=False, max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 4}))
