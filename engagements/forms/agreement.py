"""Agreement forms: the workspace's templates and settings (owner side) and the signature (both
sides: the owner pages and the portal use the same form)."""

from django import forms
from django.core.exceptions import ValidationError

from accounts.fields import SingleLineField

from ..agreement_text import PLACEHOLDERS, validate_template
from ..models import AgreementSettings, AgreementTemplate


class AgreementTemplateForm(forms.ModelForm):
    class Meta:
        model = AgreementTemplate
        fields = ["name", "body", "is_default"]
        field_classes = {"name": SingleLineField}
        labels = {"body": "Agreement (Markdown)", "is_default": "Use for new agreements"}
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "class": "font-monospace"})}
        help_texts = {"body": "Placeholders in double braces are filled in for each engagement: "
                              + ", ".join("{{" + name + "}}" for name in PLACEHOLDERS) + "."}

    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            validate_template(body)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["body"]) from None
        return body


class AgreementSettingsForm(forms.ModelForm):
    class Meta:
        model = AgreementSettings
        fields = ["requires_signed_agreement", "notice_days", "governing_law"]


class AgreementIssueForm(forms.Form):
    template = forms.ModelChoiceField(queryset=AgreementTemplate.objects.none(), required=False,
                                      empty_label="The default template")
    send = forms.BooleanField(required=False, initial=True, label="Send it for signature now")

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = AgreementTemplate.objects.filter(workspace=workspace)


class SignForm(forms.Form):
    full_name = SingleLineField(max_length=200, required=False, label="Type your full name")
    agree = forms.BooleanField(required=False, label="I have read this agreement and I agree to it")
    document_sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)
