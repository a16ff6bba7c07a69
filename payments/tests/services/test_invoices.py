"""Invoices: one per payment, self-billed or issued by the freelancer, snapshotted, numbered
without gaps, corrected only by credit notes within what is left; tax ids checked per country."""

import pytest
from django.core.exceptions import ValidationError

from engagements.models import Milestone
from engagements.tests.factories import sign_agreement
from notifications.models import Notification
from payments import services
from payments.errors import InvalidInput, NotAllowed, StateConflict
from payments.models import Invoice, InvoiceKind, TaxDetails, Transaction
from payments.reminders.auto_release import auto_release_due
from payments.selectors import creditable, uninvoiced_transactions
from payments.services.invoices import credit_note_issue, invoice_issue, tax_details_save
from payments.tax import NO_TAX_NOTE, REVERSE_CHARGE_NOTE

from ..conftest import log, new_key
from ..factories import EngagementFactory, FreelancerFactory
from ..reminders.test_auto_release_batch import LATER, submitted_milestones

pytestmark = pytest.mark.django_db


def tax_details(freelancer, workspace, *, freelancer_vat="DE136695976", workspace_vat="FR40303265045",
                workspace_country="FR", rate_bp=None):
    tax_details_save(freelancer=freelancer, legal_name="Frida Freelancer GmbH", address="Hauptstr. 1\n10115 Berlin",
                     country="DE", tax_id=freelancer_vat, tax_rate_bp=rate_bp)
    tax_details_save(workspace=workspace, legal_name="Acme SAS", address="1 rue de la Paix\n75002 Paris",
                     country=workspace_country, tax_id=workspace_vat)


def release(milestone, owner):
    return services.milestone_release(milestone=milestone, actor=owner, idempotency_key=new_key())


def test_a_tax_id_invalid_for_its_country_is_refused_by_name(freelancer):
    with pytest.raises(ValidationError) as error:
        tax_details_save(freelancer=freelancer, legal_name="Frida", address="Street 1", country="DE",
                         tax_id="DE123")
    assert "DE123" in str(error.value.message_dict["tax_id"]) and "DE" in str(error.value.message_dict["tax_id"])
    assert not TaxDetails.objects.exists()
    saved = tax_details_save(freelancer=freelancer, legal_name="Frida", address="Street 1", country="de",
                             tax_id="136 695 976")
    assert (saved.country, saved.tax_id) == ("DE", "DE136695976")


def test_the_freelancer_issues_an_invoice_for_a_release_and_cannot_issue_it_twice(
        submitted, owner, freelancer, workspace, engagement):
    tx = release(submitted, owner)
    assert [t.pk for t in uninvoiced_transactions(freelancer=freelancer)] == [tx.pk]
    with pytest.raises(InvalidInput, match="tax details"):
        invoice_issue(transaction_id=tx.pk, actor=freelancer.user)
    tax_details(freelancer, workspace)
    invoice = invoice_issue(transaction_id=tx.pk, actor=freelancer.user)
    assert invoice.number.endswith("-0001") and invoice.total == 150_000 and not invoice.self_billed
    assert (invoice.issuer_legal_name, invoice.recipient_legal_name) == ("Frida Freelancer GmbH", "Acme SAS")
    # DE supplier, FR customer, both with VAT ids: reverse charge, no tax.
    assert invoice.reverse_charge and invoice.tax_total == 0 and invoice.tax_note == REVERSE_CHARGE_NOTE
    assert [line.description for line in invoice.lines.all()] == ["Milestone “Home page”"]
    assert uninvoiced_transactions(freelancer=freelancer) == []
    with pytest.raises(StateConflict, match=invoice.number):
        invoice_issue(transaction_id=tx.pk, actor=freelancer.user)
    assert Invoice.objects.count() == 1
    # The owners hear of it.
    assert Notification.objects.filter(kind="invoice_issued", recipient_email=owner.email).count() == 1
    # Later changes to the tax details do not touch the issued invoice (snapshot).
    tax_details_save(freelancer=freelancer, legal_name="Renamed", address="Elsewhere 2", country="DE")
    invoice.refresh_from_db()
    assert invoice.issuer_legal_name == "Frida Freelancer GmbH"


def test_someone_elses_payment_cannot_be_invoiced(submitted, owner, workspace):
    tx = release(submitted, owner)
    other = FreelancerFactory(workspace=workspace)
    tax_details_save(freelancer=other, legal_name="Other", address="Street 1", country="US")
    with pytest.raises(NotAllowed):
        invoice_issue(transaction_id=tx.pk, actor=other.user)
    with pytest.raises(NotAllowed):
        invoice_issue(transaction_id=tx.pk, actor=owner)
    assert not Invoice.objects.exists()


def test_a_refund_has_nothing_to_invoice(funded, owner, freelancer, workspace):
    services.milestone_refund(milestone=funded, actor=owner, idempotency_key=new_key(), reason="Dropped")
    tax_details(freelancer, workspace)
    refund = Transaction.objects.get(kind="refund")
    with pytest.raises(InvalidInput, match="nothing"):
        invoice_issue(transaction_id=refund.pk, actor=freelancer.user)


def test_self_billing_invoices_every_payment_in_the_payments_own_transaction(
        submitted, owner, freelancer, workspace, engagement):
    sign_agreement(engagement, owner)
    submitted.engagement.self_billed = True
    tax_details(freelancer, workspace, workspace_vat="DE811907980", workspace_country="DE", rate_bp=1900)
    tx = release(submitted, owner)
    bonus = services.bonus_pay(engagement=engagement, actor=owner, amount=5_000, note="Nice work",
                               idempotency_key=new_key())
    invoices = list(Invoice.objects.order_by("sequence"))
    assert [(i.transaction_id, i.sequence, i.self_billed) for i in invoices] == [(tx.pk, 1, True), (bonus.pk, 2, True)]
    first = invoices[0]
    # Same country: the issuer's 19 % applies, included in what was paid.
    assert (first.net_total, first.tax_total, first.total) == (126_050, 23_950, 150_000)
    assert not first.reverse_charge and first.tax_rate_percent == "19.00"
    assert invoices[1].lines.get().description == "Bonus: Nice work"
    assert Notification.objects.filter(kind="invoice_issued", recipient_email=freelancer.email).count() == 2
    # The freelancer cannot issue their own for a self-billed engagement.
    with pytest.raises(StateConflict):
        invoice_issue(transaction_id=tx.pk, actor=freelancer.user)


def test_a_timesheet_approval_is_invoiced_with_no_tax_by_default(week, freelancer, workspace, owner):
    sign_agreement(week.engagement, owner)
    log(week, freelancer, 0, 120)
    services.timesheet_submit(timesheet=week, actor=freelancer.user)
    week.engagement.refresh_from_db()
    services.timesheet_approve(timesheet=week, actor=owner, idempotency_key=new_key())
    invoice = Invoice.objects.get()
    assert invoice.tax_note == NO_TAX_NOTE and invoice.tax_total == 0 and invoice.total == 10_000
    assert invoice.lines.get().description.startswith("Hours worked. Week of 2 Mar 2026")


def test_credit_notes_reference_their_invoice_and_never_exceed_what_is_left(
        submitted, owner, freelancer, workspace):
    tax_details(freelancer, workspace)
    invoice = invoice_issue(transaction_id=release(submitted, owner).pk, actor=freelancer.user)
    with pytest.raises(NotAllowed):  # the freelancer issued it: only they correct it
        credit_note_issue(invoice=invoice, actor=owner, amount=100, reason="Typo")
    note = credit_note_issue(invoice=invoice, actor=freelancer.user, amount=100_000, reason="Discount agreed")
    assert (note.kind, note.corrects_id, note.sequence, note.total) == (InvoiceKind.CREDIT_NOTE, invoice.pk, 2, 100_000)
    assert note.reverse_charge == invoice.reverse_charge
    assert creditable(invoice) == 50_000
    with pytest.raises(InvalidInput, match="At most 500.00 USD") as error:
        credit_note_issue(invoice=invoice, actor=freelancer.user, amount=50_001, reason="More")
    assert error.value.field == "amount"
    with pytest.raises(InvalidInput, match="not another credit note"):
        credit_note_issue(invoice=note, actor=freelancer.user, amount=1, reason="x")
    assert Invoice.objects.count() == 2
    credit_note_issue(invoice=invoice, actor=freelancer.user, amount=50_000, reason="Rest")
    assert creditable(invoice) == 0


def test_numbers_are_per_issuer(workspace, owner):
    a, b = (EngagementFactory(workspace=workspace) for _ in range(2))
    sign_agreement(a, owner)
    sign_agreement(b, owner)
    for engagement in (a, b, a):
        services.bonus_pay(engagement=engagement, actor=owner, amount=1_000, note="Thanks", idempotency_key=new_key())
    assert sorted(Invoice.objects.values_list("freelancer_id", "sequence")) == sorted(
        [(a.freelancer_id, 1), (a.freelancer_id, 2), (b.freelancer_id, 1)])


def test_the_set_based_auto_release_self_bills_each_release(workspace, owner, time_machine):
    milestones = submitted_milestones(workspace, owner, time_machine, 3)
    for m in milestones[:2]:
        sign_agreement(m.engagement, owner)
    time_machine.move_to(LATER, tick=False)
    assert auto_release_due()["released"] == 3
    invoices = Invoice.objects.select_related("transaction").order_by("engagement_id")
    assert [(i.engagement_id, i.total, i.transaction.automatic) for i in invoices] == [
        (m.engagement_id, m.amount, True) for m in milestones[:2]]
    assert invoices[0].lines.get().description.endswith("(released automatically after review window)")
    # The third engagement's freelancer issues their own: it waits in their list.
    third = Milestone.objects.get(pk=milestones[2].pk)
    assert [t.milestone_id for t in uninvoiced_transactions(engagement=third.engagement)] == [third.pk]


def test_a_settled_dispute_is_invoiced_for_the_part_released_only(submitted, owner, engagement):
    sign_agreement(engagement, owner)
    submitted.engagement.self_billed = True
    services.milestone_dispute(milestone=submitted, actor=owner, reason="Half done", idempotency_key=new_key())
    assert not Invoice.objects.exists()  # a freeze pays nobody
    services.milestone_resolve(milestone=submitted, actor=owner, release_amount=100_000, refund_amount=50_000,
                               idempotency_key=new_key())
    invoice = Invoice.objects.get()
    assert invoice.total == 100_000 and invoice.transaction.kind == "resolve"
    assert "settlement of the dispute" in invoice.lines.get().description
