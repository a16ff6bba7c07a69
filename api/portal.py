"""Freelancer portal invitations (API.md): `POST /invitations/` emails a freelancer a portal
invitation, `GET /invitations/` lists them with their status, `GET /invitations/{id}/` reads
one and `POST /invitations/{id}/revoke/` withdraws a pending one. Owner and manager tokens only
(a freelancer token gets 404). The views call the portal's actions, the same ones as the
freelancer's profile page: issuing revokes a pending invitation (the old link dies), a
freelancer who already has a portal login is a 409.

Accepting an invitation is not an API operation: it is the emailed link.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Invitation, InvitationRole, InvitationStatus
from engagements.models import Engagement
from freelancers.models import Freelancer
from portal import selectors
from portal.services import invitation as invitations

from .exceptions import Conflict
from .fields import query_filters
from .permissions import IsWorkspaceStaff, get_scoped_or_404, scoped, token_of
from .schema import errors

MAX_ID = 2**63 - 1


class InvitationSerializer(serializers.ModelSerializer):
    freelancer = serializers.IntegerField(source="target_id", help_text="The freelancer invited.")
    status = serializers.ChoiceField(
        source="effective_status", choices=InvitationStatus.choices,
        help_text="`pending` (the link works), `accepted`, `expired` (not used in time) or `revoked` (withdrawn, "
                  "or replaced by a newer invitation).",
    )
    invited_by = serializers.SerializerMethodField(help_text="Who sent it; null when the freelancer asked for a "
                                                             "new link themselves.")

    class Meta:
        model = Invitation
        fields = ["id", "freelancer", "email", "status", "invited_by", "created_at", "expires_at", "accepted_at",
                  "revoked_at"]
        read_only_fields = fields

    def get_invited_by(self, invitation) -> str | None:
        return invitation.invited_by.email if invitation.invited_by else None


class InvitationCreateSerializer(serializers.Serializer):
    freelancer = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A freelancer of the workspace.")
    engagement = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False,
        help_text="Optional: the freelancer's engagement the invitation is about (noted on its timeline).",
    )


class InvitationFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=InvitationStatus.choices, required=False)
    freelancer = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


def _invitations(request):
    return scoped(request, Invitation.objects.filter(role=InvitationRole.FREELANCER)).select_related("invited_by")


class InvitationList(generics.ListAPIView):
    permission_classes = [IsWorkspaceStaff]
    serializer_class = InvitationSerializer

    def get_queryset(self):
        wanted = query_filters(InvitationFilterSerializer, self.request)
        qs = _invitations(self.request)
        if "status" in wanted:
            qs = selectors.filter_by_status(qs, wanted["status"])
        if "freelancer" in wanted:
            qs = qs.filter(target_id=wanted["freelancer"])
        return qs.order_by("-created_at", "-id")

    @extend_schema(operation_id="invitations_list", summary="Portal invitations, newest first",
                   parameters=[InvitationFilterSerializer],
                   responses={200: InvitationSerializer(many=True), **errors(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="invitations_create", summary="Email a freelancer a portal invitation",
        description="Issues a single-use link (valid for the invitation period) to the freelancer's email and "
                    "revokes any pending one, so sending again is how to resend. 409 when the freelancer already "
                    "has a portal login.",
        request=InvitationCreateSerializer, responses={201: InvitationSerializer, **errors(400, 404, 409)},
    )
    def post(self, request):
        payload = InvitationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        workspace_id = token_of(request).workspace_id
        freelancer = Freelancer.objects.filter(workspace_id=workspace_id, pk=data["freelancer"]).first()
        if freelancer is None:
            raise serializers.ValidationError({"freelancer": ["Choose a freelancer from this workspace."]})
        engagement = None
        if "engagement" in data:
            engagement = Engagement.objects.filter(workspace_id=workspace_id, freelancer=freelancer,
                                                   pk=data["engagement"]).first()
            if engagement is None:
                raise serializers.ValidationError({"engagement": ["Choose one of this freelancer's engagements."]})
        try:
            invitation = invitations.portal_invitation_send(freelancer=freelancer, invited_by=request.user,
                                                            engagement=engagement)
        except invitations.PortalError as exc:
            raise Conflict(str(exc)) from exc
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


def _invitation(request, pk):
    if pk > MAX_ID:
        raise NotFound()
    return get_scoped_or_404(request, _invitations(request), pk=pk)


class InvitationDetail(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="invitations_retrieve", summary="A portal invitation",
                   responses={200: InvitationSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(InvitationSerializer(_invitation(request, pk)).data)


class InvitationRevoke(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="invitations_revoke", summary="Withdraw a pending invitation",
                   description="Its link stops working at once. 409 when it is no longer pending.",
                   request=None, responses={200: InvitationSerializer, **errors(404, 409)})
    def post(self, request, pk):
        invitation = _invitation(request, pk)
        if not invitations.portal_invitation_revoke(invitation=invitation):
            raise Conflict(f"This invitation is {invitation.effective_status}, not pending.")
        return Response(InvitationSerializer(invitation).data)


urlpatterns = [
    path("invitations/", InvitationList.as_view(), name="invitations"),
    path("invitations/<int:pk>/", InvitationDetail.as_view(), name="invitation"),
    path("invitations/<int:pk>/revoke/", InvitationRevoke.as_view(), name="invitation-revoke"),
]
