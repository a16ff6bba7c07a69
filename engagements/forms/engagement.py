"""Owner-side forms. They clean input; the actions enforce the rules and their ValidationErrors
land on the same fields (`apply_errors`)."""

from decimal import Decimal

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from accounts.fields import SingleLineField
from accounts.forms import check_money_limit
from accounts.models import validate_currency
from freelancers.models import Freelancer, FreelancerStatus
from freelancers.money import exponent, to_major, to_minor
from freelancers.selectors import bench

from ..models import (
    BRIEF_SECTIONS,
    Engagement,
    EngagementKind,
    EngagementStatus,
    PayTerms,
    PlaybookDocument,
    PlaybookKind,
    ReportingPreference,
    Review,
    UpdatePrompts,
)
from ..selectors import money_has_moved
from ..services.ladders import REMINDER_FIELDS
from ..services.lifecycle import BUDGET_FIELDS

# The longest text a form takes (a brief's section, notes, a review), as the API's serializers.
TEXT_MAX_LENGTH = 20000
RATING_CHOICES = [(i, str(i)) for i in range(1, 6)]
# The engagement's fields the form edits (the action checks the pay terms' figures, by name).
ENGAGEMENT_FIELDS = ("title", "kind", "pay_terms", "weekly_hour_cap", "budget", "contingency_percent", "currency",
                     "starts_on", "target_end_on", "update_every_days", "update_grace_hours", "checkin_every_days",
                     "reporting_preference", "subcontracting_allowed", "self_billing_proposed", "retainer_amount",
                     "retainer_hours", "commission_percent")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MoneyField(forms.DecimalField):
    """Major units in the form ("1500.00"), integer minor units out (150000)."""

    def __init__(self, *, currency="USD", **kwargs):
        self.currency = currency
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("decimal_places", 3)
        super().__init__(**kwargs)  # no digit count here: one limit for all (check_money_limit)

    def prepare_value(self, value):
        if isinstance(value, int):
            return to_major(value, self.currency)
        return value

    def clean(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return value  # already minor units: a disabled field cleans its initial value
        value = super().clean(value)
        if value is None:
            return None
        if value != round(value, exponent(self.currency)):
            raise ValidationError(f"{self.currency} has {exponent(self.currency)} decimal places.")
        return check_money_limit(to_minor(value, self.currency))


def hireable(workspace):
    return Freelancer.objects.filter(workspace=workspace, do_not_hire=False).exclude(status=FreelancerStatus.REJECTED)


class EngagementForm(forms.Form):
    freelancer = forms.ModelChoiceField(queryset=Freelancer.objects.none())
    title = SingleLineField(max_length=200)
    kind = forms.ChoiceField(choices=EngagementKind.choices, initial=EngagementKind.PROJECT,
                             help_text="A trial job is a small paid test, usually one milestone.")
    pay_terms = forms.ChoiceField(choices=PayTerms.choices, initial=PayTerms.FIXED)
    weekly_hour_cap = forms.IntegerField(required=False, min_value=1, max_value=168,
                                         help_text="Hourly only: the most hours a week you will pay for.")
    retainer_amount = MoneyField(required=False, label="Retainer per month",
                                 help_text="Retainer only: set aside at the start of each month, released at its end.")
    retainer_hours = forms.IntegerField(required=False, min_value=0, max_value=744, label="Hours included a month",
                                        help_text="Retainer only: hours used beyond them are flagged to you.")
    commission_percent = forms.DecimalField(
        required=False, min_value=Decimal("0.01"), max_value=Decimal("100"), max_digits=5, decimal_places=2,
        label="Commission %", help_text="Commission only: the percent of the amounts you report each month.")
    budget = MoneyField(label="Budget", help_text="What you plan to spend.")
    contingency_percent = forms.IntegerField(
        min_value=0, max_value=100, initial=15, label="Contingency %",
        help_text="Budget for failure: milestones may use it (with a warning); beyond it needs a confirmation.")
    currency = forms.CharField(max_length=3, initial="USD")
    starts_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    target_end_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    update_every_days = forms.IntegerField(min_value=1, max_value=60, initial=3, label="Status update every (days)")
    update_grace_hours = forms.IntegerField(min_value=0, max_value=168, initial=12, label="Grace (hours)",
                                            help_text="How long after the end of the due day an update still counts "
                                                      "as on time.")
    checkin_every_days = forms.IntegerField(min_value=1, max_value=90, initial=7, label="Check-in every (days)")
    reporting_preference = forms.ChoiceField(
        choices=ReportingPreference.choices, initial=ReportingPreference.PROGRESS,
        help_text="Delivery only: no status updates are due (nor late, nor reminded); the submitted work is the "
                  "report.")
    subcontracting_allowed = forms.BooleanField(
        required=False, help_text="Off: on every submission the freelancer confirms they did the work themselves.")
    self_billing_proposed = forms.BooleanField(
        required=False, label="Propose self-billing in the agreement",
        help_text="On: the next agreement has the self-billing clause; once both sign it, the app issues the "
                  "freelancer's invoices in their name. Until then the freelancer issues them from the portal.")
    backups = forms.ModelMultipleChoiceField(
        queryset=Freelancer.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Approved freelancers on the bench who could take over if this one drops out.")

    def __init__(self, *args, workspace, engagement=None, **kwargs):
        self.workspace, self.engagement = workspace, engagement
        currency = workspace.currency
        if engagement is not None:
            currency = engagement.currency
            kwargs.setdefault("initial", {
                **{name: getattr(engagement, name) for name in ENGAGEMENT_FIELDS},
                "freelancer": engagement.freelancer_id,
                "backups": [b.pk for b in engagement.backups.all()],
            })
        super().__init__(*args, **kwargs)
        data_currency = (self.data.get(self.add_prefix("currency")) or "").strip().upper() if self.is_bound else ""
        self.fields["budget"].currency = data_currency if len(data_currency) == 3 else currency
        self.fields["retainer_amount"].currency = self.fields["budget"].currency
        self.fields["currency"].initial = workspace.currency
        choices = hireable(workspace)
        if engagement is not None:
            choices = Freelancer.objects.filter(Q(pk__in=choices) | Q(pk=engagement.freelancer_id))
            if engagement.status != EngagementStatus.DRAFT:
                self.fields["freelancer"].disabled = True
                self.fields["freelancer"].help_text = "The freelancer can change only while this is a draft."
            if engagement.milestones.exists():
                self.fields["currency"].disabled = True
                self.fields["currency"].help_text = "Fixed once milestones exist."
            if money_has_moved(engagement):
                for name in BUDGET_FIELDS:
                    self.fields[name].disabled = True
                self.fields["budget"].help_text = (
                    "Money has moved: change the budget on the Money page (checked against what is committed, "
                    "recorded with a reason).")
        self.fields["freelancer"].queryset = choices.order_by("name")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("freelancer", css_class="col-md-6"), Column("kind", css_class="col-md-6")),
            "title",
            Fieldset("Money", Row(Column("pay_terms", css_class="col-md-6"),
                                  Column("weekly_hour_cap", css_class="col-md-6")),
                     Row(Column("retainer_amount", css_class="col-md-4"),
                         Column("retainer_hours", css_class="col-md-4"),
                         Column("commission_percent", css_class="col-md-4")),
                     Row(Column("budget", css_class="col-md-5"), Column("contingency_percent", css_class="col-md-4"),
                         Column("currency", css_class="col-md-3"))),
            Fieldset("Dates and cadence", Row(Column("starts_on", css_class="col-md-6"),
                                              Column("target_end_on", css_class="col-md-6")),
                     Row(Column("update_every_days", css_class="col-md-4"),
                         Column("update_grace_hours", css_class="col-md-4"),
                         Column("checkin_every_days", css_class="col-md-4")),
                     "reporting_preference"),
            Fieldset("Who does the work", "subcontracting_allowed", "backups"),
            Fieldset("Invoices", "self_billing_proposed"),
        )
        current = [b.pk for b in engagement.backups.all()] if engagement is not None else []
        self.fields["backups"].queryset = Freelancer.objects.filter(
            Q(pk__in=bench(workspace).values("pk")) | Q(pk__in=current)
        ).order_by("name")

    def clean_currency(self):
        value = self.cleaned_data["currency"].strip().upper()
        validate_currency(value)
        return value

    def clean(self):
        cleaned = super().clean()
        freelancer = cleaned.get("freelancer")
        backups = cleaned.get("backups")
        if freelancer is not None and backups is not None and freelancer in backups:
            self.add_error("backups", "The freelancer cannot be their own backup.")
        return cleaned

    def engagement_fields(self):
        return {name: self.cleaned_data[name] for name in ENGAGEMENT_FIELDS}


class BriefForm(forms.Form):
    goal = forms.CharField(max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Why this work matters and what success looks like. Markdown.")
    deliverables = forms.CharField(max_length=TEXT_MAX_LENGTH,
                                   widget=forms.Textarea(attrs={"rows": 5}), help_text="What exactly you receive.")
    acceptance_criteria = forms.CharField(max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5}),
                                          help_text="How you will decide it is done.")
    out_of_scope = forms.CharField(max_length=TEXT_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    timeline = forms.CharField(max_length=TEXT_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    communication_plan = forms.CharField(max_length=TEXT_MAX_LENGTH,
                                         required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                         help_text="Where you talk, how often, who answers questions.")
    change_summary = forms.CharField(max_length=TEXT_MAX_LENGTH,
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="What changed and why",
        help_text="Required for a new version after the brief was sent: the freelancer sees it with the diff.")

    def __init__(self, *args, brief=None, needs_summary=False, **kwargs):
        if brief is not None:
            kwargs.setdefault("initial", {name: getattr(brief, name) for name, _ in BRIEF_SECTIONS})
        super().__init__(*args, **kwargs)
        for name, label in BRIEF_SECTIONS:
            self.fields[name].label = label
        self.fields["change_summary"].required = needs_summary
        self.fields["change_summary"].error_messages["required"] = (
            "Say what changed and why: the freelancer reads this with the diff before acknowledging.")
        if not needs_summary and brief is None:
            del self.fields["change_summary"]

    def sections(self):
        return {name: self.cleaned_data[name] for name, _ in BRIEF_SECTIONS}


class AnswerForm(forms.Form):
    answer = forms.CharField(max_length=TEXT_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 3}), help_text="The freelancer sees this.")


class MilestoneForm(forms.Form):
    title = SingleLineField(max_length=200)
    acceptance_criteria = forms.CharField(max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
                                          help_text="How you will decide this milestone is done.")
    due_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                             help_text="Due at the end of this day in the freelancer's time zone.")
    amount = MoneyField(min_value=0)
    confirm_over_budget = forms.BooleanField(required=False, label="Go over budget",
                                             help_text="Needed when the milestones would exceed budget + contingency.")
    confirm_past_due = forms.BooleanField(required=False, label="Keep a past due date",
                                          help_text="Needed when the due date is before today.")

    def __init__(self, *args, engagement, milestone=None, **kwargs):
        if milestone is not None:
            kwargs.setdefault("initial", {"title": milestone.title,
                                          "acceptance_criteria": milestone.acceptance_criteria,
                                          "due_on": milestone.due_on, "amount": milestone.amount})
        super().__init__(*args, **kwargs)
        self.fields["amount"].currency = engagement.currency
        self.fields["amount"].label = f"Amount ({engagement.currency})"
        if milestone is not None and milestone.state != "draft":
            self.fields["amount"].disabled = True
            self.fields["amount"].help_text = "Fixed once the milestone is funded."

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise ValidationError("The amount must be more than zero.")
        return amount


class FeedbackForm(forms.Form):
    feedback = forms.CharField(max_length=TEXT_MAX_LENGTH,
                               widget=forms.Textarea(attrs={"rows": 4}), label="What needs to change",
                               help_text="Refer to the acceptance criteria; the freelancer sees this.")


class EndForm(forms.Form):
    reason = forms.CharField(required=False, max_length=300, label="Note (shared with the freelancer)")


class CheckInForm(forms.Form):
    scheduled_at = forms.DateTimeField(widget=DATETIME_WIDGET, label="When",
                                       help_text="In your time zone; the freelancer's email shows theirs.")
    duration_minutes = forms.IntegerField(min_value=5, max_value=480, initial=30, label="Minutes")
    meeting_url = forms.URLField(max_length=200, required=False, label="Meeting link", assume_scheme="https")
    agenda = forms.CharField(max_length=TEXT_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CheckInRecordForm(forms.Form):
    happened = forms.TypedChoiceField(choices=[("1", "It happened"), ("0", "It was missed")],
                                      coerce=lambda v: v == "1", widget=forms.RadioSelect, initial="1")
    notes = forms.CharField(max_length=TEXT_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PlaybookDocumentForm(forms.Form):
    title = SingleLineField(max_length=200)
    kind = forms.ChoiceField(choices=PlaybookKind.choices)
    body = forms.CharField(max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 14}), help_text="Markdown.")
    change_note = forms.CharField(required=False, max_length=300, label="What changed",
                                  help_text="Shown to freelancers asked to read the new version.")

    def __init__(self, *args, document=None, body="", **kwargs):
        if document is not None:
            kwargs.setdefault("initial", {"title": document.title, "kind": document.kind, "body": body})
        super().__init__(*args, **kwargs)
        if document is None:
            del self.fields["change_note"]


class AttachPlaybookForm(forms.Form):
    document = forms.ModelChoiceField(queryset=None, label="Attach a playbook document")

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = PlaybookDocument.objects.filter(
            workspace_id=engagement.workspace_id).exclude(engagements=engagement)


class AccessGrantForm(forms.Form):
    label = forms.CharField(max_length=120, help_text="What this opens, e.g. “WordPress admin (staging)”.")
    url = forms.URLField(max_length=200, required=False, label="URL", assume_scheme="https")
    username = forms.CharField(required=False, max_length=200)
    secret = forms.CharField(
        required=False, max_length=4000, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Password, key or token. Encrypted at rest; the freelancer sees it only by revealing it, "
                  "which is logged. You cannot read it back here.")
    notes = forms.CharField(max_length=TEXT_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                            help_text="Scope and limits, e.g. “staging only; do not change billing”. Not secret.")

    def __init__(self, *args, grant=None, **kwargs):
        if grant is not None:
            kwargs.setdefault("initial", {"label": grant.label, "url": grant.url, "username": grant.username,
                                          "notes": grant.notes})
        super().__init__(*args, **kwargs)
        if grant is not None:
            self.fields["secret"].label = "New secret"
            self.fields["secret"].help_text = "Leave empty to keep the current one."


def bounded_text(db_field, **kwargs):
    """A model form's field, with a length limit on a text column (which has none of its own)."""
    if isinstance(db_field, models.TextField):
        kwargs.setdefault("max_length", TEXT_MAX_LENGTH)
    return db_field.formfield(**kwargs)


class ReviewForm(forms.ModelForm):
    quality = forms.TypedChoiceField(choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect)
    communication = forms.TypedChoiceField(choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect)
    timeliness = forms.TypedChoiceField(choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect)
    rehire = forms.TypedChoiceField(choices=[("1", "Yes, I would hire them again"), ("0", "No")],
                                    coerce=lambda v: v in ("1", True, "True"), widget=forms.RadioSelect,
                                    label="Would you rehire?")

    class Meta:
        model = Review
        formfield_callback = bounded_text
        fields = ["went_well", "do_differently", "private_notes", "quality", "communication", "timeliness", "rehire",
                  "source_files_delivered", "licences_transferred", "access_revoked"]
        labels = {
            "went_well": "What went well (shared with the freelancer)",
            "do_differently": "What to do differently (shared with the freelancer)",
            "private_notes": "Private notes (only your team sees these)",
            "source_files_delivered": "Source files delivered",
            "licences_transferred": "Licences transferred",
            "access_revoked": "Access revoked and secrets rotated",
        }
        widgets = {
            "went_well": forms.Textarea(attrs={"rows": 3}),
            "do_differently": forms.Textarea(attrs={"rows": 3}),
            "private_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["rehire"] = "1" if self.instance.rehire else "0"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "went_well", "do_differently", "private_notes",
            Fieldset("Ratings (1 = poor, 5 = excellent)", InlineRadios("quality"), InlineRadios("communication"),
                     InlineRadios("timeliness")),
            InlineRadios("rehire"),
            Fieldset("Handover checklist", "source_files_delivered", "licences_transferred", "access_revoked"),
        )

    def review_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class UpdatePromptsForm(forms.ModelForm):
    class Meta:
        model = UpdatePrompts
        fields = ["done_prompt", "next_prompt", "blockers_prompt"]
        labels = {"done_prompt": "Prompt for “done”", "next_prompt": "Prompt for “next”",
                  "blockers_prompt": "Prompt for “blockers”"}


class ReminderSettingsForm(forms.ModelForm):
    class Meta:
        model = Engagement
        fields = list(REMINDER_FIELDS)


class DateDecisionForm(forms.Form):
    change = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
    response = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                               label="Note to the freelancer")
