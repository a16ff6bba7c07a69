"""References: add a referee, read their answers, email the questionnaire link."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from freelancers.services import reference as reference_actions

from ..permissions import IsWorkspaceStaff
from ..schema import errors
from .common import freelancer_or_404, reference_or_404
from .serializers import ReferenceCreateSerializer, ReferenceSerializer


class ReferenceList(generics.ListAPIView):
    # A generic list view so it is paginated like every list (API.md).
    permission_classes = [IsWorkspaceStaff]
    serializer_class = ReferenceSerializer

    def get_queryset(self):
        return freelancer_or_404(self.request, self.kwargs["pk"]).references.order_by("created_at", "id")

    @extend_schema(operation_id="freelancers_references_list", summary="A freelancer's referees",
                   responses={200: ReferenceSerializer(many=True), **errors(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="freelancers_references_create", summary="Add a referee (draft)",
                   description="Then `POST /references/{id}/request/` emails the questionnaire link.",
                   request=ReferenceCreateSerializer, responses={201: ReferenceSerializer, **errors(400, 404)})
    def post(self, request, pk):
        freelancer = freelancer_or_404(request, pk)
        payload = ReferenceCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        reference = reference_actions.reference_create(freelancer=freelancer, **payload.validated_data)
        return Response(ReferenceSerializer(reference).data, status=status.HTTP_201_CREATED)


class ReferenceDetail(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="references_retrieve", summary="A reference, with its answers once received",
                   responses={200: ReferenceSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(ReferenceSerializer(reference_or_404(request, pk)).data)


class ReferenceRequestView(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="references_request", summary="Email the referee the questionnaire link",
                   description="draft, requested (sends a new link; the old one stops working) or expired → "
                               "requested. Single-use link, 14 days, at most two reminders. Received or "
                               "declined: 409.",
                   request=None, responses={200: ReferenceSerializer, **errors(404, 409)})
    def post(self, request, pk):
        reference = reference_actions.reference_request(reference=reference_or_404(request, pk), actor=request.user)
        return Response(ReferenceSerializer(reference).data)
