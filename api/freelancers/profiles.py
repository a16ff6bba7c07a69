"""Profiles: the talent pool (list with filters, add) and one freelancer (read, change, move, do-not-hire)."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from freelancers.money import to_major
from freelancers.selectors import Filters, freelancer_search
from freelancers.services import freelancer as services

from ..fields import query_filters
from ..permissions import IsWorkspaceStaff, scoped
from ..schema import errors
from .common import freelancer_or_404, workspace_of
from .serializers import (
    FreelancerFilterSerializer,
    FreelancerPatchSerializer,
    FreelancerSerializer,
    FreelancerWriteSerializer,
)


class FreelancerList(generics.ListAPIView):
    permission_classes = [IsWorkspaceStaff]
    serializer_class = FreelancerSerializer

    def get_queryset(self):
        wanted = dict(query_filters(FreelancerFilterSerializer, self.request))
        workspace = workspace_of(self.request)
        for bound in ("rate_min", "rate_max"):
            if bound in wanted:
                wanted[bound] = to_major(wanted[bound], workspace.currency)
        return scoped(self.request, freelancer_search(workspace, Filters(**wanted)))

    @extend_schema(operation_id="freelancers_list", summary="The talent pool",
                   parameters=[FreelancerFilterSerializer],
                   responses={200: FreelancerSerializer(many=True), **errors(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="freelancers_create", summary="Add a freelancer (as a prospect)",
                   request=FreelancerWriteSerializer, responses={201: FreelancerSerializer, **errors(400, 404)})
    def post(self, request):
        payload = FreelancerWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if "timezone" in data:
            data["timezone_name"] = data.pop("timezone")
        freelancer = services.freelancer_create(workspace=workspace_of(request), actor=request.user, **data)
        return Response(FreelancerSerializer(freelancer).data, status=status.HTTP_201_CREATED)


class FreelancerDetail(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="freelancers_retrieve", summary="A freelancer's profile",
                   responses={200: FreelancerSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(FreelancerSerializer(freelancer_or_404(request, pk)).data)

    @extend_schema(operation_id="freelancers_partial_update", summary="Change a profile, move it, mark do not hire",
                   request=FreelancerPatchSerializer, responses={200: FreelancerSerializer, **errors(400, 404, 409)})
    @transaction.atomic
    def patch(self, request, pk):
        freelancer = freelancer_or_404(request, pk)
        payload = FreelancerPatchSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        move_to = data.pop("status", None)
        do_not_hire = data.pop("do_not_hire", None)
        reason = data.pop("do_not_hire_reason", "")
        if data:
            services.freelancer_update(freelancer=freelancer, actor=request.user, **data)
        if move_to is not None and move_to != freelancer.status:
            services.freelancer_move(freelancer=freelancer, to_status=move_to, actor=request.user)
        if do_not_hire is True and not freelancer.do_not_hire:
            services.freelancer_mark_do_not_hire(freelancer=freelancer, actor=request.user, reason=reason)
        elif do_not_hire is False and freelancer.do_not_hire:
            services.freelancer_clear_do_not_hire(freelancer=freelancer, actor=request.user, reason=reason)
        freelancer.refresh_from_db()
        return Response(FreelancerSerializer(freelancer).data)
