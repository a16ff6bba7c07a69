"""Payouts through the payment provider (API.md "Money that moves"), Stripe only:

- `POST /freelancers/{id}/payout-account/` (owner): turn payouts on for a freelancer, creating
  their connected account once; answers its status (the onboarding link is the freelancer's).
- `GET /me/payout-account/` (freelancer token): the freelancer's own status and, until it is
  ready, a fresh one-time link to Stripe's onboarding (404 while payouts are not turned on).
Off the platform both are 409: there is nothing to set up.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from freelancers.models import Freelancer
from payments import services
from payments.errors import ProviderNotEnabled
from payments.models import PayoutAccount, PayoutAccountStatus
from payments.providers import payments_provider

from ..permissions import IsFreelancer, IsWorkspaceStaff, get_scoped_or_404, token_of
from ..schema import errors
from .access import MAX_ID


class PayoutAccountSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PayoutAccountStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    payouts_enabled = serializers.BooleanField()
    requirements_due = serializers.CharField(help_text="What Stripe still asks for, as Stripe names it.")
    onboarding_url = serializers.URLField(allow_null=True, help_text="The freelancer's one-time link to Stripe's "
                                          "onboarding (only in the freelancer's own answer, until ready).")


def _answer(account, onboarding_url=None):
    return PayoutAccountSerializer({
        "status": account.status, "get_status_display": account.get_status_display(),
        "payouts_enabled": account.payouts_enabled, "requirements_due": account.requirements_due,
        "onboarding_url": onboarding_url,
    }).data


class FreelancerPayoutAccountView(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="freelancers_payout_account_enable", summary="Turn on payouts through Stripe",
                   description="Owner only. Creates the freelancer's Stripe Express account (once; later calls "
                               "answer it as it is) and emails the freelancer to set it up. 409 off the platform.",
                   request=None, responses={200: PayoutAccountSerializer, **errors(404, 409, 502)})
    def post(self, request, pk):
        if pk > MAX_ID:
            raise NotFound()
        freelancer = get_scoped_or_404(request, Freelancer.objects.select_related("workspace", "user"), pk=pk)
        account = services.payout_account_enable(freelancer=freelancer, actor=request.user)
        return Response(_answer(account))


class MyPayoutAccountView(APIView):
    permission_classes = [IsFreelancer]

    @extend_schema(operation_id="me_payout_account", summary="My payouts: status and onboarding link",
                   description="A freelancer token. 404 until the owner turns payouts on; 409 off the platform.",
                   responses={200: PayoutAccountSerializer, **errors(404, 409, 502)})
    def get(self, request):
        if not payments_provider().moves_money:
            raise ProviderNotEnabled("Payouts are recorded by hand in this deployment; there is nothing to set up.")
        account = PayoutAccount.objects.filter(freelancer_id=token_of(request).freelancer_id).first()
        if account is None:
            raise NotFound("Payouts are not turned on for you yet; ask the workspace owner.")
        link = None if account.status == PayoutAccountStatus.READY else services.payout_account_link(account=account)
        return Response(_answer(account, link))
