"""`GET /engagements/{id}/provider-activity/` (API.md "Money that moves"): the payment
provider's objects behind the engagement's ledger, for owner and manager tokens."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from payments import selectors

from ..permissions import IsWorkspaceStaff
from ..schema import errors
from .access import engagement_or_404


class ProviderActivitySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["charge", "transfer", "refund", "reversal", "payout", "dispute", "fee"])
    provider_id = serializers.CharField(help_text="Stripe's id (ch_…, tr_…, re_…, du_…); blank until Stripe answered.")
    amount = serializers.IntegerField(help_text="Minor units of `currency`.")
    currency = serializers.CharField()
    status = serializers.CharField(help_text="started, pending, processing, succeeded, failed or canceled.")
    ledger_transaction = serializers.IntegerField(allow_null=True, help_text="The ledger transaction it posted or "
                                                                             "follows.")
    created_at = serializers.DateTimeField()


class EngagementProviderActivityView(generics.ListAPIView):
    permission_classes = [IsWorkspaceStaff]
    serializer_class = ProviderActivitySerializer

    def get_queryset(self):
        return selectors.provider_activity(engagement_or_404(self.request, self.kwargs["pk"]))

    @extend_schema(operation_id="engagements_provider_activity", summary="The provider's objects behind the ledger",
                   description="Oldest first; empty off the platform (nothing moves through a provider).",
                   responses={200: ProviderActivitySerializer(many=True), **errors(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
