from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from .fields import SingleLineField
from .models import MAX_MONEY, User, Workspace, timezone_choices, validate_currency, validate_timezone


def apply_errors(form, exc):
    """Put an action's refusal on the form, where the person can correct it: a ValidationError's
    fields on those fields (or on the form when it names none of them), and any other error
    that names a `.field` (the money actions' PaymentError) on that field, else on the form."""
    if isinstance(exc, forms.ValidationError):
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        else:
            form.add_error(None, exc)
        return
    field = getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, getattr(exc, "message", None) or str(exc))


def check_money_limit(minor):
    """ValidationError beyond MAX_MONEY minor units: the one digit limit of every money field
    (typed amounts are decimals of any length up to it, in the currency's own decimals)."""
    if minor is not None and minor > MAX_MONEY:
        raise forms.ValidationError("That amount is too large: at most 15 digits (e.g. 9,999,999,999,999.99).",
                                    code="max_money")
    return minor


class TimezoneField(forms.ChoiceField):
    """The IANA zones as a list that a search box (static/js/detect-timezone.js, on every page)
    narrows as you type."""

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", timezone_choices)
        kwargs.setdefault("widget", forms.Select(attrs={"data-timezone": ""}))
        kwargs.setdefault("label", "Time zone")
        kwargs.setdefault("help_text", "An IANA time zone, e.g. Europe/Lisbon.")
        super().__init__(**kwargs)

    def validate(self, value):
        # Validate against the full IANA list (with a clear message) rather than "not a choice".
        if value in self.empty_values and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        validate_timezone(value)


def check_new_password(form, *, email, field="password"):
    """Run the password validators on a new account's password (against the email and name it
    will have, so "similar to your email" is caught) and put any problem on `field`. For
    forms that create a login: sign-up, accepting an invitation."""
    password = form.cleaned_data.get(field)
    if not password:
        return
    probe = User(email=email or "", full_name=form.cleaned_data.get("full_name", ""))
    try:
        password_validation.validate_password(password, probe)
    except forms.ValidationError as exc:
        form.add_error(field, exc)


# The browser's own zone preselected (static/js/detect-timezone.js) on forms where people give
# their own zone (or their business's): signing up, accepting an invitation, the profile.
DETECT_TZ = forms.Select(attrs={"data-timezone": "", "data-detect-timezone": ""})


class SignupForm(forms.Form):
    full_name = SingleLineField(max_length=150, label="Your name", widget=forms.TextInput(
        attrs={"autofocus": True, "autocomplete": "name"}))
    email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(max_length=4096, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=password_validation.password_validators_help_text_html())
    workspace_name = SingleLineField(max_length=120, label="Business or workspace name",
                                     widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    timezone = TimezoneField(initial="UTC", widget=DETECT_TZ)
    currency = forms.CharField(max_length=3, initial="USD", help_text="ISO 4217, e.g. USD, EUR, GBP.",
                               widget=forms.TextInput(attrs={"class": "text-uppercase", "autocomplete": "off"}))

    DUPLICATE_EMAIL = "An account with this email already exists. Log in instead."

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(self.DUPLICATE_EMAIL)
        return email

    def clean_currency(self):
        value = self.cleaned_data["currency"].strip().upper()
        validate_currency(value)
        return value

    def clean(self):
        cleaned = super().clean()
        check_new_password(self, email=cleaned.get("email", ""))
        return cleaned


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    password = forms.CharField(label="Password", strip=False, max_length=4096,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account.",
    }


class ProfileForm(forms.ModelForm):
    timezone = TimezoneField()

    class Meta:
        model = User
        fields = ["full_name", "timezone"]
        field_classes = {"full_name": SingleLineField}


class WorkspaceForm(forms.ModelForm):
    timezone = TimezoneField(help_text="Where the business runs: workspace-wide dates and schedules follow it. "
                                       "Everyone still sees times in their own zone.")

    class Meta:
        model = Workspace
        fields = ["name", "timezone", "currency"]
        field_classes = {"name": SingleLineField}
        help_texts = {
            "currency": "ISO 4217, e.g. USD, EUR. New freelancers and engagements start in it; amounts already "
                        "recorded keep their own currency.",
        }

    def clean_currency(self):
        value = self.cleaned_data["currency"].strip().upper()
        validate_currency(value)
        return value


class AcceptInvitationSignupForm(forms.Form):
    """Set up an account for an invited email that has none yet."""

    full_name = SingleLineField(max_length=150, label="Your name", widget=forms.TextInput(
        attrs={"autofocus": True, "autocomplete": "name"}))
    password = forms.CharField(max_length=4096, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=password_validation.password_validators_help_text_html())
    timezone = TimezoneField(initial="UTC", widget=DETECT_TZ)

    def __init__(self, *args, email, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        check_new_password(self, email=self.email)
        return cleaned
