"""Conversations (API.md): an engagement's thread (messages and the system lines of its
timeline), writing, editing and retracting a message, read marks, and files: uploaded first
(`POST /attachments/`), named in a message, downloaded only by those who may read the thread.

The same actions as the owner pages and the portal (engagements.services.conversation): an owner
or manager token writes as the owner's side, a freelancer token as the freelancer, and anyone
else gets 404.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from engagements.models import Attachment, Message
from engagements.selectors import conversation as threads
from engagements.services import attachment as files
from engagements.services import conversation
from engagements.services.transitions import NotAllowed
from freelancers.uploads import ALLOWED, attachment_response

from ..fields import query_filters
from ..pagination import Pagination
from ..permissions import IsWorkspaceMember, scoped
from ..schema import errors
from .access import MAX_ID, _engagement, _is_freelancer, _token

MAX_BODY = conversation.MAX_BODY
# A file is served as the type its content was recognised as when it was uploaded.
DOWNLOAD_TYPES = [*ALLOWED, "application/octet-stream"]


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "content_type"]
        read_only_fields = fields


class ThreadItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="The message's id; null for a system line.")
    system = serializers.BooleanField(help_text="A line of the engagement's timeline, not a message.")
    kind = serializers.CharField(help_text="`message`, or the timeline kind of a system line.")
    author = serializers.CharField(allow_null=True)
    from_freelancer = serializers.BooleanField()
    body = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    retracted = serializers.BooleanField()
    via = serializers.CharField(allow_null=True)
    attachments = AttachmentSerializer(many=True)
    url = serializers.CharField(allow_blank=True, help_text="For a system line: the page of what it names.")


def _message(m):
    retracted = m.retracted_at is not None
    return {"id": m.pk, "system": False, "kind": "message", "author": m.author_name,
            "from_freelancer": m.from_freelancer, "body": m.body, "created_at": m.created_at,
            "edited_at": m.edited_at, "retracted": retracted, "via": m.via,
            "attachments": [] if retracted else AttachmentSerializer(m.attachments.all(), many=True).data, "url": ""}


def _item(item):
    if item.message is not None:
        return _message(item.message)
    a = item.activity
    return {"id": None, "system": True, "kind": a.kind, "author": a.actor_name, "from_freelancer": bool(
        a.actor_freelancer_id), "body": a.summary, "created_at": a.created_at, "edited_at": None, "retracted": False,
        "via": None, "attachments": [], "url": item.url}


class MessageWriteSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, required=False, default="", max_length=MAX_BODY,
                                 trim_whitespace=False, help_text="Markdown. Empty only when attachments are given.")
    attachments = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                        default=list, max_length=conversation.MAX_FILES,
                                        help_text="Ids from POST /attachments/ (your own, not used yet).")


class MessageEditSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, max_length=MAX_BODY, trim_whitespace=False)


class ReadMarkSerializer(serializers.Serializer):
    unread_messages = serializers.IntegerField()
    read_through = serializers.IntegerField(help_text="The id of the last message marked read (0 for none).")


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)


def _side(request):
    return threads.FREELANCER if _is_freelancer(request) else threads.OWNER


class MessageAfterSerializer(serializers.Serializer):
    after = serializers.IntegerField(required=False, min_value=0, max_value=MAX_ID,
                                     help_text="A message id: only what came after it.")


class MessageList(APIView):
    permission_classes = [IsWorkspaceMember]
    pagination_class = Pagination  # so the schema shows the page envelope the list answers with

    @extend_schema(operation_id="engagements_messages_list", summary="The conversation, oldest first",
                   description="Messages and the system lines of the timeline (questions, updates, submissions, "
                               "change requests, money, the lifecycle; `system` true, `id` null), oldest first. "
                               "`?after=<message id>` gives only what came after that message.",
                   parameters=[MessageAfterSerializer],
                   responses={200: ThreadItemSerializer(many=True), **errors(400, 404)})
    def get(self, request, pk):
        engagement = _engagement(request, pk)
        after = query_filters(MessageAfterSerializer, request).get("after")
        items = threads.thread(engagement, side=_side(request), after_id=after)
        paginator = Pagination()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response([_item(i) for i in page])

    @extend_schema(operation_id="engagements_messages_create", summary="Write a message",
                   description="An empty message (no body, no attachments) is 400; an ended engagement's "
                               "conversation is closed (409).",
                   request=MessageWriteSerializer, responses={201: ThreadItemSerializer, **errors(400, 404, 409)})
    def post(self, request, pk):
        engagement = _engagement(request, pk)
        payload = MessageWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            message = conversation.message_post(
                engagement=engagement, author=request.user, body=payload.validated_data["body"],
                attachment_ids=payload.validated_data["attachments"], as_freelancer=_is_freelancer(request),
                via="api")
        except NotAllowed:
            raise NotFound() from None
        return Response(_message(Message.objects.prefetch_related("attachments").get(pk=message.pk)),
                        status=status.HTTP_201_CREATED)


class MessagesRead(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="engagements_messages_read", summary="Mark the conversation read",
                   request=None, responses={200: ReadMarkSerializer, **errors(404)})
    def post(self, request, pk):
        engagement = _engagement(request, pk)
        through = conversation.thread_mark_read(engagement=engagement, user=request.user)
        return Response({"unread_messages": threads.unread_count(engagement, request.user), "read_through": through})


def _scoped_message(request, pk):
    if pk > MAX_ID:
        raise NotFound()
    message = scoped(request, Message.objects.prefetch_related("attachments"), workspace_path="engagement__workspace",
                     freelancer_path="engagement__freelancer").filter(pk=pk).first()
    if message is None or (_is_freelancer(request) and message.engagement.offered_at is None):
        raise NotFound()
    return message


class MessageDetail(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="messages_retrieve", summary="A message",
                   responses={200: ThreadItemSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(_message(_scoped_message(request, pk)))

    @extend_schema(operation_id="messages_partial_update", summary="Edit your message (within 10 minutes)",
                   description="Only its author, within 10 minutes of sending it (else 409); it shows `edited_at`.",
                   request=MessageEditSerializer, responses={200: ThreadItemSerializer, **errors(400, 404, 409)})
    def patch(self, request, pk):
        message = _scoped_message(request, pk)
        payload = MessageEditSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            conversation.message_edit(message_id=message.pk, author=request.user, body=payload.validated_data["body"])
        except NotAllowed:
            raise NotFound() from None
        return Response(_message(_scoped_message(request, pk)))


class MessageRetract(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="messages_retract", summary="Retract your message (within 10 minutes)",
                   description="Its text and files are no longer shown; a line says it was retracted.",
                   request=None, responses={200: ThreadItemSerializer, **errors(404, 409)})
    def post(self, request, pk):
        message = _scoped_message(request, pk)
        try:
            conversation.message_retract(message_id=message.pk, author=request.user)
        except NotAllowed:
            raise NotFound() from None
        return Response(_message(_scoped_message(request, pk)))


class AttachmentUpload(APIView):
    permission_classes = [IsWorkspaceMember]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(operation_id="attachments_create", summary="Upload a file (then name it in a message)",
                   description="Checked by its content: over the size limit, of a type not accepted, or named "
                               "like another type than it is: 400 naming the limit or the type.",
                   request={"multipart/form-data": UploadSerializer},
                   responses={201: AttachmentSerializer, **errors(400)})
    def post(self, request):
        payload = UploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        attachment = files.attachment_upload(workspace=_token(request).workspace, uploaded_by=request.user,
                                             upload=payload.validated_data["file"])
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentDownload(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="attachments_retrieve", summary="Download a file",
                   description="As an attachment (`Content-Disposition: attachment`, `X-Content-Type-Options: "
                               "nosniff`), only to those who may read its message or submission, or to its "
                               "uploader before it is used.",
                   responses={**{(200, ctype): OpenApiTypes.BINARY for ctype in DOWNLOAD_TYPES}, **errors(404)})
    def get(self, request, pk):
        if pk > MAX_ID:
            raise NotFound()
        token = _token(request)
        attachment = scoped(request, Attachment.objects.filter(pk=pk), workspace_path="engagement__workspace",
                            freelancer_path="engagement__freelancer").first()
        if attachment is not None and not threads.visible_attachments(attachment.engagement).filter(pk=pk).exists():
            attachment = None
        if attachment is not None and _is_freelancer(request) and attachment.engagement.offered_at is None:
            attachment = None
        if attachment is None:
            attachment = threads.own_unused_attachments(request.user, token.workspace_id).filter(pk=pk).first()
        if attachment is None:
            raise NotFound()
        return attachment_response(attachment.file, filename=attachment.name, content_type=attachment.content_type)
