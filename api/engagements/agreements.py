"""Agreements (API.md "Agreements, pay models and invoices"): the workspace's templates, an
engagement's versions (rendering one, sending it), signing, and the PDF. The same actions as the
owner pages and the portal (engagements.services.agreement): an unknown placeholder is a 400
naming it, a stale document hash, a superseded version or a second signature by the same side a
409. A freelancer token sees only the versions sent to it and signs for the freelancer; an owner
token signs for the client."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.fields import single_line
from accounts.throttling import client_ip
from engagements.agreement_pdf import PdfUnavailable, agreement_pdf_bytes, pdf_filename
from engagements.models import Agreement, AgreementSettings, AgreementStatus, AgreementTemplate, SignerSide
from engagements.selectors import agreement_settings, agreement_with_status, agreements_for
from engagements.services import agreement as agreements

from ..pagination import Pagination
from ..permissions import IsWorkspaceMember, IsWorkspaceStaff, scoped, token_of
from ..schema import errors
from .access import MAX_ID, _acting_freelancer, _engagement, _is_freelancer, _staff_only


class AgreementTemplateSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=120, validators=[single_line])
    body = serializers.CharField(max_length=50_000, help_text="Markdown with {{placeholders}} from the allow-list.")
    is_default = serializers.BooleanField(required=False, default=False)

    class Meta:
        model = AgreementTemplate
        fields = ["id", "name", "body", "is_default", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class SignatureSerializer(serializers.Serializer):
    role = serializers.ChoiceField(source="side", choices=SignerSide.choices, read_only=True)
    name = serializers.CharField(source="full_name", read_only=True, max_length=200)
    signed_at = serializers.DateTimeField(read_only=True)
    document_sha256 = serializers.CharField(read_only=True, max_length=64)


class AgreementSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=AgreementStatus.choices, read_only=True)
    signatures = serializers.SerializerMethodField()
    html = serializers.CharField(read_only=True, help_text="The sanitised document both sides read and sign.")
    self_billing = serializers.BooleanField(read_only=True, help_text="This version has the self-billing clause: "
                                            "once both sides signed it, the app issues the freelancer's invoices.")

    class Meta:
        model = Agreement
        fields = ["id", "engagement", "version", "status", "template_name", "document_sha256", "html", "sent_at",
                  "created_at", "self_billing", "signatures"]
        read_only_fields = fields

    @extend_schema_field(SignatureSerializer(many=True))
    def get_signatures(self, obj):
        return SignatureSerializer([obj.by_side[s] for s in SignerSide.values if s in obj.by_side], many=True).data


class AgreementSettingsSerializer(serializers.ModelSerializer):
    governing_law = serializers.CharField(max_length=200)
    notice_days = serializers.IntegerField(min_value=0, max_value=365)

    class Meta:
        model = AgreementSettings
        fields = ["requires_signed_agreement", "notice_days", "governing_law"]


class AgreementCreateSerializer(serializers.Serializer):
    template = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                        help_text="One of the workspace's templates; the default one when left out.")
    send = serializers.BooleanField(required=False, default=False, help_text="Send it for signature at once.")


class SignSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200, allow_blank=True, validators=[single_line],
                                      help_text="Must match the signer's name.")
    agree = serializers.BooleanField()
    document_sha256 = serializers.CharField(max_length=64, help_text="The `document_sha256` of the version read.")


def _page(request, view, rows, serializer):
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


def _template(request, pk):
    if pk > MAX_ID:
        raise NotFound()
    found = scoped(request, AgreementTemplate.objects.all()).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def _agreement(request, pk):
    """A version the token may see (a freelancer: only sent ones), with its status."""
    if pk > MAX_ID:
        raise NotFound()
    qs = scoped(request, Agreement.objects.all(), workspace_path="engagement__workspace",
                freelancer_path="engagement__freelancer")
    if _is_freelancer(request):
        qs = qs.filter(sent_at__isnull=False, engagement__offered_at__isnull=False)
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return agreement_with_status(found)


class AgreementTemplateList(APIView):
    permission_classes = [IsWorkspaceStaff]
    pagination_class = Pagination

    @extend_schema(operation_id="agreement_templates_list", summary="The workspace's agreement templates",
                   responses={200: AgreementTemplateSerializer(many=True), **errors(404)})
    def get(self, request):
        return _page(request, self, scoped(request, AgreementTemplate.objects.all()), AgreementTemplateSerializer)

    @extend_schema(operation_id="agreement_templates_create", summary="Write an agreement template",
                   description="An unknown placeholder is 400, naming it.",
                   request=AgreementTemplateSerializer, responses={201: AgreementTemplateSerializer, **errors(400)})
    def post(self, request):
        payload = AgreementTemplateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        template = agreements.agreement_template_save(workspace=token_of(request).workspace, **payload.validated_data)
        return Response(AgreementTemplateSerializer(template).data, status=status.HTTP_201_CREATED)


class AgreementTemplateDetail(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="agreement_templates_retrieve", summary="One agreement template",
                   responses={200: AgreementTemplateSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(AgreementTemplateSerializer(_template(request, pk)).data)

    @extend_schema(operation_id="agreement_templates_partial_update", summary="Change an agreement template",
                   description="Agreements already rendered keep their own text.",
                   request=AgreementTemplateSerializer,
                   responses={200: AgreementTemplateSerializer, **errors(400, 404)})
    def patch(self, request, pk):
        template = _template(request, pk)
        payload = AgreementTemplateSerializer(template, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = {"name": template.name, "body": template.body, "is_default": template.is_default,
                **payload.validated_data}
        template = agreements.agreement_template_save(workspace=token_of(request).workspace, template=template, **data)
        return Response(AgreementTemplateSerializer(template).data)


class AgreementSettingsDetail(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="agreement_settings_retrieve", summary="The workspace's agreement settings",
                   responses={200: AgreementSettingsSerializer, **errors(404)})
    def get(self, request):
        return Response(AgreementSettingsSerializer(agreement_settings(token_of(request).workspace)).data)

    @extend_schema(operation_id="agreement_settings_partial_update", summary="Change the agreement settings",
                   description="`requires_signed_agreement`: the brief cannot be acknowledged, nor a milestone "
                               "funded, before both sides signed the current agreement (409 naming it).",
                   request=AgreementSettingsSerializer,
                   responses={200: AgreementSettingsSerializer, **errors(400, 404)})
    def patch(self, request):
        workspace = token_of(request).workspace
        current = agreement_settings(workspace)
        payload = AgreementSettingsSerializer(current, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = {"requires_signed_agreement": current.requires_signed_agreement, "notice_days": current.notice_days,
                "governing_law": current.governing_law, **payload.validated_data}
        return Response(AgreementSettingsSerializer(agreements.agreement_settings_save(workspace=workspace,
                                                                                       **data)).data)


class EngagementAgreementList(APIView):
    permission_classes = [IsWorkspaceMember]
    pagination_class = Pagination

    @extend_schema(operation_id="engagements_agreements_list", summary="The engagement's agreement versions",
                   description="Newest first. A freelancer token sees only the versions sent to it.",
                   responses={200: AgreementSerializer(many=True), **errors(404)})
    def get(self, request, pk):
        engagement = _engagement(request, pk)
        rows = agreements_for(engagement)
        if _is_freelancer(request):
            rows = [a for a in rows if a.sent_at] if engagement.offered_at else []
        return _page(request, self, rows, AgreementSerializer)

    @extend_schema(operation_id="engagements_agreements_create", summary="Render a new agreement version",
                   description="From the template (the workspace's default when none is named), filled in for the "
                               "engagement. A draft not yet sent is replaced; a new version after one was sent "
                               "supersedes it and needs both signatures again.",
                   request=AgreementCreateSerializer, responses={201: AgreementSerializer, **errors(400, 404, 409)})
    def post(self, request, pk):
        _staff_only(request)
        engagement = _engagement(request, pk)
        payload = AgreementCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        template_id = payload.validated_data.get("template")
        template = _template(request, template_id) if template_id else None
        agreement = agreements.agreement_issue(engagement=engagement, actor=request.user, template=template,
                                               send=payload.validated_data["send"])
        return Response(AgreementSerializer(agreement_with_status(agreement)).data, status=status.HTTP_201_CREATED)


class AgreementDetail(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="agreements_retrieve", summary="One agreement version",
                   responses={200: AgreementSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(AgreementSerializer(_agreement(request, pk)).data)


class AgreementSend(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="agreements_send", summary="Send a draft for signature",
                   description="From now on the version never changes. Sending it twice is 409.",
                   request=None, responses={200: AgreementSerializer, **errors(404, 409)})
    def post(self, request, pk):
        agreement = agreements.agreement_send(agreement=_agreement(request, pk), actor=request.user)
        return Response(AgreementSerializer(agreement_with_status(agreement)).data)


class AgreementSign(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="agreements_sign", summary="Sign the current version",
                   description="The owner (owner token) signs for the client, the engagement's freelancer "
                               "(freelancer token) for the freelancer. `full_name` must match the signer's name and "
                               "`agree` be true (400); a `document_sha256` that is not the current document's, a "
                               "superseded version or a second signature by the same side is 409.",
                   request=SignSerializer, responses={200: AgreementSerializer, **errors(400, 404, 409)})
    def post(self, request, pk):
        agreement = _agreement(request, pk)
        payload = SignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        freelancer = _acting_freelancer(request) if _is_freelancer(request) else None
        signed = agreements.agreement_sign(
            agreement_id=agreement.pk, side=SignerSide.FREELANCER if freelancer else SignerSide.OWNER,
            user=request.user, freelancer=freelancer, ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""), **payload.validated_data)
        return Response(AgreementSerializer(signed).data)


class AgreementPdf(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="agreements_pdf", summary="The agreement as a PDF, with its audit page",
                   description="503 when the server cannot make PDFs (WeasyPrint's system libraries are missing); "
                               "the detail says what to install.",
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY, **errors(404, 409, 503)})
    def get(self, request, pk):
        agreement = _agreement(request, pk)
        if agreement.sent_at is None:
            return Response({"detail": "A draft has no PDF: send it first."}, status=status.HTTP_409_CONFLICT)
        try:
            content = agreement_pdf_bytes(agreement)
        except PdfUnavailable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{pdf_filename(agreement)}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
