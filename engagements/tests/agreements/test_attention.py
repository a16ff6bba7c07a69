"""The "needs attention" row of an agreement waiting for a signature: on the owner's list until
the owner signed, on the freelancer's until they signed; a superseded version leaves it."""

from django.utils import timezone

from accounts.attention import AttentionWindow
from engagements.models import SignerSide
from engagements.selectors import engagement_attention
from engagements.selectors.agreement import agreements_awaiting_freelancer
from engagements.services.agreement import agreement_issue, agreement_sign


def _owner_kinds(workspace):
    items, _ = engagement_attention(workspace, now=timezone.now(), window=AttentionWindow())
    return [(i.kind, i.key) for i in items if i.kind == "agreement_unsigned"]


def test_an_agreement_waits_on_each_side_until_it_signs(sent, owner, freelancer, workspace):
    assert _owner_kinds(workspace) == [("agreement_unsigned", f"agreement_unsigned:{sent.pk}")]
    assert agreements_awaiting_freelancer([sent.engagement_id]) == {sent.engagement_id: 1}
    agreement_sign(agreement_id=sent.pk, side=SignerSide.OWNER, full_name="Olivia Owner", agree=True,
                   document_sha256=sent.document_sha256, user=owner)
    assert _owner_kinds(workspace) == []
    assert agreements_awaiting_freelancer([sent.engagement_id]) == {sent.engagement_id: 1}
    agreement_sign(agreement_id=sent.pk, side=SignerSide.FREELANCER, full_name="Frida Lance", agree=True,
                   document_sha256=sent.document_sha256, user=None, freelancer=freelancer)
    assert agreements_awaiting_freelancer([sent.engagement_id]) == {}


def test_a_new_version_is_what_waits(sent, owner, workspace):
    v2 = agreement_issue(engagement=sent.engagement, actor=owner)
    assert _owner_kinds(workspace) == [("agreement_unsigned", f"agreement_unsigned:{v2.pk}")]
    assert agreements_awaiting_freelancer([sent.engagement_id]) == {sent.engagement_id: 2}


def test_a_draft_waits_for_nobody(offered, owner, workspace):
    agreement_issue(engagement=offered, actor=owner, send=False)
    assert _owner_kinds(workspace) == []
    assert agreements_awaiting_freelancer([offered.pk]) == {}
