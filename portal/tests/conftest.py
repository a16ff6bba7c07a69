"""The portal's test cast and a world with one of everything.

- `freelancer_a` / `freelancer_b`: two freelancers of the shared `workspace`, each with a portal
  login (`user_a`, `user_b`) and an engagement of their own.
- `world`: freelancer A's objects, made through the real services: an active hourly engagement
  with a brief (acknowledged, then changed), a question, milestones (one handed in with a file
  and released, one funded), a status update, a check-in, a playbook document, an access grant,
  a timesheet with an entry, a payout; a completed engagement with its end review; a sample,
  testimonial, reference and interview; a pending portal invitation for another freelancer; a
  teammate invitation and a manager. Strings in A's objects carry `SECRET_MARK`, so a page that
  shows any of them to someone else is caught.
"""

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Invitation, InvitationRole, Membership, Role
from accounts.tests.factories import UserFactory
from engagements import briefs, grants, playbook, reporting, reviews, services, work
from engagements.models import Brief, BriefQuestion, Engagement, Milestone
from freelancers.models import Freelancer, FreelancerStatus
from freelancers.services import interview as interview_actions
from freelancers.services import portfolio as portfolio_actions
from freelancers.services import reference as reference_actions
from payments import services as payments
from portal.models import PortalAccess

SECRET_MARK = "Zephyrine"  # in every title and text of A's world; nobody else may ever see it
PASSWORD = "correct-horse-battery-9"
BRIEF = {"goal": f"{SECRET_MARK} goal: a faster checkout.", "deliverables": "Figma file and a component.",
         "acceptance_criteria": "Checkout in three steps."}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

_keys = itertools.count(1)


def key():
    return f"portal-test-{next(_keys)}"


def linked_freelancer(workspace, *, name, email, user=None, **extra):
    """A freelancer of `workspace` whose portal login is `user` (created when not given)."""
    user = user or UserFactory(email=email, full_name=name)
    extra.setdefault("rate_amount", 5000)
    extra.setdefault("rate_unit", "hour")
    freelancer = Freelancer.objects.create(workspace=workspace, name=name, email=email, user=user,
                                           status=FreelancerStatus.APPROVED, timezone="Europe/Lisbon",
                                           currency=workspace.currency, **extra)
    PortalAccess.objects.create(freelancer=freelancer, joined_at=timezone.now())
    return freelancer


def start_engagement(workspace, owner, freelancer, *, title, milestones=(), pay_terms="fixed", **fields):
    """Brief, milestones, offer, acknowledgement: an active engagement, through the services."""
    if pay_terms == "hourly":
        fields.setdefault("weekly_hour_cap", 20)
    engagement = services.engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer,
                                            title=title, budget=1_000_000, pay_terms=pay_terms, **fields)
    briefs.brief_save(engagement=engagement, actor=owner, **BRIEF)
    for name in milestones:
        work.milestone_create(engagement=engagement, actor=owner, title=name, acceptance_criteria="As briefed.",
                              amount=100_000)
    services.engagement_offer(engagement=engagement, actor=owner)
    briefs.brief_acknowledge(brief_id=briefs.current_brief(engagement).pk, freelancer=freelancer)
    engagement.refresh_from_db()
    return engagement


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def user_a(db):
    return UserFactory(email="ana@example.net", full_name="Ana Alves")


@pytest.fixture
def freelancer_a(workspace, user_a):
    return linked_freelancer(workspace, name="Ana Alves", email="ana@example.net", user=user_a)


@pytest.fixture
def user_b(db):
    return UserFactory(email="bruno@example.net", full_name="Bruno Braga")


@pytest.fixture
def freelancer_b(workspace, owner, user_b):
    freelancer = linked_freelancer(workspace, name="Bruno Braga", email="bruno@example.net", user=user_b)
    start_engagement(workspace, owner, freelancer, title="Bruno's own work", milestones=["B part"])
    return freelancer


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_a(user_a, freelancer_a):
    return client_for(user_a)


@pytest.fixture
def client_b(user_b, freelancer_b):
    return client_for(user_b)


@dataclass
class World:
    engagement: Engagement
    finished: Engagement
    brief: Brief
    question: BriefQuestion
    milestone: Milestone
    funded: Milestone
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture
def world(workspace, owner, freelancer_a, media):
    """Everything freelancer A has, through the services (see the module docstring)."""
    owner_ = owner
    a = freelancer_a
    doc = playbook.playbook_document_create(workspace=workspace, actor=owner_, title=f"{SECRET_MARK} how we work",
                                            kind="how_we_work", body="Be kind.")
    engagement = services.engagement_create(
        workspace=workspace, created_by=owner_, freelancer=a, title=f"{SECRET_MARK} checkout", budget=2_000_000,
        pay_terms="hourly", weekly_hour_cap=20,
    )
    briefs.brief_save(engagement=engagement, actor=owner_, **BRIEF)
    first, _ = work.milestone_create(engagement=engagement, actor=owner_, title=f"{SECRET_MARK} wireframes",
                                     acceptance_criteria="Three screens.", amount=100_000)
    second, _ = work.milestone_create(engagement=engagement, actor=owner_, title=f"{SECRET_MARK} build",
                                      acceptance_criteria="Working code.", amount=200_000)
    playbook.playbook_attach(engagement=engagement, document=doc, actor=owner_)
    services.engagement_offer(engagement=engagement, actor=owner_)
    briefs.brief_acknowledge(brief_id=briefs.current_brief(engagement).pk, freelancer=a)
    brief, _ = briefs.brief_save(engagement=engagement, actor=owner_, change_summary="Mobile too.",
                                 **{**BRIEF, "deliverables": "Figma file, a component and the mobile view."})
    question = briefs.brief_question_ask(brief_id=brief.pk, freelancer=a, body=f"{SECRET_MARK}: which browsers?")
    briefs.brief_question_answer(question=question, actor=owner_, answer="The last two versions of each.")
    reporting.status_update_post(engagement_id=engagement.pk, freelancer=a, done=f"{SECRET_MARK} done",
                                 next="Next bit", percent_complete=30)
    checkin = reporting.checkin_schedule(engagement=engagement, actor=owner_,
                                         scheduled_at=timezone.now() + timedelta(days=2), agenda=f"{SECRET_MARK}")
    grant = grants.access_grant_create(engagement=engagement, actor=owner_, label=f"{SECRET_MARK} CMS",
                                       url="https://cms.example.com", username="ana", secret="hunter2-s3cret")
    for m in (first, second):
        payments.milestone_fund(milestone=m, actor=owner_, idempotency_key=key())
    submission = payments.milestone_submit_for_review(
        milestone_id=first.pk, freelancer=a, message=f"{SECRET_MARK} wireframes attached", links=["https://figma.com/x"],
        files=[SimpleUploadedFile("wireframes.png", PNG, content_type="image/png")], attest_own_work=True,
    )
    payments.milestone_release(milestone=first, actor=owner_, idempotency_key=key())
    payments.payout_record(engagement=engagement, actor=owner_, amount=40_000, method="bank_transfer",
                           reference="TR-1", paid_on=timezone.now().date(), idempotency_key=key())
    timesheet = payments.timesheet_for_week(engagement=engagement, day=timezone.localdate(), actor=a.user)
    entry = payments.timesheet_entry_add(timesheet=timesheet, actor=a.user, day=timesheet.week_start, minutes=90,
                                         description=f"{SECRET_MARK} pairing")

    finished = services.engagement_create(workspace=workspace, created_by=owner_, freelancer=a,
                                          title=f"{SECRET_MARK} logo", budget=100_000, pay_terms="hourly",
                                          weekly_hour_cap=5)
    briefs.brief_save(engagement=finished, actor=owner_, **BRIEF)
    services.engagement_offer(engagement=finished, actor=owner_)
    briefs.brief_acknowledge(brief_id=briefs.current_brief(finished).pk, freelancer=a)
    services.engagement_complete(engagement=finished, actor=owner_)
    review = reviews.review_save(engagement=finished, actor=owner_, went_well=f"{SECRET_MARK} speed",
                                 do_differently="Ask earlier.", private_notes="PRIVATE-NOTE-never-shown",
                                 quality=5, communication=4, timeliness=4, rehire=True)

    sample = portfolio_actions.sample_add(
        freelancer=a, actor=owner_, title=f"{SECRET_MARK} sample",
        upload=SimpleUploadedFile("sample.png", PNG, content_type="image/png"))
    testimonial = portfolio_actions.testimonial_add(freelancer=a, quote=f"{SECRET_MARK} great", author="Eve")
    reference = reference_actions.reference_create(freelancer=a, name="Rita Referee", email="rita@example.org",
                                                   relationship="Former client")
    interview = interview_actions.interview_schedule(freelancer=a, actor=owner_,
                                                     scheduled_at=timezone.now() + timedelta(days=3))
    other = Freelancer.objects.create(workspace=workspace, name="Carla Invited", email="carla@example.net",
                                      status=FreelancerStatus.APPROVED)
    portal_invitation = account_services.invitation_issue(
        workspace=workspace, email=other.email, role=InvitationRole.FREELANCER, invited_by=owner_,
        target_id=other.pk).invitation
    teammate_invitation = account_services.invitation_issue(
        workspace=workspace, email="new.teammate@example.com", role=InvitationRole.MANAGER,
        invited_by=owner_).invitation
    manager = UserFactory(email="mira.manager@example.com")
    membership = Membership.objects.create(user=manager, workspace=workspace, role=Role.MANAGER)

    for obj in (engagement, finished, first, second):
        obj.refresh_from_db()
    return World(
        engagement=engagement, finished=finished, brief=brief, question=question, milestone=first, funded=second,
        objects={
            "document": doc, "checkin": checkin, "grant": grant, "submission": submission,
            "file": submission.files.get(), "timesheet": timesheet, "entry": entry, "review": review,
            "sample": sample, "testimonial": testimonial, "reference": reference, "interview": interview,
            "invited": other, "portal_invitation": portal_invitation, "teammate_invitation": teammate_invitation,
            "membership": membership, "freelancer": a,
        },
    )


@pytest.fixture
def pending_invitation(workspace, owner):
    """A freelancer without a login and a portal invitation for them: (freelancer, raw token)."""
    freelancer = Freelancer.objects.create(workspace=workspace, name="Nora Newcomer", email="nora@example.net",
                                           status=FreelancerStatus.APPROVED, timezone="America/Toronto")
    issued = account_services.invitation_issue(workspace=workspace, email=freelancer.email,
                                               role=InvitationRole.FREELANCER, invited_by=owner,
                                               target_id=freelancer.pk)
    return freelancer, issued.token


def invitation_of(freelancer):
    return Invitation.objects.filter(target_id=freelancer.pk, role=InvitationRole.FREELANCER).latest("created_at")
