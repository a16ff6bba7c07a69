"""Self-billing follows the signed agreement: the app issues the freelancer's invoice only while
the engagement's current agreement version has the self-billing clause and both sides signed it
(the freelancer agreed in writing); otherwise the freelancer issues their own from the portal."""

import pytest
from django.db import transaction

from engagements.models import Engagement, SignerSide
from engagements.selectors import agreements_for, self_billing_status
from engagements.services.agreement import agreement_issue, agreement_sign, agreement_template_save
from engagements.tests.factories import sign_agreement
from payments import services
from payments.models import Invoice, Transaction
from payments.services.invoices import invoice_issue, tax_details_save

from ..conftest import new_key


def bonus(engagement, owner, amount=1_000):
    return services.bonus_pay(engagement=engagement, actor=owner, amount=amount, note="Thanks",
                              idempotency_key=new_key())


def issue(engagement, owner, *, proposed):
    Engagement.objects.filter(pk=engagement.pk).update(self_billing_proposed=proposed)
    template = agreement_template_save(workspace=engagement.workspace, name="Short", body="Invoices: {{self_billing}}")
    return agreement_issue(engagement=engagement, actor=owner, template=template)


def sign(agreement, side, owner):
    freelancer = agreement.engagement.freelancer
    name, user, signer = ((owner.full_name, owner, None) if side == SignerSide.OWNER
                          else (freelancer.name, None, freelancer))
    agreement_sign(agreement_id=agreement.pk, side=side, full_name=name, agree=True,
                   document_sha256=agreement.document_sha256, user=user, freelancer=signer)


def status(engagement):
    engagement.refresh_from_db()
    return self_billing_status(engagement, agreements_for(engagement))


def test_a_version_with_the_clause_signed_by_one_side_only_does_not_self_bill(engagement, owner):
    agreement = issue(engagement, owner, proposed=True)
    assert agreement.self_billing and "The Client issues the Contractor's invoice" in agreement.html
    sign(agreement, SignerSide.OWNER, owner)
    bonus(engagement, owner)
    assert not Invoice.objects.exists()
    now = status(engagement)
    assert not engagement.self_billed and not now.applies and "not signed by both sides yet" in now.reason


def test_signed_with_the_clause_each_payment_is_self_billed_in_its_own_transaction(engagement, owner):
    agreement = sign_agreement(engagement, owner)
    with pytest.raises(RuntimeError), transaction.atomic():
        tx = bonus(engagement, owner)
        invoice = Invoice.objects.get(transaction=tx)  # already there, before the payment commits
        assert invoice.self_billed and invoice.self_billing_agreement_id == agreement.pk
        raise RuntimeError("roll the payment back")
    assert not Invoice.objects.exists() and not Transaction.objects.filter(kind="bonus").exists()
    tx = bonus(engagement, owner)
    assert Invoice.objects.get().transaction_id == tx.pk
    now = status(engagement)
    assert now.applies and "v1, signed by both sides, has the self-billing clause" in now.reason


def test_a_new_version_without_the_clause_ends_self_billing_once_sent(engagement, owner, freelancer):
    sign_agreement(engagement, owner)
    first = bonus(engagement, owner)
    v2 = issue(engagement, owner, proposed=False)
    assert not v2.self_billing and "The Contractor issues an invoice for each payment" in v2.html
    meanwhile = bonus(engagement, owner)  # v2 sent, not signed yet: nobody agreed to self-billing in it
    sign(v2, SignerSide.OWNER, owner)
    sign(v2, SignerSide.FREELANCER, owner)
    later = bonus(engagement, owner)
    assert list(Invoice.objects.values_list("transaction_id", flat=True)) == [first.pk]
    now = status(engagement)
    assert not now.applies and "v2 has no self-billing clause" in now.reason
    tax_details_save(freelancer=freelancer, legal_name="Frida Lance", country="DE", address="Berlin")
    for tx in (meanwhile, later):  # the freelancer's own invoices now
        assert invoice_issue(transaction_id=tx.pk, actor=freelancer.user).self_billed is False


def test_a_template_without_the_placeholder_never_self_bills(engagement, owner):
    Engagement.objects.filter(pk=engagement.pk).update(self_billing_proposed=True)
    template = agreement_template_save(workspace=engagement.workspace, name="Bare", body="Between {{client_name}}.")
    agreement = agreement_issue(engagement=engagement, actor=owner, template=template)
    sign(agreement, SignerSide.OWNER, owner)
    sign(agreement, SignerSide.FREELANCER, owner)
    assert not agreement.self_billing
    bonus(engagement, owner)
    assert not Invoice.objects.exists() and not status(engagement).applies
