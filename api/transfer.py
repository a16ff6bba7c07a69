"""CSV in and out (API.md, the dashboard issue): `GET /exports/{freelancers,engagements,
milestones,statements}.csv` (formula-safe, the same writers as the pages' "Export CSV"), and the
freelancer import — `POST /imports/freelancers/` (multipart `file`) checks the file and answers
202 with each bad row by its line, `POST /imports/{id}/confirm/` starts it (all or nothing; a
large file is imported by the worker), `GET /imports/{id}/` shows its progress. Owner and
manager tokens only."""

import json

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from engagements.exports import engagements_csv, milestones_csv
from freelancers.csv_import import MAX_BYTES
from freelancers.exports import freelancers_csv
from freelancers.models import FreelancerImport
from freelancers.services import imports as services
from payments.statements import workspace_statement_csv

from .permissions import IsWorkspaceStaff, get_scoped_or_404, token_of
from .schema import errors

EXPORTS = {"freelancers": freelancers_csv, "engagements": engagements_csv, "milestones": milestones_csv,
           "statements": workspace_statement_csv}


class CSVRenderer(BaseRenderer):
    """Lets a client ask for `text/csv`; the CSV itself is written by the export, so only an
    error body (a dict) is rendered here, as JSON text."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode() if not isinstance(data, (str, bytes)) else data


class ExportView(APIView):
    permission_classes = [IsWorkspaceStaff]
    renderer_classes = [JSONRenderer, CSVRenderer]

    def handle_exception(self, exc):
        # An error is a JSON body whatever was asked for (the schema says so for every 4xx).
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return super().handle_exception(exc)


def _export_view(name):
    @extend_schema(operation_id=f"exports_{name}", summary=f"The workspace's {name} as CSV",
                   description="UTF-8 with a byte-order mark; a cell that begins with = + - @, a tab or a carriage "
                               "return is written with a leading ' so no spreadsheet runs it as a formula.",
                   responses={(200, "text/csv"): OpenApiTypes.BINARY, **errors(400, 404)})
    def get(self, request):
        if request.query_params.getlist("format") not in ([], ["csv"], ["json"]):
            raise serializers.ValidationError({"format": ["`csv`, or leave it out."]})
        return EXPORTS[name](token_of(request).workspace, filename=f"{name}.csv")

    return type(f"{name.title()}Export", (ExportView,), {"get": get})


class ImportErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class ImportSerializer(serializers.ModelSerializer):
    errors = ImportErrorSerializer(many=True, read_only=True)

    class Meta:
        model = FreelancerImport
        fields = ["id", "status", "filename", "total_rows", "processed_rows", "imported_rows", "errors",
                  "created_at", "started_at", "finished_at"]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()

    def validate_file(self, value):
        if value.size > MAX_BYTES:
            raise serializers.ValidationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        return value


def _job(request, pk):
    return get_scoped_or_404(request, FreelancerImport.objects.all(), pk=pk)


class FreelancerImportCreate(APIView):
    permission_classes = [IsWorkspaceStaff]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(operation_id="imports_freelancers_create", summary="Check a CSV of freelancers (nothing imported)",
                   description="Answers 202 with the rows read and every problem by its line (line 1 is the header). "
                               "Nothing is imported until `POST /imports/{id}/confirm/`.",
                   request={"multipart/form-data": ImportUploadSerializer},
                   responses={202: ImportSerializer, **errors(400, 404)})
    def post(self, request):
        payload = ImportUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = services.freelancer_import_preview(workspace=token_of(request).workspace, actor=request.user,
                                                 uploaded_file=payload.validated_data["file"])
        return Response(ImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportDetail(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="imports_retrieve", summary="An import and its progress",
                   responses={200: ImportSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(ImportSerializer(_job(request, pk)).data)


class ImportConfirm(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="imports_confirm", summary="Import every checked row, or none",
                   description="A small file is imported before the answer (`done`); a large one by the worker "
                               "(`importing`: poll `GET /imports/{id}/`). 400 when the file had problems, 409 when "
                               "already confirmed.",
                   request=None, responses={202: ImportSerializer, **errors(400, 404, 409)})
    def post(self, request, pk):
        job = services.freelancer_import_confirm(job=_job(request, pk), actor=request.user)
        return Response(ImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    *[path(f"exports/{name}.csv", _export_view(name).as_view(), name=f"export_{name}") for name in EXPORTS],
    path("imports/freelancers/", FreelancerImportCreate.as_view(), name="import_freelancers"),
    path("imports/<int:pk>/", ImportDetail.as_view(), name="import_detail"),
    path("imports/<int:pk>/confirm/", ImportConfirm.as_view(), name="import_confirm"),
]
