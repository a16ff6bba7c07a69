"""The token's user's private calendar feed (any token): `GET /calendar/` gives its URL (made
on first use), `POST /calendar/rotate/` a new one, ending the old. An owner or manager token
reads the workspace's feed, a freelancer token the freelancer's own."""

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.calendar_pages import feed_url
from accounts.models import CalendarAudience

from .models import TokenRole
from .permissions import IsWorkspaceMember, token_of
from .schema import errors

CalendarSerializer = inline_serializer("CalendarFeed", fields={
    "url": serializers.URLField(help_text="The private .ics feed: anyone with it can read the dates."),
})


def _who(request):
    token = token_of(request)
    audience = CalendarAudience.FREELANCER if token.role == TokenRole.FREELANCER else CalendarAudience.OWNER
    return {"user": token.user, "workspace": token.workspace, "audience": audience}


class CalendarView(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="calendar_retrieve", summary="The private calendar feed's URL",
                   responses={200: CalendarSerializer, **errors(404)})
    def get(self, request):
        _, token = services.calendar_feed_issue(**_who(request))
        return Response({"url": feed_url(request, token)})


class CalendarRotateView(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="calendar_rotate", summary="A new feed URL; the old one answers 404",
                   request=None, responses={200: CalendarSerializer, **errors(404)})
    def post(self, request):
        _, token = services.calendar_feed_rotate(**_who(request))
        return Response({"url": feed_url(request, token)})


urlpatterns = [
    path("calendar/", CalendarView.as_view(), name="calendar"),
    path("calendar/rotate/", CalendarRotateView.as_view(), name="calendar_rotate"),
]
