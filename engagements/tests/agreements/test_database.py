"""On PostgreSQL: a sent agreement and its signatures cannot be changed, even by SQL that goes
around the app, and two signatures by the same side at the same moment sign once."""

import threading

import pytest
from django.db import IntegrityError, connections, transaction

from engagements.models import Agreement, AgreementSignature, SignerSide
from engagements.services.agreement import agreement_issue, agreement_sign
from engagements.services.transitions import ConflictError

pytestmark = [pytest.mark.postgres]


def _sign(agreement, owner):
    return agreement_sign(agreement_id=agreement.pk, side=SignerSide.OWNER, full_name=owner.full_name, agree=True,
                          document_sha256=agreement.document_sha256, user=owner, ip="198.51.100.1", user_agent="t")


@pytest.mark.django_db
def test_a_sent_agreement_and_its_signatures_never_change(sent, owner):
    _sign(sent, owner)
    for attempt in (
        lambda: Agreement.objects.filter(pk=sent.pk).update(html="<p>other terms</p>"),
        lambda: Agreement.objects.filter(pk=sent.pk).update(sent_at=None),
        lambda: Agreement.objects.filter(pk=sent.pk).delete(),
        lambda: AgreementSignature.objects.update(full_name="Someone Else"),
        lambda: AgreementSignature.objects.all().delete(),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    assert Agreement.objects.get(pk=sent.pk).html == sent.html
    assert AgreementSignature.objects.get().full_name == owner.full_name


@pytest.mark.django_db
def test_a_draft_may_be_sent_or_discarded(offered, owner):
    draft = agreement_issue(engagement=offered, actor=owner, send=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=draft.pk).update(html="<p>edited in place</p>")
    replaced = agreement_issue(engagement=offered, actor=owner, send=True)  # deletes the draft, sends anew
    assert list(Agreement.objects.values_list("pk", "version")) == [(replaced.pk, 1)]


@pytest.mark.django_db(transaction=True)
def test_two_signatures_by_the_same_side_at_once_sign_once(sent, owner):
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def run(i):
        try:
            barrier.wait()
            outcomes[i] = _sign(sent, owner)
        except Exception as exc:  # the test inspects it
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ConflictError) and "already signed" in str(errors[0])
    assert AgreementSignature.objects.filter(agreement=sent, side=SignerSide.OWNER).count() == 1
