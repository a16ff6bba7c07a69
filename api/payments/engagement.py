"""An engagement's money (API.md "Resources"), for owner and manager tokens.

- `GET /engagements/{id}/balance/` and `/ledger/`: the figures and the ledger transactions.
- `POST /engagements/{id}/budget/`: the owner raises (or lowers) the budget, with a reason; once
  money has moved this is the only way to change it (PATCH on the engagement refuses).
- `GET/POST /engagements/{id}/bonuses/` and `/payouts/`: the bonuses and payouts of an
  engagement; recording one is the owner's, a money action with an `Idempotency-Key`.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from payments import selectors, services
from payments.models import Payout, ProviderCharge, Transaction, TransactionKind

from ..permissions import IsWorkspaceStaff, scoped
from ..schema import errors
from .access import engagement_or_404
from .actions import ACTION_ERRORS, MoneyAction, money_action
from .serializers import (
    BalanceSerializer,
    BonusSerializer,
    BudgetChangeSerializer,
    ChargePendingSerializer,
    PayoutSerializer,
    PayoutWriteSerializer,
    TransactionSerializer,
)


def _balance(engagement):
    body = selectors.budget_figures(engagement).as_dict()
    return BalanceSerializer({"engagement": engagement.pk, **body}).data


def _transactions(request, pk, **filters):
    engagement = engagement_or_404(request, pk)
    return (
        scoped(request, Transaction.objects.filter(engagement=engagement, **filters))
        .select_related("actor").prefetch_related("entries__account").order_by("created_at", "id")
    )


class EngagementBalanceView(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="engagements_balance", summary="An engagement's money at a glance",
                   description="All amounts in minor units of `currency`, summed from the ledger now.",
                   responses={200: BalanceSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(_balance(engagement_or_404(request, pk)))


class EngagementLedgerView(generics.ListAPIView):
    permission_classes = [IsWorkspaceStaff]
    serializer_class = TransactionSerializer

    def get_queryset(self):
        return _transactions(self.request, self.kwargs["pk"])

    @extend_schema(operation_id="engagements_ledger", summary="The engagement's ledger transactions",
                   description="Oldest first, each with its entries (they sum to zero per currency). A dispute is "
                               "a transaction without entries: the held funds were frozen, nothing moved.",
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
        engagement = engagement_or_404(request, pk)
        payload = BudgetChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.engagement_budget_change(engagement=engagement, actor=request.user, budget=data["budget"],
                                          contingency_percent=data.get("contingency_percent"),
                                          reason=data["reason"])
        return Response(_balance(engagement))


class EngagementMoneyAction(MoneyAction):
    # A money action on an engagement that answers 201 with what it recorded.

    success_status = 201

    def subject(self, request, pk):
        return engagement_or_404(request, pk)


@extend_schema_view(post=extend_schema(
    operation_id="engagements_bonuses_create", summary="Add a bonus (owed to the freelancer at once)",
    description="Owner only. Counts against the budget like funding: beyond budget + contingency it is 409 (raise "
                "the budget first). The freelancer is emailed the note. With the Stripe rail the bonus is first "
                "charged to the owner's saved payment method: 201 with the transaction once the charge succeeded, "
                "else 202 with the charge's state (the same key answers the same charge).",
    request=BonusSerializer,
    responses={201: TransactionSerializer, 202: ChargePendingSerializer, **errors(*ACTION_ERRORS)}))
class EngagementBonusesView(EngagementMoneyAction, generics.ListAPIView):
    serializer_class = TransactionSerializer
    payload = BonusSerializer

    def get_queryset(self):
        return _transactions(self.request, self.kwargs["pk"], kind=TransactionKind.BONUS)

    @extend_schema(operation_id="engagements_bonuses_list", summary="The engagement's bonuses, oldest first",
                   responses={200: TransactionSerializer(many=True), **errors(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def act(self, request, engagement, data, key):
        return services.bonus_pay(engagement=engagement, actor=request.user, amount=data["amount"],
                                  note=data["note"], currency=data.get("currency"), idempotency_key=key)

    def perform(self, request, pk):
        response = super().perform(request, pk)
        if "charge" in response.data:  # charged first (Stripe): not owed yet
            response.status_code = 202
        return response

    def answer(self, engagement, tx):
        if isinstance(tx, ProviderCharge):
            tx = ProviderCharge.objects.get(pk=tx.pk)
            if tx.ledger_transaction_id is None:
                return ChargePendingSerializer(tx).data
            tx = tx.ledger_transaction
        tx = Transaction.objects.select_related("actor").prefetch_related("entries__account").get(pk=tx.pk)
        return TransactionSerializer(tx).data


@money_action(operation_id="engagements_payouts_create", summary="Record a payout of what is owed",
              description="Owner only. Moves (part of) what the freelancer is owed on this engagement to paid out, "
                          "through the configured payout gateway (by default it records a transfer made outside the "
                          "platform). More than is owed is 409; an unknown method, a future date or a card number "
                          "as the reference is 400.",
              request=PayoutWriteSerializer, response=PayoutSerializer, status=201)
class EngagementPayoutsView(EngagementMoneyAction, generics.ListAPIView):
    serializer_class = PayoutSerializer
    payload = PayoutWriteSerializer

    def get_queryset(self):
        engagement = engagement_or_404(self.request, self.kwargs["pk"])
        return scoped(self.request, Payout.objects.filter(engagement=engagement)).order_by("-paid_on", "-id")

    @extend_schema(operation_id="engagements_payouts_list", summary="The engagement's payouts, newest first",
                   responses={200: PayoutSerializer(many=True), **errors(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def act(self, request, engagement, data, key):
        return services.payout_record(
            engagement=engagement, actor=request.user, amount=data["amount"], method=data["method"],
            reference=data["reference"], paid_on=data["paid_on"], note=data.get("note", ""),
            currency=data.get("currency"), idempotency_key=key,
        )

    def answer(self, engagement, tx):
        return PayoutSerializer(Payout.objects.get(transaction=tx)).data
