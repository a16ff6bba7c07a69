"""`GET /reconciliation/` (API.md "Money that moves"): the workspace's last nightly
reconciliation with the payment provider, for owner and manager tokens."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from payments import selectors

from ..permissions import IsWorkspaceStaff, token_of


class UnexplainedSerializer(serializers.Serializer):
    provider_id = serializers.CharField()
    amount = serializers.IntegerField(help_text="Minor units.")
    reason = serializers.CharField()


class ReconciliationSerializer(serializers.Serializer):
    ran_at = serializers.DateTimeField(allow_null=True, help_text="null before the first run (or off the platform).")
    matched = serializers.IntegerField()
    unexplained = UnexplainedSerializer(many=True)


class ReconciliationView(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="reconciliation", summary="The last reconciliation with the payment provider",
                   responses={200: ReconciliationSerializer})
    def get(self, request):
        run = selectors.latest_reconciliation(token_of(request).workspace_id)
        body = {"ran_at": None, "matched": 0, "unexplained": []}
        if run is not None:
            body = {"ran_at": run.ran_at, "matched": run.matched, "unexplained": list(run.exceptions.all())}
        return Response(ReconciliationSerializer(body).data)
