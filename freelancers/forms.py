"""Forms for the owner pages and the referee questionnaire. They clean input; the actions in
services/ enforce the rules, and their
ValidationErrors land on the same fields (see `apply_errors`)."""

from datetime import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError

from accounts.fields import SingleLineField
from accounts.forms import TimezoneField, check_money_limit
from accounts.models import validate_currency

from .csv_import import MAX_BYTES as MAX_IMPORT_BYTES
from .models import (
    Decision,
    Freelancer,
    FreelancerStatus,
    InterviewKind,
    InterviewOutcome,
    RateUnit,
    RedFlag,
    Reference,
    ReferenceStatus,
)
from .money import exponent, major_text, to_minor
from .services.interview import local_to_utc

SCORE_CHOICES = [("", "—")] + [(str(i), str(i)) for i in range(1, 6)]
RATING_CHOICES = [(str(i), str(i)) for i in range(1, 6)]



class FreelancerForm(forms.Form):
    name = SingleLineField(max_length=150)
    email = forms.EmailField()
    headline = forms.CharField(max_length=200, required=False, help_text="One line: what they do best.")
    skills = forms.CharField(max_length=1000,
                             required=False, help_text="Comma-separated tags, e.g. logo design, figma.")
    timezone = TimezoneField(initial="UTC")
    country = forms.CharField(max_length=2, required=False, help_text="Two-letter code, e.g. PT.")
    rate = forms.DecimalField(required=False, min_value=0, decimal_places=3,
                              label="Rate", help_text="An amount, e.g. 45.50.")
    rate_unit = forms.ChoiceField(choices=RateUnit.choices, initial=RateUnit.HOUR, label="Per")
    currency = forms.CharField(max_length=3, initial="USD", help_text="ISO 4217, e.g. USD, EUR.")
    links = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                            help_text="Portfolio, LinkedIn, GitHub… one per line.")
    notes = forms.CharField(max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    error_messages = {"min_value": "The rate cannot be negative."}

    def __init__(self, *args, workspace=None, instance=None, **kwargs):
        self.workspace = workspace
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name, "email": instance.email, "headline": instance.headline,
                "skills": ", ".join(instance.skills), "timezone": instance.timezone, "country": instance.country,
                "rate": major_text(instance.rate_amount, instance.currency), "rate_unit": instance.rate_unit,
                "currency": instance.currency, "links": "\n".join(instance.links), "notes": instance.notes,
            }
        super().__init__(*args, **kwargs)
        self.fields["rate"].error_messages["min_value"] = "The rate cannot be negative."
        if workspace is not None and instance is None:
            self.fields["currency"].initial = workspace.currency
            self.fields["timezone"].initial = workspace.timezone
        # The rate, its unit and currency read as one line ("45.50 per hour USD"), as do zone and country.
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "name", "email", "headline", "skills",
            Row(Column("timezone", css_class="col-md-8"), Column("country", css_class="col-md-4")),
            Row(Column("rate", css_class="col-md-4"), Column("rate_unit", css_class="col-md-4"),
                Column("currency", css_class="col-md-4")),
            "links", "notes",
        )

    def clean_currency(self):
        value = self.cleaned_data["currency"].strip().upper()
        validate_currency(value)
        return value

    def clean_email(self):
        # Checked here too (the service checks again) so it shows with the form's other errors.
        email = self.cleaned_data["email"].strip().lower()
        if self.workspace is not None:
            taken = Freelancer.objects.filter(workspace=self.workspace, email__iexact=email)
            if self.instance is not None:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise ValidationError("A freelancer with this email is already in your workspace.")
        return email

    def clean_links(self):
        validator = forms.URLField()
        links = []
        for line in self.cleaned_data["links"].splitlines():
            line = line.strip()
            if line:
                try:
                    links.append(validator.clean(line))
                except ValidationError:
                    raise ValidationError(f"“{line}” is not a web address.") from None
        return links

    def clean(self):
        cleaned = super().clean()
        rate, currency = cleaned.get("rate"), cleaned.get("currency")
        if rate is not None and currency:
            if rate != round(rate, exponent(currency)):
                self.add_error("rate", f"{currency} has {exponent(currency)} decimal places.")
            else:
                cleaned["rate_amount"] = to_minor(rate, currency)
                try:
                    check_money_limit(cleaned["rate_amount"])
                except ValidationError as exc:
                    self.add_error("rate", exc)
        else:
            cleaned["rate_amount"] = None
        return cleaned

    def service_kwargs(self):
        c = self.cleaned_data
        return {"name": c["name"], "email": c["email"], "headline": c["headline"], "skills": c["skills"],
                "timezone_name": c["timezone"], "country": c["country"], "rate_amount": c["rate_amount"],
                "rate_unit": c["rate_unit"], "currency": c["currency"], "links": c["links"], "notes": c["notes"]}


class FilterForm(forms.Form):
    q = forms.CharField(max_length=200, required=False, label="Search")
    status = forms.ChoiceField(required=False, choices=[("", "Any status")] + FreelancerStatus.choices
                               + [("do_not_hire", "Do not hire")])
    skill = forms.CharField(max_length=200, required=False)
    timezone = forms.ChoiceField(required=False, label="Time zone")
    rate_min = forms.DecimalField(required=False, min_value=0, label="Rate from")
    rate_max = forms.DecimalField(required=False, min_value=0, label="Rate up to")
    rate_unit = forms.ChoiceField(required=False, choices=[("", "Any unit")] + RateUnit.choices, label="Per")

    def __init__(self, *args, timezones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [("", "Any time zone")] + [(tz, tz) for tz in timezones]

    def clean(self):
        cleaned = super().clean()
        lo, hi = cleaned.get("rate_min"), cleaned.get("rate_max")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("rate_max", "The upper bound is below the lower one.")
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file", help_text="Our own export, or a spreadsheet saved as CSV (commas or semicolons). "
                                    "Columns: name and email, then any of headline, skills, timezone, country, "
                                    "rate, rate_unit, currency, notes.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
        return upload


class DoNotHireForm(forms.Form):
    reason = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 2}), required=False,
                             help_text="Required when marking; kept in the history.")


class SampleForm(forms.Form):
    title = SingleLineField(max_length=200)
    description = forms.CharField(max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    url = forms.URLField(required=False, label="Link", max_length=500)
    file = forms.FileField(required=False, help_text="PDF, image, ZIP or plain text.")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("url") and not cleaned.get("file") and not self.errors:
            raise ValidationError("Give a link, upload a file, or both.")
        return cleaned


class TestimonialForm(forms.Form):
    quote = forms.CharField(max_length=20000, widget=forms.Textarea(attrs={"rows": 3}))
    author = SingleLineField(max_length=150)
    source = forms.CharField(max_length=200, required=False)
    verified_by = forms.ModelChoiceField(queryset=Reference.objects.none(), required=False,
                                         label="Verified by reference",
                                         help_text="A referee who confirmed this testimonial.")

    def __init__(self, *args, freelancer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verified_by"].queryset = freelancer.references.filter(status=ReferenceStatus.RECEIVED)


class ReferenceForm(forms.Form):
    name = SingleLineField(max_length=150, label="Referee's name")
    email = forms.EmailField(label="Referee's email")
    relationship = forms.CharField(max_length=150, help_text="e.g. former client, agency lead.")
    company = forms.CharField(max_length=150, required=False)
    send_now = forms.BooleanField(required=False, initial=True, label="Email the questionnaire now")


def _rating(label):
    return forms.TypedChoiceField(choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect, label=label,
                                  error_messages={"required": "Choose a score from 1 to 5.",
                                                  "invalid_choice": "Choose a score from 1 to 5."})


class QuestionnaireForm(forms.Form):
    quality = _rating("Quality of work")
    reliability = _rating("Reliability")
    communication = _rating("Communication")
    deadlines = _rating("Meeting deadlines")
    would_rehire = forms.TypedChoiceField(choices=[("yes", "Yes"), ("no", "No")], coerce=lambda v: v == "yes",
                                          widget=forms.RadioSelect, label="Would you hire them again?",
                                          error_messages={"required": "Say whether you would hire them again."})
    what_to_know = forms.CharField(max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                   label="What should we know?",
                                   help_text="Strengths, weaknesses, anything that would help us work well together.")

    RATINGS = ("quality", "reliability", "communication", "deadlines")

    def rating_fields(self):
        return [self[name] for name in self.RATINGS]


class DeclineForm(forms.Form):
    decline_reason = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                     label="Anything you would like to add? (optional)")


class WallClockField(forms.DateTimeField):
    """A date and time with no zone attached: the form says which zone it is in. (Django's
    own field would interpret it in the active zone and reject times a DST change skips there
    with a vaguer message.)"""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        value = str(value).strip()
        for fmt in self.input_formats:
            try:
                return datetime.strptime(value, fmt)
            except ValueError:
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class InterviewForm(forms.Form):
    scheduled_at = WallClockField(
        label="Date and time", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(initial=15, min_value=5, max_value=480, label="Length (minutes)")
    kind = forms.ChoiceField(choices=InterviewKind.choices, initial=InterviewKind.INTRO)
    meeting_url = forms.URLField(required=False, max_length=500, label="Meeting link")

    def __init__(self, *args, tz_name, **kwargs):
        self.tz_name = tz_name
        super().__init__(*args, **kwargs)
        self.fields["scheduled_at"].help_text = f"In your time zone, {tz_name}."

    def clean_scheduled_at(self):
        # The time is the interviewer's wall clock, in their zone.
        value = self.cleaned_data["scheduled_at"]
        naive = datetime(value.year, value.month, value.day, value.hour, value.minute)
        try:
            return local_to_utc(naive, self.tz_name)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["scheduled_at"]) from None


class ScorecardForm(forms.Form):
    red_flags = forms.MultipleChoiceField(choices=RedFlag.choices, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    outcome = forms.ChoiceField(choices=InterviewOutcome.choices)

    def __init__(self, *args, criteria, interview=None, **kwargs):
        self.criteria = list(criteria)
        if interview is not None and "initial" not in kwargs:
            existing = {s.criterion: s.score for s in interview.scores.all()}
            kwargs["initial"] = {"red_flags": interview.red_flags, "notes": interview.notes,
                                 "outcome": interview.outcome,
                                 **{f"score_{i}": str(existing.get(name, "")) for i, name in enumerate(self.criteria)}}
        super().__init__(*args, **kwargs)
        for i, name in enumerate(self.criteria):
            self.fields[f"score_{i}"] = forms.TypedChoiceField(
                choices=SCORE_CHOICES, coerce=int, empty_value=None, required=False, label=name,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Choose a score from 1 to 5."},
            )
        # Criteria first, then the checklist, notes and outcome.
        self.order_fields([f"score_{i}" for i in range(len(self.criteria))] + ["red_flags", "notes", "outcome"])

    def score_fields(self):
        return [self[f"score_{i}"] for i in range(len(self.criteria))]

    def scores(self):
        return {name: self.cleaned_data.get(f"score_{i}") for i, name in enumerate(self.criteria)}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=Decision.Verdict.choices, widget=forms.RadioSelect,
        error_messages={"invalid_choice": "That decision is not open to this freelancer now."},
    )
    reason = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Kept with the decision, with your name and the time.")
    confirm = forms.BooleanField(required=False, label="I have read the warnings above and approve anyway")

    def __init__(self, *args, verdicts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if verdicts is not None:  # only the decisions the freelancer's status allows
            self.fields["decision"].choices = [(v.value, v.label) for v in verdicts]
            if len(verdicts) == 1:
                self.fields["decision"].initial = verdicts[0].value


class CriteriaForm(forms.Form):
    criteria = forms.CharField(max_length=20000, widget=forms.Textarea(attrs={"rows": 8}),
                               help_text="One criterion per line, in the order the scorecard shows them.")

