"""A milestone's escrow actions (API.md "Resources").

- `POST /milestones/{id}/fund|release|refund|resolve/`: owner or manager tokens reach them, but
  moving money is the workspace owner's: the service refuses a manager (404, like everything a
  token may not do). `Idempotency-Key` required.
- `POST /milestones/{id}/dispute/`: either side, a freelancer token for its own milestones.

Each answers the milestone's money and the ledger transaction the action wrote.
"""

import uuid

from drf_spectacular.utils import extend_schema, extend_schema_view

from payments import services
from payments.models import ProviderIntent, Transaction
from payments.providers import stripe_enabled

from ..permissions import IsWorkspaceMember
from ..schema import errors
from .access import milestone_or_404
from .actions import ACTION_ERRORS, MoneyAction, money_action
from .serializers import (
    ActionResultSerializer,
    DisputeSerializer,
    FundSerializer,
    MilestoneMoneySerializer,
    PaymentPendingSerializer,
    RefundSerializer,
    ReleaseSerializer,
    ResolveSerializer,
    TransactionSerializer,
)

# The answer's two serializers, built once per process and used only through their
# `to_representation`, which keeps nothing between calls: building a serializer's fields from
# the model (and copying and binding them) for every answer was most of the answer's cost.
_MILESTONE = MilestoneMoneySerializer()
_TRANSACTION = TransactionSerializer()


class MilestoneAction(MoneyAction):
    # A money action on a milestone, answering `{milestone, transaction}`.

    def subject(self, request, pk):
        return milestone_or_404(request, pk)

    def answer(self, milestone, tx):
        if tx.posted_entries is not None and Transaction.milestone.is_cached(tx):
            # Written by this request: the milestone as the action left it (locked, moved) and
            # the entries it posted are at hand; only the escrow left is read back.
            milestone = tx.milestone
        else:  # a replay: the first request's transaction, read back as it is now
            milestone.refresh_from_db()
            tx = Transaction.objects.select_related("actor").prefetch_related("entries__account").get(pk=tx.pk)
        return {"milestone": _MILESTONE.to_representation(milestone), "transaction": _TRANSACTION.to_representation(tx)}


@extend_schema_view(post=extend_schema(
    operation_id="milestones_fund", summary="Fund a milestone (held funds)",
    description="draft → funded: the milestone's amount moves from the owner into the engagement's held funds. "
                "Owner only. 409 when it is not a draft, when the engagement is closed, or beyond the budget + "
                "contingency (raise the budget first). With the Stripe rail (`GET /payments/provider/`) nothing "
                "is funded yet: 202 with the Checkout page to send the owner to; the milestone becomes funded "
                "when Stripe confirms the payment. 502 when Stripe refuses or cannot be reached.",
    request=FundSerializer,
    responses={200: ActionResultSerializer, 202: PaymentPendingSerializer, **errors(*ACTION_ERRORS, 502)}))
class MilestoneFundView(MilestoneAction):
    payload = FundSerializer

    def act(self, request, milestone, data, key):
        if stripe_enabled():
            return services.milestone_checkout_start(
                milestone=milestone, actor=request.user, idempotency_key=key, expected_amount=data.get("amount"),
                currency=data.get("currency"))
        return services.milestone_fund(milestone=milestone, actor=request.user, idempotency_key=key,
                                       expected_amount=data.get("amount"), currency=data.get("currency"))

    def perform(self, request, pk):
        response = super().perform(request, pk)
        if stripe_enabled():
            response.status_code = 202
        return response

    def answer(self, milestone, result):
        if isinstance(result, ProviderIntent):
            return PaymentPendingSerializer(result).data
        return super().answer(milestone, result)


@money_action(operation_id="milestones_release", summary="Release submitted work's held funds to the freelancer",
              description="submitted → released; the held funds become owed to the freelancer. Owner only. 409 for a "
                          "milestone that was never submitted or is disputed (resolve instead).",
              request=ReleaseSerializer, response=ActionResultSerializer)
class MilestoneReleaseView(MilestoneAction):
    def act(self, request, milestone, data, key):
        return services.milestone_release(milestone=milestone, actor=request.user, idempotency_key=key)


@money_action(operation_id="milestones_refund", summary="Cancel a funded milestone and refund its held funds",
              description="funded → refunded, before any work is submitted. Owner only.",
              request=RefundSerializer, response=ActionResultSerializer)
class MilestoneRefundView(MilestoneAction):
    payload = RefundSerializer

    def act(self, request, milestone, data, key):
        return services.milestone_refund(milestone=milestone, actor=request.user, idempotency_key=key,
                                         reason=data.get("reason", ""))


@money_action(operation_id="milestones_resolve", summary="Settle a dispute: release part, refund the rest",
              description="disputed → released | refunded | split. `release_amount + refund_amount` must equal "
                          "what is held for the milestone (400 otherwise). Owner only.",
              request=ResolveSerializer, response=ActionResultSerializer)
class MilestoneResolveView(MilestoneAction):
    payload = ResolveSerializer

    def act(self, request, milestone, data, key):
        return services.milestone_resolve(milestone=milestone, actor=request.user,
                                          release_amount=data["release_amount"],
                                          refund_amount=data["refund_amount"], note=data.get("note", ""),
                                          idempotency_key=key)


@money_action(operation_id="milestones_dispute", summary="Open a dispute (either side); the held funds are frozen",
              description="funded | submitted | changes_requested → disputed, with a reason. Owner, manager or "
                          "the engagement's freelancer. Moves no money; nothing is released or refunded until the "
                          "owner resolves it.",
              request=DisputeSerializer, response=ActionResultSerializer)
class MilestoneDisputeView(MilestoneAction):
    permission_classes = [IsWorkspaceMember]
    payload = DisputeSerializer

    def post(self, request, pk):
        # Not a money action (API.md): no Idempotency-Key; a repeat answers 409 (already disputed).
        return self.perform(request, pk)

    def service_key(self, request):
        return f"api:{request.user.pk}:dispute:{uuid.uuid4()}"

    def act(self, request, milestone, data, key):
        return services.milestone_dispute(milestone=milestone, actor=request.user, reason=data["reason"],
                                          idempotency_key=key)
