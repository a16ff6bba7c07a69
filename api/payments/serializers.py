"""The payments endpoints' serializers: ledger transactions and their entries, a milestone's
money, the bodies of the money actions, an engagement's balance, payouts, and timesheets."""

from django.urls import reverse
from rest_framework import serializers

from engagements.models import Milestone
from notifications.links import absolute
from payments.gateways import method_choices
from payments.models import (
    Entry,
    Payout,
    TimeEntry,
    Timesheet,
    TimesheetState,
    Transaction,
    TransactionKind,
    amount_for,
)
from payments.selectors import escrowed_for

from .access import MAX_AMOUNT


class EntrySerializer(serializers.ModelSerializer):
    account = serializers.CharField(source="account.kind", help_text="owner_funding, escrow, payable, paid_out")
    engagement = serializers.IntegerField(source="account.engagement_id", allow_null=True)
    freelancer = serializers.IntegerField(source="account.freelancer_id", allow_null=True)

    class Meta:
        model = Entry
        fields = ["account", "engagement", "freelancer", "amount", "currency"]


class TransactionSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=TransactionKind.choices)
    actor = serializers.EmailField(source="actor.email", allow_null=True, default=None)
    entries = EntrySerializer(many=True, source="entry_list")

    class Meta:
        model = Transaction
        fields = ["id", "kind", "engagement", "milestone", "automatic", "actor", "memo", "created_at", "entries"]


class MilestoneMoneySerializer(serializers.ModelSerializer):
    in_escrow = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = ["id", "engagement", "title", "state", "amount", "currency", "review_deadline_at", "in_escrow"]

    def get_in_escrow(self, milestone) -> int:
        # What an action that just moved the milestone's escrow knows it left (a release: 0).
        known = getattr(milestone, "in_escrow_now", None)
        return escrowed_for(milestone) if known is None else known


class ActionResultSerializer(serializers.Serializer):
    milestone = MilestoneMoneySerializer()
    transaction = TransactionSerializer()


class FundSerializer(serializers.Serializer):
    amount = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_AMOUNT,
        help_text="Optional check: the milestone's amount in minor units as you expect it; refused if it differs.",
    )
    currency = serializers.RegexField(r"^[A-Z]{3}$", min_length=3, max_length=3, required=False,
                                       help_text="Optional check (ISO 4217).")


class PaymentPendingSerializer(serializers.Serializer):
    state = serializers.SerializerMethodField(help_text="`payment_pending` until Stripe confirms the payment "
                                                        "(`processing` for a slow bank debit).")
    checkout_url = serializers.URLField(source="url", help_text="Stripe's Checkout page to send the owner to.")
    milestone = serializers.IntegerField(source="milestone_id")
    amount = serializers.IntegerField()
    currency = serializers.CharField()

    def get_state(self, intent) -> str:
        return "processing" if intent.status == "processing" else "payment_pending"


class ChargePendingSerializer(serializers.Serializer):
    state = serializers.SerializerMethodField(help_text="`payment_pending` while the owner's saved payment method is "
                                                        "charged, `processing` for a slow bank debit, "
                                                        "`payment_failed` when it was declined (see `pay_url`).")
    charge = serializers.IntegerField(source="pk")
    amount = serializers.IntegerField()
    currency = serializers.CharField()
    error = serializers.CharField(help_text="Stripe's words when the payment failed.")
    pay_url = serializers.SerializerMethodField(help_text="The page where the owner pays a failed charge through "
                                                          "Checkout.")

    def get_state(self, charge) -> str:
        return {"processing": "processing", "failed": "payment_failed"}.get(charge.status, "payment_pending")

    def get_pay_url(self, charge) -> str:
        return absolute(reverse("payments:charge_pay", args=[charge.pk]))


class ReleaseSerializer(serializers.Serializer):
    pass


class RefundSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class DisputeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ResolveSerializer(serializers.Serializer):
    release_amount = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT,
                                              help_text="Minor units to the freelancer.")
    refund_amount = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT, help_text="Minor units back to you.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)

    def validate(self, attrs):
        if attrs["release_amount"] + attrs["refund_amount"] <= 0:
            raise serializers.ValidationError({"release_amount": ["Release or refund something: both are zero."]})
        return attrs


class BonusSerializer(serializers.Serializer):
    amount = serializers.IntegerField(min_value=1, max_value=MAX_AMOUNT, help_text="Minor units, owed at once.")
    currency = serializers.RegexField(r"^[A-Z]{3}$", min_length=3, max_length=3, required=False,
                                       help_text="Optional check (ISO 4217).")
    note = serializers.CharField(max_length=300, help_text="What it is for; the freelancer sees it.")


class PayoutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payout
        fields = ["id", "engagement", "freelancer", "amount", "currency", "method", "reference", "paid_on", "note",
                  "transaction", "created_at"]
        read_only_fields = fields


class PayoutWriteSerializer(serializers.Serializer):
    amount = serializers.IntegerField(min_value=1, max_value=MAX_AMOUNT,
                                      help_text="Minor units; at most what is owed on the engagement.")
    currency = serializers.RegexField(r"^[A-Z]{3}$", min_length=3, max_length=3, required=False,
                                       help_text="Optional check (ISO 4217).")
    method = serializers.CharField(max_length=32, help_text="How it was sent, one of the payout gateway's methods: "
                                   + ", ".join(value for value, _ in method_choices()) + ".")
    reference = serializers.CharField(max_length=120, help_text="The transfer's reference; never a card or "
                                                                "account number (refused).")
    paid_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class BudgetChangeSerializer(serializers.Serializer):
    budget = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT, help_text="Minor units.")
    contingency_percent = serializers.IntegerField(required=False, min_value=0, max_value=100)
    reason = serializers.CharField(max_length=1000, help_text="Kept with the change.")


class BalanceSerializer(serializers.Serializer):
    engagement = serializers.IntegerField()
    currency = serializers.CharField()
    budget = serializers.IntegerField()
    contingency_percent = serializers.IntegerField()
    contingency = serializers.IntegerField()
    funded = serializers.IntegerField()
    in_escrow = serializers.IntegerField()
    released = serializers.IntegerField()
    refunded = serializers.IntegerField()
    hourly = serializers.IntegerField(help_text="Approved timesheets.")
    bonuses = serializers.IntegerField()
    commissions = serializers.IntegerField(help_text="Commission reports released.")
    paid_out = serializers.IntegerField()
    owed = serializers.IntegerField(help_text="Earned by the freelancer and not yet paid out.")
    committed = serializers.IntegerField(help_text="Held + released + hourly + bonuses + commissions.")
    remaining = serializers.IntegerField(help_text="Budget + contingency − committed.")
    percent_committed = serializers.IntegerField(help_text="Committed as a percentage of the budget.")
    alert = serializers.BooleanField(help_text="Committed spend has passed 80 % of the budget.")


# --- Timesheets -------------------------------------------------------------------------------
class TimeEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = TimeEntry
        fields = ["id", "day", "minutes", "description"]
        read_only_fields = fields


class TimesheetSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=TimesheetState.choices)
    entries = TimeEntrySerializer(many=True)
    total_minutes = serializers.SerializerMethodField()
    amount = serializers.SerializerMethodField(help_text="Minor units at the rate fixed on submission; null before.")

    class Meta:
        model = Timesheet
        fields = ["id", "engagement", "week_start", "state", "entries", "total_minutes", "hourly_rate", "amount",
                  "currency", "submitted_at", "approval_deadline_at", "dispute_reason", "decided_at"]
        read_only_fields = fields

    def get_total_minutes(self, timesheet) -> int:
        return sum(entry.minutes for entry in timesheet.entries.all())

    def get_amount(self, timesheet) -> int | None:
        if timesheet.hourly_rate is None:
            return None
        return amount_for(self.get_total_minutes(timesheet), timesheet.hourly_rate)


class TimeEntryWriteSerializer(serializers.Serializer):
    day = serializers.DateField(help_text="A day that has come, in the freelancer's time zone.")
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    description = serializers.CharField(max_length=300, help_text="What you worked on.")


class TimesheetDisputeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="What is wrong with the week; the freelancer sees it.")
