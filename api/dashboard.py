"""The dashboard (API.md "Dashboard…"): `GET /attention/`, `POST /attention/{key}/snooze/`,
`GET /money/`, `GET /agenda/?days=14` — the owner's home page over the same selectors
(payments.selectors.attention and .dashboard, engagements.selectors.agenda).

Owner and manager tokens see their workspace. A freelancer token gets the freelancer's own items
from the portal's selectors (api/portal_home.py); there is nothing for a freelancer to snooze."""

from functools import partial

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.attention import AttentionItem
from accounts.paging import ReadPages
from engagements.selectors.agenda import AGENDA_KINDS, MAX_DAYS, AgendaItem, owner_agenda_page
from engagements.services.attention import attention_snooze
from payments.selectors.attention import AttentionPages, owner_attention_item
from payments.selectors.dashboard import owner_money

from . import portal_home
from .fields import query_filters
from .pagination import Pagination
from .permissions import IsWorkspaceMember, is_freelancer, token_of
from .schema import errors

ATTENTION_KINDS = ("update_overdue", "silent", "milestone_overdue", "milestone_at_risk", "review_closing",
                   "dispute_open", "date_request", "brief_unacknowledged", "playbook_unacknowledged",
                   "checkin_today", "reference_answered", "invitation_expiring", "budget_alert", "agreement_unsigned",
                   "commission_disputed", "retainer_disputed", "retainer_hours_over", "payment_failed")
# What a freelancer token's items may be (the portal's front door).
ALL_KINDS = tuple(dict.fromkeys((*ATTENTION_KINDS, *portal_home.FREELANCER_KINDS)))


class AbsoluteUrlField(serializers.CharField):
    def to_representation(self, value):
        request = self.context.get("request")
        return request.build_absolute_uri(value) if request else value


class AttentionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Names the item for `POST /attention/{key}/snooze/`.")
    kind = serializers.ChoiceField(choices=ALL_KINDS, help_text="An owner's or a freelancer's kinds (API.md).")
    severity = serializers.ChoiceField(choices=("overdue", "today", "soon"),
                                       help_text="`overdue` (a deadline passed), `today`, `soon`.")
    title = serializers.CharField(help_text="One sentence: who, what, how late or how soon.")
    due_at = serializers.DateTimeField(allow_null=True)
    engagement = serializers.IntegerField(allow_null=True)
    freelancer = serializers.IntegerField(allow_null=True, required=False,
                                          help_text="Not given to a freelancer token (it is them).")
    milestone = serializers.IntegerField(allow_null=True)
    url = AbsoluteUrlField(help_text="The page where the token's user acts on it.")


class AttentionList(generics.ListAPIView):
    permission_classes = [IsWorkspaceMember]
    serializer_class = AttentionSerializer
    pagination_class = Pagination

    def get_queryset(self):
        token, number = token_of(self.request), self.request.query_params.get("page", "")
        return AttentionPages(token.workspace, user=token.user, now=timezone.now(),
                              page=int(number) if number.isdigit() else 1,
                              per_page=self.paginator.get_page_size(self.request), transform=AttentionItem.as_dict)

    @extend_schema(operation_id="attention_list", summary="What needs the token's user now",
                   description="Most urgent first (overdue, then today, then soon); items the user snoozed are "
                               "left out for 24 h.",
                   responses={200: AttentionSerializer(many=True), **errors(404)})
    def get(self, request, *args, **kwargs):
        if is_freelancer(request):
            return portal_home.freelancer_attention(request)
        return super().get(request, *args, **kwargs)


SnoozeSerializer = inline_serializer("AttentionSnoozed", fields={
    "key": serializers.CharField(), "snoozed_until": serializers.DateTimeField()})


class AttentionSnooze(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="attention_snooze", summary="Hide an item for this user for 24 h", request=None,
                   responses={200: SnoozeSerializer, **errors(404)})
    def post(self, request, key):
        if is_freelancer(request):
            raise NotFound()
        token, now = token_of(request), timezone.now()
        if owner_attention_item(token.workspace, user=token.user, now=now, key=key) is None:
            raise NotFound("No such item needs your attention.")
        snooze = attention_snooze(user=token.user, workspace=token.workspace, key=key, now=now)
        return Response({"key": key, "snoozed_until": snooze.until})


class CurrencyMoneySerializer(serializers.Serializer):
    currency = serializers.CharField()
    in_escrow = serializers.IntegerField(help_text="Minor units held for funded milestones.")
    payable = serializers.IntegerField(help_text="Owed to freelancers: released, not yet paid out.")
    released_this_month = serializers.IntegerField()
    paid_out_this_month = serializers.IntegerField()


class EngagementMoneySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    currency = serializers.CharField()
    budget = serializers.IntegerField()
    contingency = serializers.IntegerField()
    released = serializers.IntegerField(help_text="Everything that left held funds for the freelancer, with approved "
                                                  "hours and bonuses.")
    in_escrow = serializers.IntegerField()
    remaining = serializers.IntegerField(help_text="Budget not yet committed (never below 0).")
    alert = serializers.BooleanField(help_text="More than 80 % of the budget is committed.")


class MoneySerializer(serializers.Serializer):
    currencies = CurrencyMoneySerializer(many=True)
    engagements = EngagementMoneySerializer(many=True, help_text="Running (active or paused) engagements.")
    held_funds_note = serializers.CharField(help_text="Where held funds really are in this deployment.")


class Money(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="money", summary="The workspace's money at a glance (a freelancer: their own)",
                   responses={200: PolymorphicProxySerializer(
                       component_name="MoneyAtAGlance", resource_type_field_name=None,
                       serializers=[MoneySerializer, portal_home.FreelancerMoneySerializer]), **errors(404)})
    def get(self, request):
        if is_freelancer(request):
            return portal_home.freelancer_money(request)
        money = owner_money(token_of(request).workspace, now=timezone.now())
        return Response(MoneySerializer({**money, "engagements": [row.as_dict() for row in money["engagements"]]})
                        .data)


class AgendaSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=(*AGENDA_KINDS, "update_due"),
                                   help_text="`update_due` for a freelancer token only.")
    title = serializers.CharField()
    url = AbsoluteUrlField()
    engagement = serializers.IntegerField(allow_null=True)


class AgendaFilterSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=MAX_DAYS, default=14,
                                    help_text=f"How far ahead, 1–{MAX_DAYS} days.")


class AgendaList(generics.ListAPIView):
    permission_classes = [IsWorkspaceMember]
    serializer_class = AgendaSerializer
    pagination_class = Pagination

    def get_queryset(self):
        days = query_filters(AgendaFilterSerializer, self.request)["days"]
        number = self.request.query_params.get("page", "")
        read = partial(owner_agenda_page, token_of(self.request).workspace, now=timezone.now(), days=days)
        return ReadPages(read, page=int(number) if number.isdigit() else 1,
                         per_page=self.paginator.get_page_size(self.request), transform=AgendaItem.as_dict)

    @extend_schema(operation_id="agenda_list", summary="Deadlines, check-ins, interviews and review windows ahead",
                   parameters=[AgendaFilterSerializer],
                   responses={200: AgendaSerializer(many=True), **errors(400, 404)})
    def get(self, request, *args, **kwargs):
        if is_freelancer(request):
            return portal_home.freelancer_agenda(request)
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("attention/", AttentionList.as_view(), name="attention"),
    path("attention/<str:key>/snooze/", AttentionSnooze.as_view(), name="attention_snooze"),
    path("money/", Money.as_view(), name="money"),
    path("agenda/", AgendaList.as_view(), name="agenda"),
]
