"""Escrow money actions, balances and the ledger (API.md "Resources").

- `POST /milestones/{id}/fund|release|refund|resolve/`: owner or manager tokens reach them, but
  moving money is the workspace owner's: the service refuses a manager (404, like everything a
  token may not do). `Idempotency-Key` required (api/idempotency.py).
- `POST /milestones/{id}/dispute/`: either side, a freelancer token for its own milestones.
- `GET /engagements/{id}/balance/` and `/ledger/`: owner and manager tokens.
- `POST /engagements/{id}/budget/`: the owner raises (or lowers) the budget, with a reason; once
  money has moved this is the only way to change it (PATCH on the engagement refuses).
- `GET/POST /engagements/{id}/bonuses/` and `/payouts/`: the bonuses and payouts of an
  engagement; recording one is the owner's, with an `Idempotency-Key` (API.md "Conventions").

Every view calls the same service (payments.services) as the web pages. The header's key is
also handed to the service (namespaced by user), so the ledger itself refuses to do a money
action twice even after the stored API response has been purged.
"""

import hashlib
import uuid

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from engagements.models import Engagement, Milestone
from payments import selectors, services
from payments.gateways import method_choices
from payments.models import Entry, Payout, Transaction, TransactionKind
from payments.selectors import escrowed_for

from .idempotency import idempotent, read_key
from .permissions import IsWorkspaceMember, IsWorkspaceStaff, get_scoped_or_404, scoped
from .schema import errors

MAX_ID = 2**63 - 1
MAX_AMOUNT = 2**63 - 1


def _milestone(request, pk):
    if pk > MAX_ID:
        raise NotFound()
    return get_scoped_or_404(
        request, Milestone.objects.select_related("engagement__workspace", "engagement__freelancer"),
        workspace_path="engagement__workspace", freelancer_path="engagement__freelancer", pk=pk,
    )


def _engagement(request, pk):
    if pk > MAX_ID:
        raise NotFound()
    return get_scoped_or_404(request, Engagement.objects.select_related("workspace", "freelancer"), pk=pk)


def _service_key(request):
    """The Idempotency-Key as the ledger stores it: per user, at most 255 characters."""
    key = read_key(request)
    full = f"api:{request.user.pk}:{key}"
    return full if len(full) <= 255 else f"api:{request.user.pk}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


# --- Serializers ------------------------------------------------------------------------------
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
    entries = EntrySerializer(many=True)

    class Meta:
        model = Transaction
        fields = ["id", "kind", "engagement", "milestone", "automatic", "actor", "memo", "created_at", "entries"]


class MilestoneMoneySerializer(serializers.ModelSerializer):
    in_escrow = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = ["id", "engagement", "title", "state", "amount", "currency", "review_deadline_at", "in_escrow"]

    def get_in_escrow(self, milestone) -> int:
        return escrowed_for(milestone)


class ActionResultSerializer(serializers.Serializer):
    milestone = MilestoneMoneySerializer()
    transaction = TransactionSerializer()


class FundSerializer(serializers.Serializer):
    amount = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_AMOUNT,
        help_text="Optional check: the milestone's amount in minor units as you expect it; refused if it differs.",
    )
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, help_text="Optional check (ISO 4217).")


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
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, help_text="Optional check (ISO 4217).")
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
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, help_text="Optional check (ISO 4217).")
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
    paid_out = serializers.IntegerField()
    owed = serializers.IntegerField(help_text="Earned by the freelancer and not yet paid out.")
    committed = serializers.IntegerField(help_text="In escrow + released + hourly + bonuses.")
    remaining = serializers.IntegerField(help_text="Budget + contingency − committed.")
    percent_committed = serializers.IntegerField(help_text="Committed as a percentage of the budget.")
    alert = serializers.BooleanField(help_text="Committed spend has passed 80 % of the budget.")


def _result(milestone, tx):
    milestone.refresh_from_db()
    tx = Transaction.objects.select_related("actor").prefetch_related("entries__account").get(pk=tx.pk)
    return Response({"milestone": MilestoneMoneySerializer(milestone).data,
                     "transaction": TransactionSerializer(tx).data})


# --- Views ------------------------------------------------------------------------------------
_ACTION_ERRORS = errors(400, 404, 409)


class MilestoneFundView(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="milestones_fund", summary="Fund a milestone into escrow",
                   description="draft → funded: the milestone's amount moves from the owner into the "
                               "engagement's escrow. Owner only. 409 when it is not a draft, when the engagement "
                               "is closed, or beyond the budget + contingency (raise the budget first).",
                   request=FundSerializer, responses={200: ActionResultSerializer, **_ACTION_ERRORS})
    @idempotent
    def post(self, request, pk):
        milestone = _milestone(request, pk)
        payload = FundSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        tx = services.milestone_fund(milestone=milestone, actor=request.user, idempotency_key=_service_key(request),
                                     expected_amount=data.get("amount"), currency=data.get("currency"))
        return _result(milestone, tx)


class MilestoneReleaseView(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="milestones_release", summary="Release submitted work's escrow to the freelancer",
                   description="submitted → released; the escrow becomes owed to the freelancer. Owner only. "
                               "409 for a milestone that was never submitted or is disputed (resolve instead).",
                   request=ReleaseSerializer, responses={200: ActionResultSerializer, **_ACTION_ERRORS})
    @idempotent
    def post(self, request, pk):
        milestone = _milestone(request, pk)
        tx = services.milestone_release(milestone=milestone, actor=request.user,
                                        idempotency_key=_service_key(request))
        return _result(milestone, tx)


class MilestoneRefundView(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="milestones_refund", summary="Cancel a funded milestone and refund its escrow",
                   description="funded → refunded, before any work is submitted. Owner only.",
                   request=RefundSerializer, responses={200: ActionResultSerializer, **_ACTION_ERRORS})
    @idempotent
    def post(self, request, pk):
        milestone = _milestone(request, pk)
        payload = RefundSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        tx = services.milestone_refund(milestone=milestone, actor=request.user, idempotency_key=_service_key(request),
                                       reason=payload.validated_data.get("reason", ""))
        return _result(milestone, tx)


class MilestoneResolveView(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="milestones_resolve", summary="Settle a dispute: release part, refund the rest",
                   description="disputed → released | refunded | split. `release_amount + refund_amount` must "
                               "equal what is in escrow for the milestone (400 otherwise). Owner only.",
                   request=ResolveSerializer, responses={200: ActionResultSerializer, **_ACTION_ERRORS})
    @idempotent
    def post(self, request, pk):
        milestone = _milestone(request, pk)
        payload = ResolveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        tx = services.milestone_resolve(milestone=milestone, actor=request.user,
                                        release_amount=data["release_amount"], refund_amount=data["refund_amount"],
                                        note=data.get("note", ""), idempotency_key=_service_key(request))
        return _result(milestone, tx)


class MilestoneDisputeView(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="milestones_dispute", summary="Open a dispute (either side); the escrow is frozen",
                   description="funded | submitted | changes_requested → disputed, with a reason. Owner, manager "
                               "or the engagement's freelancer. Moves no money; nothing is released or refunded "
                               "until the owner resolves it.",
                   request=DisputeSerializer, responses={200: ActionResultSerializer, **_ACTION_ERRORS})
    def post(self, request, pk):
        milestone = _milestone(request, pk)
        payload = DisputeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        # Not a money action (API.md): no Idempotency-Key; a repeat answers 409 (already disputed).
        tx = services.milestone_dispute(milestone=milestone, actor=request.user,
                                        reason=payload.validated_data["reason"],
                                        idempotency_key=f"api:{request.user.pk}:dispute:{uuid.uuid4()}")
        return _result(milestone, tx)


class EngagementBalanceView(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="engagements_balance", summary="An engagement's money at a glance",
                   description="All amounts in minor units of `currency`, summed from the ledger now.",
                   responses={200: BalanceSerializer, **errors(404)})
    def get(self, request, pk):
        engagement = _engagement(request, pk)
        body = selectors.budget_figures(engagement).as_dict()
        return Response(BalanceSerializer({"engagement": engagement.pk, **body}).data)


class EngagementLedgerView(generics.ListAPIView):
    permission_classes = [IsWorkspaceStaff]
    serializer_class = TransactionSerializer

    def get_queryset(self):
        engagement = _engagement(self.request, self.kwargs["pk"])
        return (
            scoped(self.request, Transaction.objects.filter(engagement=engagement))
            .select_related("actor").prefetch_related("entries__account").order_by("created_at", "id")
        )

    @extend_schema(operation_id="engagements_ledger", summary="The engagement's ledger transactions",
                   description="Oldest first, each with its entries (they sum to zero per currency). A dispute is "
                               "a transaction without entries: the escrow was frozen, nothing moved.",
                   responses={200: TransactionSerializer(many=True), **errors(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class EngagementBudgetView(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="engagements_budget_change", summary="Change the budget, recorded with a reason",
                   description="Owner only. The budget with contingency cannot go below what is already committed "
                               "(400). Answers the new balance.",
                   request=BudgetChangeSerializer, responses={200: BalanceSerializer, **errors(400, 404)})
    def post(self, request, pk):
        engagement = _engagement(request, pk)
        payload = BudgetChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.engagement_budget_change(engagement=engagement, actor=request.user, budget=data["budget"],
                                          contingency_percent=data.get("contingency_percent"),
                                          reason=data["reason"])
        body = selectors.budget_figures(engagement).as_dict()
        return Response(BalanceSerializer({"engagement": engagement.pk, **body}).data)


def _transaction_body(tx):
    tx = Transaction.objects.select_related("actor").prefetch_related("entries__account").get(pk=tx.pk)
    return TransactionSerializer(tx).data


class EngagementBonusesView(generics.ListAPIView):
    permission_classes = [IsWorkspaceStaff]
    serializer_class = TransactionSerializer

    def get_queryset(self):
        engagement = _engagement(self.request, self.kwargs["pk"])
        return (
            scoped(self.request, Transaction.objects.filter(engagement=engagement, kind=TransactionKind.BONUS))
            .select_related("actor").prefetch_related("entries__account").order_by("created_at", "id")
        )

    @extend_schema(operation_id="engagements_bonuses_list", summary="The engagement's bonuses, oldest first",
                   responses={200: TransactionSerializer(many=True), **errors(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="engagements_bonuses_create", summary="Add a bonus (owed to the freelancer at once)",
                   description="Owner only. Counts against the budget like funding: beyond budget + contingency "
                               "it is 409 (raise the budget first). The freelancer is emailed the note.",
                   request=BonusSerializer, responses={201: TransactionSerializer, **_ACTION_ERRORS})
    @idempotent
    def post(self, request, pk):
        engagement = _engagement(request, pk)
        payload = BonusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        tx = services.bonus_pay(engagement=engagement, actor=request.user, amount=data["amount"], note=data["note"],
                                currency=data.get("currency"), idempotency_key=_service_key(request))
        return Response(_transaction_body(tx), status=201)


class EngagementPayoutsView(generics.ListAPIView):
    permission_classes = [IsWorkspaceStaff]
    serializer_class = PayoutSerializer

    def get_queryset(self):
        engagement = _engagement(self.request, self.kwargs["pk"])
        return scoped(self.request, Payout.objects.filter(engagement=engagement)).order_by("-paid_on", "-id")

    @extend_schema(operation_id="engagements_payouts_list", summary="The engagement's payouts, newest first",
                   responses={200: PayoutSerializer(many=True), **errors(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="engagements_payouts_create", summary="Record a payout of what is owed",
                   description="Owner only. Moves (part of) what the freelancer is owed on this engagement to "
                               "paid out, through the configured payout gateway (by default it records a transfer "
                               "made outside the platform). More than is owed is 409; an unknown method, a future "
                               "date or a card number as the reference is 400.",
                   request=PayoutWriteSerializer, responses={201: PayoutSerializer, **_ACTION_ERRORS})
    @idempotent
    def post(self, request, pk):
        engagement = _engagement(request, pk)
        payload = PayoutWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        tx = services.payout_record(
            engagement=engagement, actor=request.user, amount=data["amount"], method=data["method"],
            reference=data["reference"], paid_on=data["paid_on"], note=data.get("note", ""),
            currency=data.get("currency"), idempotency_key=_service_key(request),
        )
        return Response(PayoutSerializer(Payout.objects.get(transaction=tx)).data, status=201)


urlpatterns = [
    path("milestones/<int:pk>/fund/", MilestoneFundView.as_view(), name="milestone-fund"),
    path("milestones/<int:pk>/release/", MilestoneReleaseView.as_view(), name="milestone-release"),
    path("milestones/<int:pk>/refund/", MilestoneRefundView.as_view(), name="milestone-refund"),
    path("milestones/<int:pk>/dispute/", MilestoneDisputeView.as_view(), name="milestone-dispute"),
    path("milestones/<int:pk>/resolve/", MilestoneResolveView.as_view(), name="milestone-resolve"),
    path("engagements/<int:pk>/balance/", EngagementBalanceView.as_view(), name="engagement-balance"),
    path("engagements/<int:pk>/ledger/", EngagementLedgerView.as_view(), name="engagement-ledger"),
    path("engagements/<int:pk>/budget/", EngagementBudgetView.as_view(), name="engagement-budget"),
    path("engagements/<int:pk>/bonuses/", EngagementBonusesView.as_view(), name="engagement-bonuses"),
    path("engagements/<int:pk>/payouts/", EngagementPayoutsView.as_view(), name="engagement-payouts"),
]
