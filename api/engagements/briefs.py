"""Briefs: the versions (a freelancer token sees only those sent to it), writing one or a change
order, acknowledging the current version, and the questions and answers."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from engagements.models import BriefQuestion
from engagements.services import brief as briefs
from engagements.services import lifecycle

from ..pagination import Pagination
from ..permissions import IsFreelancer, IsWorkspaceMember, IsWorkspaceStaff, scoped
from ..schema import errors
from .access import MAX_ID, _acting_freelancer, _brief, _engagement, _is_freelancer, _staff_only, _visible_briefs
from .serializers import (
    AnswerSerializer,
    BriefSerializer,
    BriefWriteSerializer,
    QuestionAskSerializer,
    QuestionSerializer,
)


def _page(request, view, queryset, serializer):
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


class BriefList(APIView):
    permission_classes = [IsWorkspaceMember]
    pagination_class = Pagination

    @extend_schema(operation_id="engagements_briefs_list", summary="The brief's versions, newest first",
                   description="A freelancer token sees only the versions sent to them.",
                   responses={200: BriefSerializer(many=True), **errors(404)})
    def get(self, request, pk):
        engagement = _engagement(request, pk)
        return _page(request, self, _visible_briefs(request, engagement.briefs.all()), BriefSerializer)

    @extend_schema(
        operation_id="engagements_briefs_create", summary="Write the brief (or a change order)",
        description="Until the brief is sent the current version is edited in place (200); after, a change "
                    "makes a new version (201), sent at once when the engagement is under way, which needs a "
                    "new acknowledgement and a `change_summary`. Unchanged text changes nothing (200).",
        request=BriefWriteSerializer, responses={200: BriefSerializer, 201: BriefSerializer, **errors(400, 404, 409)},
    )
    def post(self, request, pk):
        _staff_only(request)
        engagement = _engagement(request, pk)
        payload = BriefWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        brief, created = briefs.brief_save(engagement=engagement, actor=request.user,
                                           change_summary=data.pop("change_summary", ""), **data)
        return Response(BriefSerializer(brief).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class BriefDetail(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="briefs_retrieve", summary="One version of a brief",
                   responses={200: BriefSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(BriefSerializer(_brief(request, pk)).data)


class BriefAcknowledge(APIView):
    permission_classes = [IsFreelancer]

    @extend_schema(operation_id="briefs_acknowledge", summary="Acknowledge the current brief (freelancer)",
                   description="Offered → active on the first acknowledgement. Acknowledging a version that is "
                               "no longer current is 409; twice is harmless.",
                   request=None, responses={200: BriefSerializer, **errors(404, 409)})
    def post(self, request, pk):
        brief = _brief(request, pk)
        return Response(BriefSerializer(lifecycle.brief_acknowledge(brief_id=brief.pk,
                                                                    freelancer=_acting_freelancer(request))).data)


class QuestionList(APIView):
    permission_classes = [IsWorkspaceMember]
    pagination_class = Pagination

    @extend_schema(operation_id="briefs_questions_list", summary="Questions and answers on an engagement's brief",
                   responses={200: QuestionSerializer(many=True), **errors(404)})
    def get(self, request, pk):
        brief = _brief(request, pk)
        qs = BriefQuestion.objects.filter(engagement_id=brief.engagement_id).select_related("brief")
        return _page(request, self, qs, QuestionSerializer)

    @extend_schema(operation_id="briefs_questions_create", summary="Ask about the brief (freelancer)",
                   request=QuestionAskSerializer, responses={201: QuestionSerializer, **errors(400, 404, 409)})
    def post(self, request, pk):
        if not _is_freelancer(request):
            raise NotFound()
        brief = _brief(request, pk)
        payload = QuestionAskSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = briefs.brief_question_ask(brief_id=brief.pk, freelancer=_acting_freelancer(request),
                                             body=payload.validated_data["body"])
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionAnswer(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="questions_answer", summary="Answer a question about the brief",
                   request=AnswerSerializer, responses={200: QuestionSerializer, **errors(400, 404)})
    def post(self, request, pk):
        if pk > MAX_ID:
            raise NotFound()
        question = scoped(request, BriefQuestion.objects.select_related("engagement__freelancer", "brief"),
                          workspace_path="engagement__workspace").filter(pk=pk).first()
        if question is None:
            raise NotFound()
        payload = AnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = briefs.brief_question_answer(question=question, actor=request.user,
                                                answer=payload.validated_data["answer"])
        return Response(QuestionSerializer(question).data)
