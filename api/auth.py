"""Tokens and identity: `POST/DELETE /auth/token/`, `GET /auth/tokens/`,
`DELETE /auth/tokens/{id}/`, `GET /me/`."""

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from . import services
from .exceptions import LockedOut
from .models import ApiToken, TokenRole
from .permissions import IsWorkspaceMember, token_of
from .schema import errors
from .throttling import TokenThrottle

WRONG_CREDENTIALS = "Unable to log in with the given email and password."


class TokenCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=1024, trim_whitespace=False, style={"input_type": "password"})
    workspace = serializers.SlugField(
        max_length=60, required=False,
        help_text="The workspace's slug; required when the account belongs to several.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`. Shown once.")
    role = serializers.ChoiceField(choices=TokenRole.choices)
    workspace = serializers.SlugField(help_text="The slug of the workspace the token is bound to.")
    freelancer = serializers.IntegerField(
        allow_null=True, help_text="For a freelancer token, the freelancer it acts as; else null."
    )
    expires_at = serializers.DateTimeField(help_text="After this the token answers 401 “Token expired.”")


class TokenView(APIView):
    """Exchange an email and password for a workspace token, or revoke the token in use."""

    def get_authenticators(self):
        # Asking for a token needs no token: a stale Authorization header must not get in the way.
        if getattr(self, "request", None) is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsWorkspaceMember()]

    def get_throttles(self):
        if self.request.method == "POST":
            return [TokenThrottle()]
        return []

    @extend_schema(
        operation_id="auth_token_create",
        summary="Get a token",
        description=(
            "Exchanges an email and password for a token bound to one workspace and the role held "
            "there (`owner`, `manager`, or `freelancer`). Failed attempts count towards the same "
            "lock-out as the login page (per account and address); requests are also rate-limited "
            "per address."
        ),
        auth=[],
        request=TokenCreateSerializer,
        responses={200: TokenSerializer, **errors(400, 429)},
    )
    def post(self, request):
        payload = TokenCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        # Through Django's authenticate (with the plain HttpRequest) so django-axes counts the
        # failure and refuses a locked-out account + address, exactly as for the login page.
        http_request = request._request
        user = authenticate(request=http_request, username=data["email"], password=data["password"])
        if user is None:
            if getattr(http_request, "axes_locked_out", False):
                # Answer in JSON here rather than letting the middleware render the HTML page.
                http_request.axes_locked_out = False
                raise LockedOut(wait=settings.AXES_COOLOFF_TIME.total_seconds())
            raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [WRONG_CREDENTIALS]})
        token, key = services.token_create(user=user, workspace_slug=data.get("workspace"))
        # A successful sign-in, as on the login page: resets the failure count, sets last_login.
        user_logged_in.send(sender=type(user), request=http_request, user=user)
        body = TokenSerializer({
            "token": key, "role": token.role, "workspace": token.workspace.slug,
            "freelancer": token.freelancer_id, "expires_at": token.expires_at,
        }).data
        return Response(body, status=status.HTTP_200_OK)

    @extend_schema(
        operation_id="auth_token_destroy",
        summary="Revoke the token in use",
        description="The token that authenticates this request stops working at once.",
        request=None,
        responses={204: OpenApiResponse(description="Revoked; the token no longer works.")},
    )
    def delete(self, request):
        services.token_revoke(token=token_of(request), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    timezone = serializers.CharField()


class MeWorkspaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    timezone = serializers.CharField()
    currency = serializers.CharField()


class MeTokenSerializer(serializers.Serializer):
    prefix = serializers.CharField(help_text="The first characters of the token, to tell tokens apart.")
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()


class MeSerializer(serializers.Serializer):
    user = MeUserSerializer()
    role = serializers.ChoiceField(choices=TokenRole.choices)
    workspace = MeWorkspaceSerializer()
    freelancer = serializers.IntegerField(allow_null=True, help_text="The freelancer a freelancer token acts as.")
    scope = serializers.ChoiceField(
        choices=[("workspace", "workspace"), ("freelancer", "freelancer")],
        help_text="`workspace`: everything in the workspace; `freelancer`: only that freelancer's "
                  "engagements and what hangs from them.",
    )
    may_see = serializers.CharField(help_text="The same, in words.")
    token = MeTokenSerializer()


def describe(token):
    if token.role == TokenRole.FREELANCER:
        scope = "freelancer"
        may_see = (
            f"Only the engagements of {token.freelancer.name} in {token.workspace.name} "
            "and what hangs from them (briefs, milestones, status updates, payments)."
        )
    else:
        scope = "workspace"
        may_see = f"Everything in the workspace {token.workspace.name}, as its {token.get_role_display().lower()}."
    return {
        "user": token.user,
        "role": token.role,
        "workspace": token.workspace,
        "freelancer": token.freelancer_id,
        "scope": scope,
        "may_see": may_see,
        "token": token,
    }


class MeView(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(
        operation_id="me_retrieve",
        summary="Who this token is and what it may see",
        responses={200: MeSerializer},
    )
    def get(self, request):
        return Response(MeSerializer(describe(token_of(request))).data)


class TokenListSerializer(serializers.ModelSerializer):
    workspace = serializers.SlugField(source="workspace.slug", help_text="The workspace the token is bound to.")

    class Meta:
        model = ApiToken
        fields = ["id", "created_at", "last_used_at", "expires_at", "workspace", "role"]
        read_only_fields = fields


class TokenList(generics.ListAPIView):
    """Every token of the token's user, in any workspace: the same list as the profile page."""

    permission_classes = [IsWorkspaceMember]
    serializer_class = TokenListSerializer

    def get_queryset(self):
        mine = ApiToken.objects.filter(user=self.request.user).select_related("workspace")
        return mine.order_by("-created_at", "-id")

    @extend_schema(
        operation_id="auth_tokens_list",
        summary="Your tokens",
        description="The tokens issued to the token's user, newest first. Keys are never shown again.",
        responses={200: TokenListSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TokenDetail(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(
        operation_id="auth_tokens_destroy",
        summary="Revoke one of your tokens",
        description="That token stops working at once. Another user's token is `404`.",
        request=None,
        responses={204: OpenApiResponse(description="Revoked."), **errors(404)},
    )
    def delete(self, request, pk):
        token = ApiToken.objects.filter(user=request.user, pk=pk).first()
        if token is None:
            raise NotFound()
        services.token_revoke(token=token, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/tokens/", TokenList.as_view(), name="tokens"),
    path("auth/tokens/<int:pk>/", TokenDetail.as_view(), name="token_detail"),
    path("me/", MeView.as_view(), name="me"),
]
