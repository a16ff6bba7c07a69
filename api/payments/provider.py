"""The payment rail (API.md "Money that moves"): `GET /payments/provider/` says which rail moves
money in this deployment and where held funds really are; any token may read it."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from payments.providers import payments_provider

from ..permissions import IsWorkspaceMember


class ProviderSerializer(serializers.Serializer):
    provider = serializers.ChoiceField(choices=["off_platform", "stripe"],
                                       help_text="The rail that moves money in this deployment.")
    held_funds_note = serializers.CharField(help_text="One sentence saying where held funds really are.")
    currencies = serializers.ListField(child=serializers.CharField(min_length=3, max_length=3),
                                       help_text="ISO 4217 codes money can move in; empty: any (nothing moves "
                                                 "through the platform).")


class PaymentsProviderView(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="payments_provider", summary="Which rail moves money here", tags=["money"],
                   responses={200: ProviderSerializer})
    def get(self, request):
        provider = payments_provider()
        return Response(ProviderSerializer({"provider": provider.name, "held_funds_note": provider.held_funds_note,
                                            "currencies": list(provider.currencies())}).data)
