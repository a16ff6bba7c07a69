"""Money back after a release (API.md "Money that moves"; payments/services/refund_released.py):

- `POST /milestones/{id}/refund-request/` (owner token): ask the freelancer for money back on a
  released milestone, `{reason, amount?}` (no amount: everything not refunded yet). Moves no
  money; asking again while one waits answers the waiting ask.
- `POST /milestones/{id}/refund-released/` (freelancer token, their own milestones): give back
  `{amount, reason?, method?, reference?}` of what it released to them; a money action with an
  `Idempotency-Key`. Off the platform, money already paid out needs `method` and `reference`
  (how it was sent back); on Stripe a transfer reversal then a refund of the owner's charge
  (502 when Stripe refuses, e.g. the money already left for the freelancer's bank: nothing is
  posted).
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response

from payments import services
from payments.models import RefundRequest, ReleasedRefund
from payments.providers.off_platform import OffPlatformProvider

from ..permissions import IsFreelancer, IsWorkspaceStaff
from ..schema import errors
from .access import MAX_AMOUNT, milestone_or_404
from .actions import ACTION_ERRORS, MoneyAction
from .escrow import MilestoneAction
from .serializers import MilestoneMoneySerializer


class RefundAskBodySerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    amount = serializers.IntegerField(required=False, min_value=1, max_value=MAX_AMOUNT,
                                      help_text="Minor units; leave out to ask for everything not refunded yet.")


class RefundAskSerializer(serializers.ModelSerializer):
    class Meta:
        model = RefundRequest
        fields = ["id", "milestone", "reason", "amount", "status", "created_at", "answered_at"]


class ReleasedRefundBodySerializer(serializers.Serializer):
    amount = serializers.IntegerField(min_value=1, max_value=MAX_AMOUNT, help_text="Minor units to give back.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)
    method = serializers.ChoiceField(choices=OffPlatformProvider.methods, required=False, allow_blank=True,
                                     help_text="Off the platform: how money already paid out was sent back.")
    reference = serializers.CharField(required=False, allow_blank=True, max_length=120,
                                      help_text="Off the platform: the reference of the transfer sent back.")


class ReleasedRefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReleasedRefund
        fields = ["id", "milestone", "amount", "from_payable", "from_paid_out", "currency", "status", "reason",
                  "method", "reference", "error", "transaction", "created_at"]


class ReleasedRefundResultSerializer(serializers.Serializer):
    refund = ReleasedRefundSerializer()
    milestone = MilestoneMoneySerializer()


@extend_schema_view(post=extend_schema(
    operation_id="milestones_refund_request", summary="Ask the freelancer for money back after release",
    description="Owner only, on a released milestone, with a reason (and an amount, or everything not refunded "
                "yet). Emails the freelancer, who decides. Moves no money; no Idempotency-Key. 409 for a milestone "
                "not released (cancel and refund it instead).",
    request=RefundAskBodySerializer, responses={200: RefundAskSerializer, **errors(*ACTION_ERRORS)}))
class MilestoneRefundRequestView(MoneyAction):
    permission_classes = [IsWorkspaceStaff]
    payload = RefundAskBodySerializer

    def post(self, request, pk):  # moves no money: no Idempotency-Key
        milestone = milestone_or_404(request, pk)
        body = self.payload(data=request.data)
        body.is_valid(raise_exception=True)
        ask = services.refund_request(milestone=milestone, actor=request.user, reason=body.validated_data["reason"],
                                      amount=body.validated_data.get("amount"))
        return Response(RefundAskSerializer(ask).data)


@extend_schema_view(post=extend_schema(
    operation_id="milestones_refund_released", summary="Give money back after release (freelancer)",
    description="The engagement's freelancer gives back `amount` of what the milestone released to them, never "
                "more than released minus earlier refunds (409 otherwise). What is still owed comes back from "
                "payable, what was paid out from paid out: off the platform say how it was sent back (`method`, "
                "`reference`); on Stripe the transfer is reversed, then the owner's charge refunded (502 when "
                "Stripe refuses the reversal: nothing is posted). `Idempotency-Key` required.",
    request=ReleasedRefundBodySerializer,
    responses={200: ReleasedRefundResultSerializer, **errors(*ACTION_ERRORS, 502)}))
class MilestoneRefundReleasedView(MilestoneAction):
    permission_classes = [IsFreelancer]
    payload = ReleasedRefundBodySerializer

    def act(self, request, milestone, data, key):
        return services.released_refund(milestone=milestone, actor=request.user, amount=data["amount"],
                                        idempotency_key=key, reason=data.get("reason", ""),
                                        method=data.get("method", ""), reference=data.get("reference", ""))

    def answer(self, milestone, refund):
        return {"refund": ReleasedRefundSerializer(refund).data, "milestone": MilestoneMoneySerializer(milestone).data}
