import factory

from accounts.tests.factories import WorkspaceFactory
from engagements.models import Brief, Engagement, Milestone
from freelancers.models import FreelancerStatus
from freelancers.tests.factories import FreelancerFactory


class ApprovedFreelancerFactory(FreelancerFactory):
    status = FreelancerStatus.APPROVED


class EngagementFactory(factory.django.DjangoModelFactory):
    """A draft engagement (rows only: use the services to move it through its lifecycle)."""

    class Meta:
        model = Engagement

    workspace = factory.SubFactory(WorkspaceFactory)
    freelancer = factory.SubFactory(ApprovedFreelancerFactory, workspace=factory.SelfAttribute("..workspace"))
    title = factory.Sequence(lambda n: f"Website redesign {n}")
    budget = 200000
    currency = "USD"


class BriefFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brief

    engagement = factory.SubFactory(EngagementFactory)
    version = 1
    goal = "A faster checkout."
    deliverables = "Figma file and a React component."
    acceptance_criteria = "Checkout in three steps."


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    engagement = factory.SubFactory(EngagementFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    acceptance_criteria = "Matches the brief."
    amount = 50000
    currency = "USD"
    position = factory.Sequence(lambda n: n + 1)


def sign_agreement(engagement, owner, *, self_billing=True):
    """Test setup through the services: a new agreement version for `engagement`, with the
    self-billing clause or without it, signed by the owner and the freelancer."""
    from engagements.models import AgreementTemplate, SignerSide  # noqa: PLC0415 - test helper only
    from engagements.services.agreement import agreement_issue, agreement_sign, agreement_template_save  # noqa: PLC0415

    Engagement.objects.filter(pk=engagement.pk).update(self_billing_proposed=self_billing)
    template = (AgreementTemplate.objects.filter(workspace=engagement.workspace_id, name="Invoicing only").first()
                or agreement_template_save(workspace=engagement.workspace, name="Invoicing only",
                                           body="# Invoicing\n\n{{self_billing}}"))
    agreement = agreement_issue(engagement=engagement, actor=owner, template=template)
    freelancer = engagement.freelancer
    for side, name, user, signer in ((SignerSide.OWNER, owner.full_name, owner, None),
                                     (SignerSide.FREELANCER, freelancer.name, None, freelancer)):
        agreement_sign(agreement_id=agreement.pk, side=side, full_name=name, agree=True,
                       document_sha256=agreement.document_sha256, user=user, freelancer=signer)
    engagement.self_billing_proposed = engagement.self_billed = self_billing
    return agreement
