"""Portal forms. They clean input; the engagements and payments actions enforce the rules and
their ValidationErrors land on the same fields (`apply_errors`)."""

import uuid
from datetime import date

from django import forms
from django.contrib.auth import password_validation

from accounts.fields import SingleLineField
from accounts.forms import DETECT_TZ, TimezoneField, check_new_password
from engagements.forms import MultipleFileField
from payments.forms import MoneyField
from payments.providers.off_platform import OffPlatformProvider


class AcceptForm(forms.Form):
    """A new portal login for the invited email: a name, a password (twice) and a time zone."""

    full_name = SingleLineField(max_length=150, label="Your name", widget=forms.TextInput(
        attrs={"autofocus": True, "autocomplete": "name"}))
    password = forms.CharField(max_length=4096, label="Choose a password", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=password_validation.password_validators_help_text_html())
    password_again = forms.CharField(max_length=4096, label="Password again", strip=False,
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    timezone = TimezoneField(widget=DETECT_TZ)

    def __init__(self, *args, email, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        password, again = cleaned.get("password"), cleaned.get("password_again")
        if password and again is not None and password != again:
            self.add_error("password_again", "The two passwords differ.")
        else:
            check_new_password(self, email=self.email)
        return cleaned


class LinkRequestForm(forms.Form):
    email = forms.EmailField(label="Your email address", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))


class NewDateForm(forms.Form):
    proposed_on = forms.DateField(label="New date", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             label="Why it needs to move")


class QuestionForm(forms.Form):
    body = forms.CharField(label="Your question", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class StatusUpdateForm(forms.Form):
    """Labels come from the workspace's prompts (engagements.reporting.update_prompts)."""

    done = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)
    next = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)
    blockers = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=10000, required=False)
    percent_complete = forms.IntegerField(label="Percent complete", min_value=0, max_value=100,
                                          widget=forms.NumberInput(attrs={"step": 5}))
    hours = forms.DecimalField(label="Hours since your last update (optional)", required=False, min_value=0,
                               max_value=9999, decimal_places=2, max_digits=6)

    def __init__(self, *args, prompts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done"].label = prompts.done_prompt
        self.fields["next"].label = prompts.next_prompt
        self.fields["blockers"].label = prompts.blockers_prompt


class SubmitWorkForm(forms.Form):
    message = forms.CharField(label="What you are handing in, and how to check it", max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 5}))
    links = forms.CharField(label="Links (one per line)", required=False, max_length=40000,
                            widget=forms.Textarea(attrs={"rows": 3, "placeholder": "https://…"}))
    files = MultipleFileField(label="Files", required=False,
                              help_text="Up to 10 files: PDF, images, ZIP archives or plain text.")
    attest_own_work = forms.BooleanField(
        label="I did this work myself (no subcontracting).", required=False,
    )

    def __init__(self, *args, subcontracting_allowed, **kwargs):
        super().__init__(*args, **kwargs)
        if subcontracting_allowed:
            del self.fields["attest_own_work"]

    def clean_links(self):
        return [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]


def new_idempotency_key():
    return f"portal-{uuid.uuid4()}"


class DisputeForm(forms.Form):
    reason = forms.CharField(label="What is the dispute about?", max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=255)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="What is the dispute about?", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}), help_text="The owner sees this.")


class TimeEntryForm(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.IntegerField(min_value=0, max_value=24, initial=0)
    minutes = forms.IntegerField(min_value=0, max_value=59, initial=0)
    description = forms.CharField(label="What you worked on", max_length=300)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("hours") is not None and cleaned.get("minutes") is not None:
            cleaned["total_minutes"] = cleaned["hours"] * 60 + cleaned["minutes"]
            if cleaned["total_minutes"] <= 0:
                self.add_error("minutes", "Log at least one minute.")
        return cleaned


class WeekForm(forms.Form):
    day = forms.DateField(label="Any day of the week", widget=forms.DateInput(attrs={"type": "date"}),
                          initial=date.today)


class ProfileForm(forms.Form):
    """Name, time zone and a switch per kind of email a freelancer may turn off (fields
    `email_<category key>`)."""

    full_name = SingleLineField(max_length=150, label="Your name")
    timezone = TimezoneField(help_text="Deadlines and reminders follow this time zone, in every workspace "
                                       "you work for.")

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        for category in self.categories:
            self.fields[f"email_{category.key}"] = forms.BooleanField(
                label=f"Email me: {category.label.lower()}", required=False, help_text=category.description)

    def email_fields(self):
        return [self[f"email_{c.key}"] for c in self.categories]

    def email_choices(self):
        return {c.key: self.cleaned_data[f"email_{c.key}"] for c in self.categories}


class ReleasedRefundForm(forms.Form):
    """Give back money a released milestone paid you (payments.services.released_refund)."""

    reason = forms.CharField(label="A note for the owner", required=False, max_length=300)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=255)

    def __init__(self, *args, currency, returned_outside, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"] = MoneyField(currency=currency, label=f"Amount to refund ({currency})")
        if returned_outside:  # off the platform, money already paid out comes back outside it
            self.fields["method"] = forms.ChoiceField(
                label="How you sent it back", required=False, choices=[("", "—"), *OffPlatformProvider.methods],
                help_text="Only when part of it was already paid out to you.")
            self.fields["reference"] = forms.CharField(label="Reference of the transfer you sent back",
                                                       required=False, max_length=120)
        self.order_fields(["amount", "reason", "method", "reference", "idempotency_key"])
