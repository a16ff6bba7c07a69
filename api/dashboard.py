"""The dashboard's `GET /attention/`, `/money/` and `/agenda/` (API.md).

Minimal routing until the owner's dashboard lands: a freelancer token is answered by
`api/portal_home.py`; an owner or manager token gets 404 here for now (the owner's side is the
dashboard issue's, and replaces this module keeping the one-line freelancer branches).
"""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView

from . import portal_home
from .models import TokenRole
from .pagination import Pagination
from .permissions import IsWorkspaceMember, token_of
from .schema import errors


def _freelancer_only(request):
    if token_of(request).role != TokenRole.FREELANCER:
        raise NotFound()


class Attention(APIView):
    permission_classes = [IsWorkspaceMember]
    pagination_class = Pagination

    @extend_schema(operation_id="attention_list", summary="What needs the token's user now, most urgent first",
                   responses={200: portal_home.FreelancerAttentionSerializer(many=True), **errors(404)})
    def get(self, request):
        _freelancer_only(request)
        return portal_home.freelancer_attention(request)


class Money(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="money_retrieve", summary="Money per currency and per engagement",
                   responses={200: portal_home.FreelancerMoneySerializer, **errors(404)})
    def get(self, request):
        _freelancer_only(request)
        return portal_home.freelancer_money(request)


class Agenda(APIView):
    permission_classes = [IsWorkspaceMember]
    pagination_class = Pagination

    @extend_schema(operation_id="agenda_list", summary="Deadlines, check-ins and review-window ends ahead",
                   parameters=[OpenApiParameter("days", int, description="How many days ahead (1–90, default 14).")],
                   responses={200: portal_home.FreelancerAgendaSerializer(many=True), **errors(400, 404)})
    def get(self, request):
        _freelancer_only(request)
        return portal_home.freelancer_agenda(request)


urlpatterns = [
    path("attention/", Attention.as_view(), name="attention"),
    path("money/", Money.as_view(), name="money"),
    path("agenda/", Agenda.as_view(), name="agenda"),
]
