"""Invoice pages on both sides: the freelancer keeps tax details, issues the invoice for a paid
milestone from the "paid, not yet invoiced" list, downloads it and corrects it with a credit
note; the owner sees the workspace's invoices (a page whose queries do not grow with the list),
corrects self-billed ones, and keeps the workspace's tax details. Bad input is a field error or
a message, with nothing stored; another freelancer's invoice is a 404."""

import csv
import io

import pytest
from django.urls import reverse

from engagements.tests.factories import sign_agreement
from notifications.models import Notification
from payments import services as payments
from payments.models import Invoice, TaxDetails, Transaction

from ..conftest import client_for, key, start_engagement

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(workspace, owner, freelancer_a):
    """A's engagement with a released milestone: a payment waiting for A's invoice."""
    engagement = start_engagement(workspace, owner, freelancer_a, title="Brochure", milestones=["Layout"])
    milestone = engagement.milestones.get()
    payments.milestone_fund(milestone=milestone, actor=owner, idempotency_key=key())
    payments.milestone_submit_for_review(milestone_id=milestone.pk, freelancer=freelancer_a, message="Done",
                                         attest_own_work=True)
    payments.milestone_release(milestone=milestone, actor=owner, idempotency_key=key())
    return Transaction.objects.get(kind="release", engagement=engagement)


def test_the_freelancer_issues_downloads_and_corrects_an_invoice(paid, freelancer_a, freelancer_b, owner):
    a = client_for(freelancer_a.user)
    listing = a.get(reverse("portal:invoices")).content.decode()
    assert "Paid, not yet invoiced" in listing and "Layout" in listing and "Add your tax details" in listing

    url = reverse("portal:tax_details")
    bad = a.post(url, {"legal_name": "Ana Alves Unipessoal", "address": "Rua 1\nLisboa", "country": "PT",
                       "tax_id": "PT123", "tax_rate": "23"})
    assert bad.status_code == 200 and "PT123" in bad.content.decode() and not TaxDetails.objects.exists()
    a.post(url, {"legal_name": "Ana Alves Unipessoal", "address": "Rua 1\nLisboa", "country": "PT",
                 "tax_id": "PT501964843", "tax_rate": "23"})
    assert TaxDetails.objects.get(freelancer=freelancer_a).tax_id == "PT501964843"

    issued = a.post(reverse("portal:invoice_issue"), {"transaction": paid.pk, "tax_rate": "23"})
    invoice = Invoice.objects.get()
    assert issued.status_code == 302 and issued["Location"] == reverse("portal:invoice", args=[invoice.pk])
    page = a.get(issued["Location"]).content.decode()
    assert invoice.number in page and "Ana Alves Unipessoal" in page and "1,000.00" in page
    assert Notification.objects.filter(kind="invoice_issued", recipient_email=owner.email).exists()
    # Twice: a message, still one invoice; the list no longer offers it.
    again = a.post(reverse("portal:invoice_issue"), {"transaction": paid.pk}, follow=True)
    assert "already invoiced" in again.content.decode() and Invoice.objects.count() == 1
    assert "Every payment has its invoice" in a.get(reverse("portal:invoices")).content.decode()

    rows = list(csv.DictReader(io.StringIO(a.get(reverse("portal:invoice_csv", args=[invoice.pk]))
                                           .content.decode("utf-8-sig"))))
    assert [(r["number"], r["amount"], r["tax_rate_percent"]) for r in rows] == [(invoice.number, "1000.00", "23.00")]
    xml = a.get(reverse("portal:invoice_xml", args=[invoice.pk]))
    assert xml["Content-Type"] == "application/xml" and invoice.number.encode() in xml.content
    assert a.get(reverse("portal:invoice_pdf", args=[invoice.pk])).status_code in (200, 503)

    credit = reverse("portal:invoice_credit_note", args=[invoice.pk])
    too_much = a.post(credit, {"amount": "1000.01", "reason": "Too much"})
    assert "At most 1,000.00" in too_much.content.decode() and Invoice.objects.count() == 1
    done = a.post(credit, {"amount": "100", "reason": "Discount"})
    note = Invoice.objects.get(kind="credit_note")
    assert done["Location"] == reverse("portal:invoice", args=[note.pk]) and note.corrects_id == invoice.pk

    # B sees none of it and cannot invoice A's payment.
    b = client_for(freelancer_b.user)
    assert b.get(reverse("portal:invoice", args=[invoice.pk])).status_code == 404
    assert b.get(reverse("portal:invoice_pdf", args=[invoice.pk])).status_code == 404
    assert b.post(reverse("portal:invoice_issue"), {"transaction": paid.pk}).status_code == 404
    assert invoice.number not in b.get(reverse("portal:invoices")).content.decode()


def _self_billed_bonuses(engagement, owner, count):
    for _ in range(count):
        payments.bonus_pay(engagement=engagement, actor=owner, amount=2_500, note="Thanks", idempotency_key=key())


def test_the_owner_lists_and_corrects_self_billed_invoices(paid, owner, owner_client, freelancer_a, workspace,
                                                            django_assert_max_num_queries):
    engagement = paid.engagement
    sign_agreement(engagement, owner)
    engagement.refresh_from_db()
    _self_billed_bonuses(engagement, owner, 2)
    url = reverse("payments:invoices")
    with django_assert_max_num_queries(15) as few:
        owner_client.get(f"{url}?engagement={engagement.pk}")
    _self_billed_bonuses(engagement, owner, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = owner_client.get(f"{url}?engagement={engagement.pk}").content.decode()
    assert page.count("Self-billed") == 10 and "Add your legal name" in page

    invoice = Invoice.objects.order_by("sequence").first()
    detail = owner_client.get(reverse("payments:invoice", args=[invoice.pk])).content.decode()
    assert invoice.number in detail and "Issue a credit note" in detail
    form = reverse("payments:invoice_credit_note", args=[invoice.pk])
    assert "is too much" in owner_client.post(form, {"amount": "25.01", "reason": "x"}).content.decode()
    owner_client.post(form, {"amount": "5", "reason": "Duplicate bonus"})
    assert Invoice.objects.filter(kind="credit_note", corrects=invoice).get().total == 500
    assert Notification.objects.filter(kind="invoice_issued", recipient_email=freelancer_a.email).count() == 11

    bad = owner_client.post(reverse("payments:tax_details"), {"legal_name": "Acme", "address": "1 St\nBerlin",
                                                              "country": "DE", "tax_id": "DE000"})
    assert "DE000" in bad.content.decode() and not TaxDetails.objects.filter(workspace=workspace).exists()


def test_the_freelancers_invoice_lists_come_a_page_at_a_time_in_the_same_queries(
        paid, owner, workspace, freelancer_a, django_assert_max_num_queries, monkeypatch):
    from portal.views import invoices

    monkeypatch.setattr(invoices, "UNINVOICED_PER_PAGE", 3)
    monkeypatch.setattr(invoices, "INVOICES_PER_PAGE", 3)
    signed = start_engagement(workspace, owner, freelancer_a, title="Retainer", milestones=["Setup"])
    sign_agreement(signed, owner)
    signed.refresh_from_db()
    _self_billed_bonuses(paid.engagement, owner, 1)  # not self-billed: waits for A's invoice
    _self_billed_bonuses(signed, owner, 2)  # self-billed: issued in A's name
    a = client_for(freelancer_a.user)
    url = reverse("portal:invoices")
    with django_assert_max_num_queries(15) as few:
        a.get(url)
    _self_billed_bonuses(paid.engagement, owner, 8)
    _self_billed_bonuses(signed, owner, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = a.get(url)

    page = response.content.decode()
    todo, issued = response.context["uninvoiced"], response.context["invoices"]
    # The oldest payments first: the released milestone, then the bonuses; 10 waiting in all.
    assert todo.object_list[0].pk == paid.pk and len(todo.object_list) == 3
    assert "10 payments to invoice, the oldest first." in page and "todo=2" in page
    assert all(tx.paid for tx in todo)
    # The latest invoices first: 10 self-billed, 3 shown.
    assert len(issued.object_list) == 3 and "10 invoices and credit notes, the latest first." in page
    latest = Invoice.objects.order_by("-issued_at", "-id").values_list("pk", flat=True)[:3]
    assert [i.pk for i in issued] == list(latest)
    # The last page of one list keeps the other list where it was.
    last = a.get(f"{url}?page=2&todo=4")
    assert [tx.memo for tx in last.context["uninvoiced"]] == ["Bonus: Thanks"] and last.context["invoices"].number == 2
    assert "page=2&amp;todo=3" in last.content.decode() and "todo=4&amp;page=1" in last.content.decode()
