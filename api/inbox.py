"""The inbox: the in-app side of the outbox rows emailed to the token's user, in the token's
workspace (any token). `GET /inbox/`, `POST /inbox/{id}/read/`, `POST /inbox/read-all/`."""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import selectors, services
from notifications.inbox import notice

from .pagination import Pagination
from .permissions import IsWorkspaceMember, token_of
from .schema import errors


class NoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="notification.pk")
    kind = serializers.CharField(source="notification.kind")
    title = serializers.CharField(help_text="The email's subject, without the workspace prefix.")
    body = serializers.CharField(help_text="A short text of the email.")
    url = serializers.CharField(help_text="Where to act: an absolute link, or empty.")
    created_at = serializers.DateTimeField(source="notification.created_at")
    read_at = serializers.DateTimeField(source="notification.read_at", allow_null=True)


InboxSerializer = inline_serializer("Inbox", fields={
    "unread": serializers.IntegerField(help_text="Unread notices in all pages."),
    "count": serializers.IntegerField(),
    "next": serializers.URLField(allow_null=True),
    "previous": serializers.URLField(allow_null=True),
    "results": NoticeSerializer(many=True),
})
ReadAllSerializer = inline_serializer("InboxReadAll", fields={
    "marked": serializers.IntegerField(help_text="How many were unread."),
    "unread": serializers.IntegerField(),
})


def _notices(request):
    token = token_of(request)
    return selectors.inbox(user=token.user, workspace=token.workspace)


def _data(request, notification):
    shown = notice(notification)
    data = NoticeSerializer(shown).data
    if shown.url.startswith("/"):
        data["url"] = request.build_absolute_uri(shown.url)
    return data


class InboxView(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="inbox_list", summary="The token's user's notices",
                   description="The emails the token's user got in this workspace, newest first, as notices.",
                   responses={200: InboxSerializer, **errors(404)})
    def get(self, request):
        notices = _notices(request)
        paginator = Pagination()
        page = paginator.paginate_queryset(notices, request, view=self)
        response = paginator.get_paginated_response([_data(request, n) for n in page])
        response.data = {"unread": notices.filter(read_at__isnull=True).count(), **response.data}
        return response


class NoticeReadView(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="inbox_read", summary="Mark one notice read", request=None,
                   responses={200: NoticeSerializer, **errors(404)})
    def post(self, request, pk):
        notification = services.notice_read(notification=get_object_or_404(_notices(request), pk=pk))
        return Response(_data(request, notification))


class ReadAllView(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="inbox_read_all", summary="Mark every notice read", request=None,
                   responses={200: ReadAllSerializer, **errors(404)})
    def post(self, request):
        marked = services.notices_read_all(notices=_notices(request))
        return Response({"marked": marked, "unread": 0})


urlpatterns = [
    path("inbox/", InboxView.as_view(), name="inbox"),
    path("inbox/<int:pk>/read/", NoticeReadView.as_view(), name="inbox_read"),
    path("inbox/read-all/", ReadAllView.as_view(), name="inbox_read_all"),
]
