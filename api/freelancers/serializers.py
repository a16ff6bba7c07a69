"""Serializers of the freelancers and vetting endpoints."""

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from accounts.fields import single_line
from accounts.models import MAX_MONEY
from freelancers.models import (
    Decision,
    Freelancer,
    FreelancerStatus,
    Interview,
    InterviewKind,
    InterviewOutcome,
    RateUnit,
    RedFlag,
    Reference,
)

from ..fields import AwareDateTimeField


class FreelancerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Freelancer
        fields = ["id", "name", "email", "headline", "skills", "timezone", "country", "rate_amount", "rate_unit",
                  "currency", "links", "notes", "status", "do_not_hire", "do_not_hire_reason", "created_at",
                  "updated_at"]
        read_only_fields = fields


class FreelancerWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, validators=[single_line])
    email = serializers.EmailField(max_length=254)
    headline = serializers.CharField(max_length=200, required=False, allow_blank=True)
    skills = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=50)
    timezone = serializers.CharField(max_length=64, required=False, help_text="IANA name, e.g. Europe/Lisbon.")
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    rate_amount = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_MONEY,
        error_messages={"min_value": "The rate cannot be negative."},
        help_text="Minor units of `currency` (4550 = 45.50).",
    )
    rate_unit = serializers.ChoiceField(choices=RateUnit.choices, required=False)
    currency = serializers.CharField(min_length=3, max_length=3, required=False, help_text="ISO 4217.")
    links = serializers.ListField(child=serializers.URLField(max_length=500), required=False, max_length=20)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class FreelancerPatchSerializer(FreelancerWriteSerializer):
    status = serializers.ChoiceField(
        choices=FreelancerStatus.choices, required=False,
        help_text="A pipeline move (prospect ⇄ vetting, reopening). Approving and rejecting go through "
                  "`POST /freelancers/{id}/decision/` (409 here).",
    )
    do_not_hire = serializers.BooleanField(required=False)
    do_not_hire_reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def validate(self, attrs):
        if attrs.get("do_not_hire") and not (attrs.get("do_not_hire_reason") or "").strip():
            raise serializers.ValidationError({"do_not_hire_reason": ["Say why this person should not be hired."]})
        return attrs


class FreelancerFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FreelancerStatus.choices + [("do_not_hire", "Do not hire")],
                                     required=False)
    skill = serializers.CharField(required=False, max_length=50)
    q = serializers.CharField(required=False, max_length=200, help_text="Name, email, headline, notes, skills.")
    timezone = serializers.CharField(required=False, max_length=64)
    rate_min = serializers.IntegerField(required=False, min_value=0, max_value=MAX_MONEY,
                                        help_text="Minor units, in the workspace's currency.")
    rate_max = serializers.IntegerField(required=False, min_value=0, max_value=MAX_MONEY)


class AnswersSerializer(serializers.Serializer):
    quality = serializers.IntegerField()
    reliability = serializers.IntegerField()
    communication = serializers.IntegerField()
    deadlines = serializers.IntegerField()
    would_rehire = serializers.BooleanField()
    what_to_know = serializers.CharField()


class ReferenceSerializer(serializers.ModelSerializer):
    answers = serializers.SerializerMethodField()

    class Meta:
        model = Reference
        fields = ["id", "freelancer", "name", "email", "relationship", "company", "status", "requested_at",
                  "expires_at", "reminders_sent", "answered_at", "answers", "decline_reason", "created_at"]
        read_only_fields = fields

    @extend_schema_field(AnswersSerializer(allow_null=True))
    def get_answers(self, reference):
        if reference.status != "received":
            return None
        return {"quality": reference.quality, "reliability": reference.reliability,
                "communication": reference.communication, "deadlines": reference.deadlines,
                "would_rehire": reference.would_rehire, "what_to_know": reference.what_to_know}


class ReferenceCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, validators=[single_line])
    email = serializers.EmailField(max_length=254)
    relationship = serializers.CharField(max_length=150)
    company = serializers.CharField(max_length=150, required=False, allow_blank=True)


class InterviewSerializer(serializers.ModelSerializer):
    scores = serializers.SerializerMethodField()
    interviewer = serializers.EmailField(source="interviewer.email", allow_null=True, read_only=True)
    # May be empty, so not typed as a URI in the schema.
    meeting_url = serializers.CharField(read_only=True)

    class Meta:
        model = Interview
        fields = ["id", "freelancer", "kind", "scheduled_at", "duration_minutes", "meeting_url",
                  "organizer_timezone", "interviewer", "cancelled_at", "scores", "red_flags", "notes", "outcome",
                  "scored_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=5)))
    def get_scores(self, interview):
        return {s.criterion: s.score for s in interview.scores.all()}


class InterviewCreateSerializer(serializers.Serializer):
    scheduled_at = AwareDateTimeField(help_text="ISO 8601 with offset; must be in the future.")
    duration_minutes = serializers.IntegerField(required=False, default=15, min_value=5, max_value=480)
    kind = serializers.ChoiceField(choices=InterviewKind.choices, required=False, default=InterviewKind.INTRO)
    meeting_url = serializers.URLField(required=False, allow_blank=True, default="", max_length=500)


class InterviewPatchSerializer(serializers.Serializer):
    scheduled_at = AwareDateTimeField(required=False, help_text="Reschedules (the freelancer gets an updated .ics).")
    duration_minutes = serializers.IntegerField(required=False, min_value=5, max_value=480)
    kind = serializers.ChoiceField(choices=InterviewKind.choices, required=False)
    meeting_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    scores = serializers.DictField(child=serializers.IntegerField(), required=False,
                                   help_text="criterion name → 1..5 (the workspace's criteria).")
    red_flags = serializers.ListField(child=serializers.ChoiceField(choices=RedFlag.choices), required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    outcome = serializers.ChoiceField(choices=InterviewOutcome.choices, required=False)

    SCHEDULE = ("scheduled_at", "duration_minutes", "kind", "meeting_url")
    SCORE = ("scores", "red_flags", "notes", "outcome")


class DecisionRequestSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.Verdict.choices)
    reason = serializers.CharField(max_length=5000)
    confirm = serializers.BooleanField(
        required=False, default=False,
        help_text="Required (true) to approve with fewer than 2 answered references or any red flag.",
    )


class DecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.EmailField(source="decided_by.email", allow_null=True, read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "freelancer", "decision", "reason", "decided_by", "decided_at", "references_received",
                  "red_flags", "confirmed_warnings"]
        read_only_fields = fields

ScorecardSerializer = inline_serializer("Scorecard", fields={
    "freelancer": serializers.IntegerField(),
    "status": serializers.ChoiceField(choices=FreelancerStatus.choices),
    "do_not_hire": serializers.BooleanField(),
    "references": serializers.DictField(),
    "interviews": serializers.DictField(),
    "red_flags": serializers.ListField(child=serializers.DictField()),
    "trial": serializers.ListField(child=serializers.DictField()),
    "reliability": serializers.DictField(allow_null=True),
    "samples": serializers.ListField(child=serializers.DictField()),
    "warnings": serializers.ListField(child=serializers.CharField()),
    "decisions": DecisionSerializer(many=True),
})
