"""Demo money for `manage.py demo`, after the engagements demo: milestones funded (held funds),
work waiting for review with a few days left, a dispute with the money frozen, a released
milestone with a bonus and a payout (self-billed: both invoiced in the freelancer's name, with
both sides' tax details), and the budget alert on an engagement nearly fully committed.
Everything goes through the services with fixed idempotency keys, so running the demo again
finds the first results and does nothing twice.
"""

from datetime import timedelta

from django.utils import timezone

from engagements.models import Engagement, Milestone, MilestoneState, SignerSide
from engagements.services.agreement import agreement_issue, agreement_sign
from engagements.services.milestone import milestone_submit
from engagements.services.transitions import milestone_transition

from . import demo_pay_models, services
from .errors import PaymentError
from .services.invoices import tax_details_save


def _milestone(engagement, title):
    return Milestone.objects.filter(engagement=engagement, title=title).first() if engagement else None


def _fund(milestone, owner, key):
    if milestone is not None and milestone.state == MilestoneState.DRAFT:
        try:
            services.milestone_fund(milestone=milestone, actor=owner, idempotency_key=key)
        except PaymentError:
            return
        milestone.refresh_from_db()


def _submit(milestone, message, days_ago):
    """The freelancer hands in work `days_ago` days ago (through the engagements service when
    the engagement is running), then the review clock starts from that moment."""
    if milestone is None or milestone.state != MilestoneState.FUNDED:
        return
    engagement = milestone.engagement
    if engagement.status == "active":
        milestone_submit(milestone_id=milestone.pk, freelancer=engagement.freelancer, message=message,
                         links=["https://drive.example.com/demo-rough-cut"], attest_own_work=True)
    else:
        milestone_transition(milestone_id=milestone.pk, to_state=MilestoneState.SUBMITTED)
    submitted_at = timezone.now() - timedelta(days=days_ago)
    Milestone.objects.filter(pk=milestone.pk).update(state_changed_at=submitted_at)
    services.review_clock_start(milestone_id=milestone.pk)
    milestone.refresh_from_db()


def load(workspace, owner):
    demo_pay_models.load(workspace, owner)
    engagements = {e.title: e for e in Engagement.objects.filter(workspace=workspace).select_related("freelancer")}
    video = engagements.get("Product launch video")
    trial = engagements.get("Trial job: booking page prototype")

    # The launch video: everything funded (the budget alert shows), the rough cut waiting for
    # review with three days left, the final master disputed over the change order.
    if video is not None:
        rough, final, cuts = (_milestone(video, t) for t in ("Rough cut", "Final master", "Cut-downs"))
        _fund(rough, owner, "demo:fund:rough-cut")
        _fund(final, owner, "demo:fund:final-master")
        _fund(cuts, owner, "demo:fund:cut-downs")
        _submit(rough, "Rough cut attached: 61 s, music option B, colour pass done. Logo animation is the 2025 "
                       "one until I get the new file.", days_ago=11)
        if final is not None and final.state == MilestoneState.FUNDED:
            services.milestone_dispute(
                milestone=final, actor=owner, idempotency_key="demo:dispute:final-master",
                reason="The change order added a square 1:1 cut-down; Jonas counts it as extra work outside the "
                       "Final master price, we think it is included. Holding the money until we agree.",
            )

    # The trial job: submitted, released, a bonus for the README, and paid out by bank transfer;
    # an agreement with the self-billing clause signed by both, so the release and the bonus are
    # invoiced in the freelancer's name.
    if trial is not None:
        _self_billing(workspace, owner, trial)
        booking = _milestone(trial, "Booking page prototype")
        _fund(booking, owner, "demo:fund:booking-page")
        _submit(booking, "Prototype and README in the repository; all three acceptance points covered.", days_ago=1)
        if booking is not None and booking.state == MilestoneState.SUBMITTED:
            services.milestone_release(milestone=booking, actor=owner, idempotency_key="demo:release:booking-page")
            booking.refresh_from_db()
        if booking is not None and booking.state == MilestoneState.RELEASED:
            services.bonus_pay(engagement=trial, actor=owner, amount=5000, note="Thanks for the thorough README.",
                               idempotency_key="demo:bonus:booking-readme")
            services.payout_record(
                engagement=trial, actor=owner, amount=65000, method="bank_transfer", reference="DEMO-TRF-0412",
                paid_on=timezone.localdate(), idempotency_key="demo:payout:trial",
                note="Trial fee and bonus",
            )


def _self_billing(workspace, owner, engagement):
    tax_details_save(workspace=workspace, legal_name=f"{workspace.name} Ltd", country="GB",
                     address="1 Demo Street\nLondon EC1A 1AA", tax_id="GB980780684")
    tax_details_save(freelancer=engagement.freelancer, legal_name=engagement.freelancer.name,
                     address="Demo-Allee 5\n10115 Berlin", country="DE", tax_id="DE136695976")
    if engagement.self_billed:  # the demo ran before
        return
    # Self-billing as the freelancer agreed to it in writing: a version with the clause, signed by both.
    Engagement.objects.filter(pk=engagement.pk).update(self_billing_proposed=True)
    agreement = agreement_issue(engagement=engagement, actor=owner)
    for side, name, user, signer in ((SignerSide.OWNER, owner.full_name, owner, None),
                                     (SignerSide.FREELANCER, engagement.freelancer.name, None, engagement.freelancer)):
        agreement_sign(agreement_id=agreement.pk, side=side, full_name=name, agree=True,
                       document_sha256=agreement.document_sha256, user=user, freelancer=signer, user_agent="demo")
    engagement.refresh_from_db()
