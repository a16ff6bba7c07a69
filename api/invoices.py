"""Invoices (API.md "Agreements, pay models and invoices"): the invoices and credit notes a token
may see (an owner or manager token: the workspace's; a freelancer token: its own), one with its
PDF, issuing one for a payment (freelancer), a credit note, and the freelancer's tax details.

The same actions as the pages (payments.services.invoices): issuing twice for one payment or on
a self-billed engagement is 409, someone else's payment 404, a tax id invalid for its country or
a credit note larger than what is left of its invoice 400 naming the field.
"""

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.fields import single_line
from accounts.models import MAX_MONEY
from engagements.agreement_pdf import PdfUnavailable
from payments.invoice_files import filename, invoice_pdf
from payments.models import Invoice, InvoiceKind, TaxDetails
from payments.selectors import invoice_detail
from payments.services.invoices import credit_note_issue, invoice_issue, tax_details_save

from .engagements.access import MAX_ID, _acting_freelancer
from .pagination import Pagination
from .permissions import IsFreelancer, IsWorkspaceMember, is_freelancer, scoped
from .schema import errors


class PartySerializer(serializers.Serializer):
    legal_name = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)
    tax_id = serializers.CharField(read_only=True)


class LineSerializer(serializers.Serializer):
    description = serializers.CharField(read_only=True)
    net_amount = serializers.IntegerField(read_only=True)
    amount = serializers.IntegerField(read_only=True, help_text="Minor units, tax included.")


class TaxSerializer(serializers.Serializer):
    rate = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True, allow_null=True,
                                    help_text="Percent; null under reverse charge.")
    reverse_charge = serializers.BooleanField(read_only=True)
    note = serializers.CharField(read_only=True)
    amount = serializers.IntegerField(read_only=True)


def _party(invoice, side):
    return {name: getattr(invoice, f"{side}_{name}") for name in ("legal_name", "address", "country", "tax_id")}


class InvoiceSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=InvoiceKind.choices, read_only=True)
    issuer = serializers.SerializerMethodField()
    recipient = serializers.SerializerMethodField()
    lines = LineSerializer(many=True, read_only=True)
    tax = serializers.SerializerMethodField()
    corrects = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Invoice
        fields = ["id", "number", "kind", "corrects", "engagement", "transaction", "self_billed", "issued_on",
                  "issuer", "recipient", "currency", "lines", "tax", "net_total", "total"]
        read_only_fields = fields

    @extend_schema_field(PartySerializer)
    def get_issuer(self, invoice):
        return _party(invoice, "issuer")

    @extend_schema_field(PartySerializer)
    def get_recipient(self, invoice):
        return _party(invoice, "recipient")

    @extend_schema_field(TaxSerializer)
    def get_tax(self, invoice):
        return {"rate": None if invoice.reverse_charge else invoice.tax_rate_percent,
                "reverse_charge": invoice.reverse_charge, "note": invoice.tax_note, "amount": invoice.tax_total}


class IssueSerializer(serializers.Serializer):
    transaction = serializers.IntegerField(min_value=1, max_value=MAX_ID,
                                           help_text="The ledger transaction that paid you (a release, a settled "
                                                     "dispute, an approved timesheet, a bonus).")
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False,
                                        help_text="Percent, included in the amount paid; your tax details' rate "
                                                  "when left out. Ignored under reverse charge.")


class CreditNoteSerializer(serializers.Serializer):
    amount = serializers.IntegerField(min_value=1, max_value=MAX_MONEY,
                                      help_text="Minor units, at most what is left of the invoice.")
    reason = serializers.CharField(max_length=300, validators=[single_line])


class TaxDetailsSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=200, validators=[single_line])
    address = serializers.CharField(max_length=500)
    country = serializers.RegexField(r"^[A-Za-z]{2}$", min_length=2, max_length=2, help_text="ISO 3166, e.g. DE.")
    tax_id = serializers.CharField(max_length=40, allow_blank=True, required=False,
                                   help_text="Checked against the country's format (400 when invalid).")
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False,
                                        help_text="Percent your self-billed invoices charge (0: no tax charged).")

    def to_representation(self, instance):
        return {"legal_name": instance.legal_name, "address": instance.address, "country": instance.country,
                "tax_id": instance.tax_id, "tax_rate": f"{instance.tax_rate_bp / 100:.2f}"}


def _bp(percent):
    return None if percent is None else int(percent * 100)


def _visible(request):
    return scoped(request, Invoice.objects.all(), workspace_path="workspace", freelancer_path="freelancer")


def _invoice(request, pk):
    found = invoice_detail(_visible(request), pk) if pk <= MAX_ID else None
    if found is None:
        raise NotFound()
    return found


class InvoiceList(APIView):
    permission_classes = [IsWorkspaceMember]
    pagination_class = Pagination

    @extend_schema(operation_id="invoices_list", summary="Invoices and credit notes",
                   description="Newest first. An owner or manager token sees the workspace's, a freelancer token "
                               "its own.",
                   responses={200: InvoiceSerializer(many=True), **errors(404)})
    def get(self, request):
        rows = _visible(request).select_related("corrects").prefetch_related("lines").order_by("-issued_at", "-id")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(InvoiceSerializer(page, many=True).data)

    @extend_schema(operation_id="invoices_create", summary="Issue the invoice for one of your payments",
                   description="Freelancer tokens only. One invoice per payment: a second is 409, and so is one on "
                               "a self-billed engagement (the app issues those); someone else's payment is 404; "
                               "without tax details 400.",
                   request=IssueSerializer, responses={201: InvoiceSerializer, **errors(400, 404, 409)})
    def post(self, request):
        if not is_freelancer(request):
            raise NotFound()
        payload = IssueSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invoice = invoice_issue(transaction_id=payload.validated_data["transaction"], actor=request.user,
                                tax_rate_bp=_bp(payload.validated_data.get("tax_rate")))
        return Response(InvoiceSerializer(_invoice(request, invoice.pk)).data, status=status.HTTP_201_CREATED)


class InvoiceDetail(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="invoices_retrieve", summary="One invoice or credit note",
                   responses={200: InvoiceSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(InvoiceSerializer(_invoice(request, pk)).data)


class InvoicePdf(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="invoices_pdf", summary="The invoice as a PDF",
                   description="503 when the server cannot make PDFs (WeasyPrint's system libraries are missing); "
                               "the detail says what to install.",
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY, **errors(404, 503)})
    def get(self, request, pk):
        invoice = _invoice(request, pk)
        try:
            content = invoice_pdf(invoice)
        except PdfUnavailable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename(invoice, "pdf")}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


class InvoiceCreditNote(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="invoices_credit_note", summary="Correct an invoice with a credit note",
                   description="The invoice's issuer side: the owner for a self-billed invoice, the freelancer for "
                               "one they issued (anyone else 404). More than what is left of the invoice is 400 on "
                               "`amount`. The invoice itself never changes.",
                   request=CreditNoteSerializer, responses={201: InvoiceSerializer, **errors(400, 404)})
    def post(self, request, pk):
        invoice = _invoice(request, pk)
        payload = CreditNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        note = credit_note_issue(invoice=invoice, actor=request.user, **payload.validated_data)
        return Response(InvoiceSerializer(_invoice(request, note.pk)).data, status=status.HTTP_201_CREATED)


class MyTaxDetails(APIView):
    permission_classes = [IsFreelancer]

    @extend_schema(operation_id="me_tax_details_retrieve", summary="Your tax details (what your invoices say)",
                   responses={200: TaxDetailsSerializer, **errors(404)})
    def get(self, request):
        freelancer = _acting_freelancer(request)
        current = TaxDetails.objects.filter(freelancer=freelancer).first() or TaxDetails(freelancer=freelancer)
        return Response(TaxDetailsSerializer(current).data)

    @extend_schema(operation_id="me_tax_details_partial_update", summary="Change your tax details",
                   description="A tax id invalid for its country is 400 on `tax_id`. Invoices already issued keep "
                               "the details they were issued with.",
                   request=TaxDetailsSerializer, responses={200: TaxDetailsSerializer, **errors(400, 404)})
    def patch(self, request):
        freelancer = _acting_freelancer(request)
        current = TaxDetails.objects.filter(freelancer=freelancer).first() or TaxDetails(freelancer=freelancer)
        payload = TaxDetailsSerializer(current, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = {"legal_name": current.legal_name, "address": current.address, "country": current.country,
                "tax_id": current.tax_id, **payload.validated_data}
        rate = data.pop("tax_rate", None)
        details = tax_details_save(freelancer=freelancer, tax_rate_bp=_bp(rate), **data)
        return Response(TaxDetailsSerializer(details).data)


urlpatterns = [
    path("invoices/", InvoiceList.as_view(), name="invoices"),
    path("invoices/<int:pk>/", InvoiceDetail.as_view(), name="invoice"),
    path("invoices/<int:pk>/pdf/", InvoicePdf.as_view(), name="invoice-pdf"),
    path("invoices/<int:pk>/credit-note/", InvoiceCreditNote.as_view(), name="invoice-credit-note"),
    path("me/tax-details/", MyTaxDetails.as_view(), name="me-tax-details"),
]
