"""Agreements through the services: rendering from a template, freezing once sent, new versions,
signing (and everything signing refuses), and the emailed PDF."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from engagements.agreement_text import DEFAULT_TEMPLATE
from engagements.models import Agreement, AgreementSignature, SignerSide, document_sha256
from engagements.selectors import agreement_with_status, current_agreement
from engagements.services.agreement import agreement_issue, agreement_sign, agreement_template_save
from engagements.services.transitions import ConflictError, NotAllowed
from notifications.models import Notification


def sign(agreement, side, *, name, user, freelancer=None, sha=None, agree=True):
    return agreement_sign(agreement_id=agreement.pk, side=side, full_name=name, agree=agree,
                          document_sha256=agreement.document_sha256 if sha is None else sha, user=user,
                          freelancer=freelancer, ip="203.0.113.7", user_agent="pytest-browser/1.0")


def both_sign(agreement, owner, freelancer):
    sign(agreement, SignerSide.OWNER, name=owner.full_name, user=owner)
    return sign(agreement, SignerSide.FREELANCER, name=freelancer.name, user=None, freelancer=freelancer)


def test_the_default_template_fills_in_the_engagement(sent, freelancer):
    text = sent.html
    assert "Acme Studio" in text and "Frida Lance" in text and "Checkout redesign" in text
    assert "version 1 of the brief" in text
    assert "2,000.00 USD" in text and "Checkout flow: 500.00 USD" in text
    assert "without the Client's prior written consent" in text
    assert "14 days" in text
    assert sent.sent_at is not None and len(sent.document_sha256) == 64
    assert current_agreement(sent.engagement).status == "sent"


def test_an_unknown_placeholder_is_refused_by_name(workspace):
    with pytest.raises(ValidationError) as exc:
        agreement_template_save(workspace=workspace, name="Mine",
                                body="Hello {{freelancer_name}}, {{ settings.SECRET_KEY }} and {{ fee }}")
    message = exc.value.message_dict["body"][0]
    assert "{{settings.SECRET_KEY}}" in message and "{{fee}}" in message and "freelancer_name" not in message.split(
        "Use only")[0]


def test_template_injection_renders_inert(offered, owner, workspace):
    template = agreement_template_save(workspace=workspace, name="Tricky", body=(
        "{% load static %}{% debug %}\n\n<script>alert(1)</script><b onclick=\"x()\">bold</b> "
        "<img src=x onerror=alert(2)>\n\nFor {{freelancer_name}}."
    ))
    offered.freelancer.name = "<i>Eve</i> {{ settings.SECRET_KEY }}"
    offered.freelancer.save(update_fields=["name"])
    html = agreement_issue(engagement=offered, actor=owner, template=template).html
    assert "<script" not in html and "onclick" not in html and "onerror" not in html and "<img" not in html
    assert "{% load static %}{% debug %}" in html  # shown as the text it is, never run
    assert "&lt;i&gt;Eve&lt;/i&gt; {{ settings.SECRET_KEY }}" in html  # the value, escaped and not expanded
    from django.conf import settings
    assert settings.SECRET_KEY not in html


def test_both_sign_and_both_get_the_pdf(sent, owner, freelancer, mailoutbox, django_capture_on_commit_callbacks,
                                       celery_eager):
    sign(sent, SignerSide.OWNER, name="  olivia   OWNER ", user=owner)
    assert agreement_with_status(sent).status == "sent"
    with django_capture_on_commit_callbacks(execute=True):  # the PDF and the emails follow the commit
        agreement = sign(sent, SignerSide.FREELANCER, name="Frida Lance", user=None, freelancer=freelancer)
    assert agreement.status == "signed"
    owner_sig = agreement.by_side["owner"]
    assert (owner_sig.full_name, owner_sig.ip, owner_sig.user_agent) == ("olivia OWNER", "203.0.113.7",
                                                                        "pytest-browser/1.0")
    assert owner_sig.document_sha256 == sent.document_sha256
    emails = Notification.objects.filter(kind="agreement_signed", dedupe_key__contains=":both")
    assert {n.recipient_email for n in emails} == {"owner@example.com", "frida@example.net"}
    assert all(n.attachments[0]["mimetype"] == "application/pdf" for n in emails)


def test_a_stale_page_is_refused_and_nothing_is_stored(sent, owner):
    with pytest.raises(ConflictError, match="not the current document"):
        sign(sent, SignerSide.OWNER, name=owner.full_name, user=owner, sha="0" * 64)
    assert not AgreementSignature.objects.exists()


@pytest.mark.parametrize(("name", "agree", "field"), [
    ("", True, "full_name"), ("Someone Else", True, "full_name"), ("Olivia Owner", False, "agree"),
])
def test_a_bad_signature_is_refused_by_field(sent, owner, name, agree, field):
    with pytest.raises(ValidationError) as exc:
        sign(sent, SignerSide.OWNER, name=name, user=owner, agree=agree)
    assert field in exc.value.message_dict
    assert not AgreementSignature.objects.exists()


def test_a_second_signature_by_the_same_side_is_refused(sent, owner):
    sign(sent, SignerSide.OWNER, name=owner.full_name, user=owner)
    with pytest.raises(ConflictError, match="already signed"):
        sign(sent, SignerSide.OWNER, name=owner.full_name, user=owner)
    assert AgreementSignature.objects.count() == 1


def test_only_the_owner_and_the_engagements_freelancer_sign(sent, manager, other_freelancer):
    with pytest.raises(NotAllowed):
        sign(sent, SignerSide.OWNER, name=manager.full_name, user=manager)
    with pytest.raises(NotAllowed):
        sign(sent, SignerSide.FREELANCER, name=other_freelancer.name, user=None, freelancer=other_freelancer)


def test_a_new_version_supersedes_and_needs_both_signatures_again(sent, owner, freelancer):
    both_sign(sent, owner, freelancer)
    v2 = agreement_issue(engagement=sent.engagement, actor=owner)
    assert v2.version == 2
    assert agreement_with_status(sent).status == "superseded"
    assert current_agreement(sent.engagement).status == "sent"
    with pytest.raises(ConflictError, match="replaced by version 2"):
        sign(sent, SignerSide.FREELANCER, name=freelancer.name, user=None, freelancer=freelancer)
    assert both_sign(v2, owner, freelancer).status == "signed"


def test_a_document_changed_after_it_was_sent_is_refused(sent, owner):
    changed = sent.html.replace("Frida Lance", "Someone Else")
    if connection.vendor == "postgresql":
        # The database refuses the change itself; a page showing such a document is refused too.
        with pytest.raises(IntegrityError), transaction.atomic():
            Agreement.objects.filter(pk=sent.pk).update(html=changed)
        assert Agreement.objects.get(pk=sent.pk).html == sent.html
        page_hash = document_sha256(changed)
    else:
        # SQLite has no trigger: the row is changed behind the app's back, and the page the
        # signer read (the original) no longer matches what signing recomputes.
        Agreement.objects.filter(pk=sent.pk).update(html=changed)
        page_hash = sent.document_sha256
    with pytest.raises(ConflictError, match="not the current document"):
        sign(Agreement.objects.get(pk=sent.pk), SignerSide.OWNER, name=owner.full_name, user=owner, sha=page_hash)
    assert not AgreementSignature.objects.exists()


def test_a_draft_is_replaced_until_sent(offered, owner):
    draft = agreement_issue(engagement=offered, actor=owner, send=False)
    again = agreement_issue(engagement=offered, actor=owner, send=False)
    assert (draft.version, again.version) == (1, 1)
    assert list(Agreement.objects.values_list("pk", flat=True)) == [again.pk]
    with pytest.raises(ConflictError, match="not been sent"):
        sign(again, SignerSide.OWNER, name=owner.full_name, user=owner)


def test_the_default_template_names_only_allowed_placeholders():
    from engagements.agreement_text import validate_template

    validate_template(DEFAULT_TEMPLATE)


def test_an_agreement_sent_while_a_draft_is_emailed_to_the_freelancer_when_the_engagement_is_offered(
        engagement, owner):
    from engagements.services.brief import brief_save
    from engagements.services.lifecycle import engagement_offer, engagement_withdraw
    from engagements.services.milestone import milestone_create
    from engagements.tests.conftest import BRIEF

    brief_save(engagement=engagement, actor=owner, **BRIEF)
    milestone_create(engagement=engagement, actor=owner, title="Checkout flow", acceptance_criteria="As briefed.",
                     amount=50000)
    agreement = agreement_issue(engagement=engagement, actor=owner)
    asked = Notification.objects.filter(kind="agreement_sent", recipient_email=engagement.freelancer.email)
    assert not asked.exists()  # a draft engagement is not shown to the freelancer yet

    engagement_offer(engagement=engagement, actor=owner)
    assert asked.count() == 1 and f"agreement-sent:{agreement.pk}" in asked.get().dedupe_key
    # Withdrawn and offered again: the same version is not asked for twice.
    engagement_withdraw(engagement=engagement, actor=owner)
    engagement.refresh_from_db()
    engagement_offer(engagement=engagement, actor=owner)
    assert asked.count() == 1
