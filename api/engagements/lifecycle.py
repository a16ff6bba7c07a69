"""Engagements themselves: list (with filters), create, change the terms, and the lifecycle
actions (offer, withdraw, pause, resume, complete, cancel)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from engagements.selectors import engagement_list
from engagements.services import lifecycle as services
from freelancers.models import Freelancer

from ..fields import query_filters
from ..permissions import IsWorkspaceMember, IsWorkspaceStaff, scoped
from ..schema import errors
from .access import _engagement, _staff_only, _token
from .serializers import (
    EngagementFilterSerializer,
    EngagementPatchSerializer,
    EngagementSerializer,
    EngagementWriteSerializer,
    ReasonSerializer,
)


def _freelancers(request, ids):
    workspace_id = _token(request).workspace_id
    found = {f.pk: f for f in Freelancer.objects.filter(workspace_id=workspace_id, pk__in=ids)}
    if set(ids) - set(found):
        raise serializers.ValidationError({"backups": ["Choose freelancers of this workspace."]})
    return [found[i] for i in ids]


def _freelancer_field(request, pk):
    freelancer = Freelancer.objects.filter(workspace_id=_token(request).workspace_id, pk=pk).first()
    if freelancer is None:
        raise serializers.ValidationError({"freelancer": ["Choose a freelancer from this workspace."]})
    return freelancer


class EngagementList(generics.ListAPIView):
    permission_classes = [IsWorkspaceMember]
    serializer_class = EngagementSerializer

    def get_queryset(self):
        wanted = query_filters(EngagementFilterSerializer, self.request)
        rows = engagement_list(_token(self.request).workspace, status=wanted.get("status"),
                               freelancer_id=wanted.get("freelancer"), at_risk=wanted.get("at_risk", False),
                               reader=self.request.user)
        return scoped(self.request, rows.prefetch_related("backups"), freelancer_path="freelancer")

    @extend_schema(operation_id="engagements_list", summary="Engagements (a freelancer token: their own)",
                   parameters=[EngagementFilterSerializer],
                   responses={200: EngagementSerializer(many=True), **errors(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="engagements_create", summary="Create an engagement (a draft)",
                   request=EngagementWriteSerializer, responses={201: EngagementSerializer, **errors(400, 404)})
    def post(self, request):
        _staff_only(request)
        payload = EngagementWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        freelancer = _freelancer_field(request, data.pop("freelancer"))
        backups = _freelancers(request, data.pop("backups", []))
        engagement = services.engagement_create(workspace=_token(request).workspace, created_by=request.user,
                                                freelancer=freelancer, backups=backups, **data)
        return Response(EngagementSerializer(engagement, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class EngagementDetail(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="engagements_retrieve", summary="An engagement",
                   responses={200: EngagementSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(EngagementSerializer(_engagement(request, pk), context={"request": request}).data)

    @extend_schema(operation_id="engagements_partial_update",
                   summary="Change the terms (a cadence change recomputes the deadlines)",
                   description="The freelancer can change only while a draft, the currency only while no "
                               "milestone exists; a finished engagement cannot change (409).",
                   request=EngagementPatchSerializer, responses={200: EngagementSerializer, **errors(400, 404, 409)})
    def patch(self, request, pk):
        _staff_only(request)
        engagement = _engagement(request, pk)
        payload = EngagementPatchSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        freelancer = _freelancer_field(request, data.pop("freelancer")) if "freelancer" in data else None
        backups = _freelancers(request, data.pop("backups")) if "backups" in data else None
        services.engagement_update(engagement=engagement, actor=request.user, freelancer=freelancer,
                                   backups=backups, **data)
        return Response(EngagementSerializer(_engagement(request, pk), context={"request": request}).data)


LIFECYCLE = {
    "offer": ("Offer: email the current brief to the freelancer to acknowledge",
              "draft → offered. Needs a brief (and, for fixed-price work, a milestone): else 409. The "
              "engagement becomes active when the freelancer acknowledges the current brief version."),
    "withdraw": ("Withdraw the offer", "offered → draft."),
    "pause": ("Pause: no update or check-in deadlines run", "active → paused."),
    "resume": ("Resume: the update cadence restarts now", "paused → active."),
    "complete": ("Complete: every access grant is revoked",
                 "active → completed. Refused (409) while a milestone holds money (funded, submitted, changes "
                 "requested, disputed). The owner gets a rotate-this-secret item for each revoked grant."),
    "cancel": ("Cancel: every access grant is revoked",
               "draft | offered | active | paused → cancelled. Refused (409) while a milestone holds money."),
}


def _lifecycle_view(action):
    summary, description = LIFECYCLE[action]

    class LifecycleView(APIView):
        permission_classes = [IsWorkspaceStaff]

        @extend_schema(operation_id=f"engagements_{action}", summary=summary, description=description,
                       request=ReasonSerializer, responses={200: EngagementSerializer, **errors(400, 404, 409)})
        def post(self, request, pk):
            engagement = _engagement(request, pk)
            payload = ReasonSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            reason = payload.validated_data.get("reason", "")
            if action in ("offer", "withdraw", "resume"):
                getattr(services, f"engagement_{action}")(engagement=engagement, actor=request.user)
            else:
                getattr(services, f"engagement_{action}")(engagement=engagement, actor=request.user, reason=reason)
            return Response(EngagementSerializer(_engagement(request, pk), context={"request": request}).data)

    LifecycleView.__name__ = f"Engagement{action.capitalize()}View"
    return LifecycleView.as_view()
