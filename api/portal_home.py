"""The freelancer's front door over the API (API.md, the paragraph after the Dashboard table):
with a freelancer token `GET /attention/`, `GET /money/` and `GET /agenda/` answer what the
portal home shows — the same selectors (`portal.attention`, `payments.selectors.freelancer_money`).
`api/dashboard.py` routes freelancer tokens here."""

from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from freelancers.models import Freelancer
from payments import selectors as money
from portal import attention

from .pagination import Pagination
from .permissions import token_of

FREELANCER_KINDS = ["update_due", "update_overdue", "brief_unacknowledged", "playbook_unacknowledged",
                    "changes_requested", "milestone_due", "milestone_overdue", "dispute_open", "message_unread",
                    "date_request_answered", "payout_setup", "agreement_unsigned", "commission_reported"]


class FreelancerAttentionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stable name of the item, `<kind>:<id>`.")
    kind = serializers.ChoiceField(choices=FREELANCER_KINDS)
    severity = serializers.ChoiceField(choices=["overdue", "today", "soon"])
    title = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    engagement = serializers.IntegerField()
    milestone = serializers.IntegerField(allow_null=True)
    url = serializers.CharField(help_text="The portal page that handles it.")


class FreelancerCurrencyMoneySerializer(serializers.Serializer):
    currency = serializers.CharField()
    held = serializers.IntegerField(help_text="Held funds for milestones funded and not yet handed in.")
    in_review = serializers.IntegerField(help_text="Held funds for submitted work awaiting the owner.")
    disputed = serializers.IntegerField(help_text="Held funds frozen by an open dispute.")
    payable = serializers.IntegerField(help_text="Released (or approved hours, bonuses), not yet paid out.")
    paid_out_this_month = serializers.IntegerField(help_text="Paid out since the 1st, in the freelancer's zone.")
    paid_out_total = serializers.IntegerField()


class FreelancerEngagementMoneySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    currency = serializers.CharField()
    held = serializers.IntegerField()
    in_review = serializers.IntegerField()
    payable = serializers.IntegerField()
    paid_out = serializers.IntegerField()


class FreelancerMoneySerializer(serializers.Serializer):
    currencies = FreelancerCurrencyMoneySerializer(many=True)
    engagements = FreelancerEngagementMoneySerializer(many=True)


class FreelancerAgendaSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=["milestone_due", "checkin", "update_due", "review_closes"])
    title = serializers.CharField()
    url = serializers.CharField()
    engagement = serializers.IntegerField()


class AgendaQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(required=False, min_value=1, max_value=90, default=attention.AGENDA_DAYS)


def _freelancer(request):
    token = token_of(request)
    freelancer = Freelancer.objects.filter(pk=token.freelancer_id, workspace_id=token.workspace_id).first()
    if freelancer is None:
        raise NotFound()
    return freelancer


def _page(request, rows, serializer):
    """A list answers as every list does (API.md): `{count, next, previous, results}`."""
    paginator = Pagination()
    page = paginator.paginate_queryset(rows, request)
    return paginator.get_paginated_response(serializer([row.as_dict() for row in page], many=True).data)


def freelancer_attention(request):
    return _page(request, attention.freelancer_attention(_freelancer(request)), FreelancerAttentionSerializer)


def freelancer_money(request):
    figures = money.freelancer_money(_freelancer(request))
    return Response(FreelancerMoneySerializer(figures.as_dict()).data)


def freelancer_agenda(request):
    query = AgendaQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    entries = attention.freelancer_agenda(_freelancer(request), days=query.validated_data["days"])
    return _page(request, entries, FreelancerAgendaSerializer)
