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

import io
import itertools
import re
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from accounts import services as account_services
from accounts.models import Invitation, InvitationRole, Membership, Role
from accounts.tests.factories import UserFactory
from api.models import ApiToken, TokenRole
from engagements import selectors
from engagements.models import Brief, BriefQuestion, Engagement, Milestone
from engagements.services import access as grants
from engagements.services import brief as briefs
from engagements.services import conversation, playbook, reporting
from engagements.services import lifecycle as services
from engagements.services import milestone as work
from engagements.services import review as reviews
from engagements.services.agreement import agreement_issue, agreement_template_save
from freelancers.models import Freelancer, FreelancerStatus
from freelancers.services import imports as import_actions
from freelancers.services import interview as interview_actions
from freelancers.services import portfolio as portfolio_actions
from freelancers.services import reference as reference_actions
from notifications.models import Notification
from notifications.webhooks.services import webhook_endpoint_create, webhook_test_send
from payments import services as payments
from payments.models import ProviderCharge, Transaction
from payments.services.invoices import invoice_issue, tax_details_save
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
    services.brief_acknowledge(brief_id=selectors.current_brief(engagement).pk, freelancer=freelancer)
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


def _active_engagement(workspace, owner, a):
    """A's running hourly engagement with one of everything hanging from it."""
    doc = playbook.playbook_document_create(workspace=workspace, actor=owner, title=f"{SECRET_MARK} how we work",
                                            kind="how_we_work", body="Be kind.")
    engagement = services.engagement_create(
        workspace=workspace, created_by=owner, freelancer=a, title=f"{SECRET_MARK} checkout", budget=2_000_000,
        pay_terms="hourly", weekly_hour_cap=20,
    )
    briefs.brief_save(engagement=engagement, actor=owner, **BRIEF)
    first, _ = work.milestone_create(engagement=engagement, actor=owner, title=f"{SECRET_MARK} wireframes",
                                     acceptance_criteria="Three screens.", amount=100_000)
    second, _ = work.milestone_create(engagement=engagement, actor=owner, title=f"{SECRET_MARK} build",
                                      acceptance_criteria="Working code.", amount=200_000)
    playbook.playbook_attach(engagement=engagement, document=doc, actor=owner)
    services.engagement_offer(engagement=engagement, actor=owner)
    services.brief_acknowledge(brief_id=selectors.current_brief(engagement).pk, freelancer=a)
    brief, _ = briefs.brief_save(engagement=engagement, actor=owner, change_summary="Mobile too.",
                                 **{**BRIEF, "deliverables": "Figma file, a component and the mobile view."})
    question = briefs.brief_question_ask(brief_id=brief.pk, freelancer=a, body=f"{SECRET_MARK}: which browsers?")
    briefs.brief_question_answer(question=question, actor=owner, answer="The last two versions of each.")
    reporting.status_update_post(engagement_id=engagement.pk, freelancer=a, done=f"{SECRET_MARK} done",
                                 next="Next bit", percent_complete=30)
    checkin = reporting.checkin_schedule(engagement=engagement, actor=owner,
                                         scheduled_at=timezone.now() + timedelta(days=2), agenda=f"{SECRET_MARK}")
    grant = grants.access_grant_create(engagement=engagement, actor=owner, label=f"{SECRET_MARK} CMS",
                                       url="https://cms.example.com", username="ana", secret="hunter2-s3cret")
    for m in (first, second):
        payments.milestone_fund(milestone=m, actor=owner, idempotency_key=key())
    submission = payments.milestone_submit_for_review(
        milestone_id=first.pk, freelancer=a, message=f"{SECRET_MARK} wireframes attached", links=["https://figma.com/x"],
        files=[SimpleUploadedFile("wireframes.png", PNG, content_type="image/png")], attest_own_work=True,
    )
    payments.milestone_release(milestone=first, actor=owner, idempotency_key=key())
    payments.payout_record(engagement=engagement, actor=owner, amount=40_000, method="bank_transfer",
                           reference="TR-1", paid_on=timezone.now().date(), idempotency_key=key())
    timesheet = payments.timesheet_for_week(engagement=engagement, day=timezone.localdate(), actor=a.user)
    entry = payments.timesheet_entry_add(timesheet=timesheet, actor=a.user, day=timesheet.week_start, minutes=90,
                                         description=f"{SECRET_MARK} pairing")
    return {"engagement": engagement, "brief": brief, "question": question, "milestone": first, "funded": second,
            "document": doc, "checkin": checkin, "grant": grant, "submission": submission, "timesheet": timesheet,
            "entry": entry}


def real_png(size=(64, 48), colour=(40, 120, 200)):
    """The bytes of a PNG image Pillow can read (so it gets a preview)."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def _conversation(engagement, owner, a):
    """The owner asks, A answers with an image: the thread, its messages and A's file."""
    asked = conversation.message_post(engagement=engagement, author=owner, body=f"{SECRET_MARK}: send the fonts?")
    answer = conversation.message_post(
        engagement=engagement, author=a.user, as_freelancer=True, body=f"{SECRET_MARK}: here is the mock-up.",
        files=[SimpleUploadedFile("mockup.png", real_png(), content_type="image/png")])
    return {"owner_message": asked, "message": answer, "attachment": answer.attachments.get()}


def _finished_engagement(workspace, owner, a):
    """A's completed engagement, with its end review."""
    finished = services.engagement_create(workspace=workspace, created_by=owner, freelancer=a,
                                          title=f"{SECRET_MARK} logo", budget=100_000, pay_terms="hourly",
                                          weekly_hour_cap=5)
    briefs.brief_save(engagement=finished, actor=owner, **BRIEF)
    services.engagement_offer(engagement=finished, actor=owner)
    services.brief_acknowledge(brief_id=selectors.current_brief(finished).pk, freelancer=a)
    services.engagement_complete(engagement=finished, actor=owner)
    review = reviews.review_save(engagement=finished, actor=owner, went_well=f"{SECRET_MARK} speed",
                                 do_differently="Ask earlier.", private_notes="PRIVATE-NOTE-never-shown",
                                 quality=5, communication=4, timeliness=4, rehire=True)
    return finished, review


def _vetting_records(a, owner):
    """What the owner keeps about A while vetting: a sample, a testimonial, a referee, an interview."""
    return {
        "sample": portfolio_actions.sample_add(
            freelancer=a, actor=owner, title=f"{SECRET_MARK} sample",
            upload=SimpleUploadedFile("sample.png", PNG, content_type="image/png")),
        "testimonial": portfolio_actions.testimonial_add(freelancer=a, quote=f"{SECRET_MARK} great", author="Eve"),
        "reference": reference_actions.reference_create(freelancer=a, name="Rita Referee",
                                                        email="rita@example.org", relationship="Former client"),
        "interview": interview_actions.interview_schedule(freelancer=a, actor=owner,
                                                          scheduled_at=timezone.now() + timedelta(days=3)),
    }


def _workspace_people(workspace, owner):
    """Another freelancer with a pending portal invitation, a teammate invitation, a manager."""
    other = Freelancer.objects.create(workspace=workspace, name="Carla Invited", email="carla@example.net",
                                      status=FreelancerStatus.APPROVED)
    portal_invitation = account_services.invitation_issue(
        workspace=workspace, email=other.email, role=InvitationRole.FREELANCER, invited_by=owner,
        target_id=other.pk).invitation
    teammate_invitation = account_services.invitation_issue(
        workspace=workspace, email="new.teammate@example.com", role=InvitationRole.MANAGER,
        invited_by=owner).invitation
    manager = UserFactory(email="mira.manager@example.com")
    membership = Membership.objects.create(user=manager, workspace=workspace, role=Role.MANAGER)
    freelancer_import = import_actions.freelancer_import_preview(
        workspace=workspace, actor=owner, uploaded_file=SimpleUploadedFile(
            "people.csv", f"name,email\n{SECRET_MARK} Person,secret.person@example.net\n".encode()))
    return {"invited": other, "portal_invitation": portal_invitation, "teammate_invitation": teammate_invitation,
            "membership": membership, "freelancer_import": freelancer_import}


def _webhook(workspace, owner):
    """A webhook endpoint of the workspace (a name that never resolves) and one delivery to it."""
    endpoint, _ = webhook_endpoint_create(workspace=workspace, actor=owner, url="https://hooks.example.invalid/x",
                                          events=["milestone.funded"], description=f"{SECRET_MARK} CRM")
    return {"webhook_endpoint": endpoint, "webhook_delivery": webhook_test_send(endpoint=endpoint, actor=owner)
            .deliveries.get()}


def _invoice(a, workspace):
    tax_details_save(freelancer=a, legal_name=f"{SECRET_MARK} Ana Ltd", address="1 Main St\nLisbon", country="PT")
    release = Transaction.objects.get(workspace=workspace, kind="release", engagement__freelancer=a)
    return invoice_issue(transaction_id=release.pk, actor=a.user)


def _pay_models(workspace, owner, a):
    """A's retainer engagement with its first period funded, and a commission engagement with a
    report (the pay models' pages, portal pages and API operations)."""
    retainer = services.engagement_create(workspace=workspace, created_by=owner, freelancer=a,
                                          title=f"{SECRET_MARK} retainer", pay_terms="retainer",
                                          retainer_amount=90_000, retainer_hours=8, starts_on=timezone.localdate())
    briefs.brief_save(engagement=retainer, actor=owner, **BRIEF)
    services.engagement_offer(engagement=retainer, actor=owner)
    services.brief_acknowledge(brief_id=selectors.current_brief(retainer).pk, freelancer=a)
    period = payments.retainer_period_fund(engagement=Engagement.objects.get(pk=retainer.pk)).retainer_funded
    seller = services.engagement_create(workspace=workspace, created_by=owner, freelancer=a,
                                        title=f"{SECRET_MARK} commission", pay_terms="commission",
                                        commission_percent=10)
    briefs.brief_save(engagement=seller, actor=owner, **BRIEF)
    services.engagement_offer(engagement=seller, actor=owner)
    report = payments.commission_report_create(engagement=seller, actor=owner, period=timezone.localdate(),
                                               base_amount=50_000, note=f"{SECRET_MARK} sales")
    return {"retainer_period": period, "commission_report": report}


@pytest.fixture
def world(workspace, owner, freelancer_a, media):
    """Everything freelancer A has, through the services (see the module docstring)."""
    a = freelancer_a
    active = _active_engagement(workspace, owner, a)
    talk = _conversation(active["engagement"], owner, a)
    finished, review = _finished_engagement(workspace, owner, a)
    records = _vetting_records(a, owner)
    people = _workspace_people(workspace, owner)
    engagement, first, second = active["engagement"], active["milestone"], active["funded"]
    for obj in (engagement, finished, first, second):
        obj.refresh_from_db()
    shown = ("document", "checkin", "grant", "submission")
    return World(
        engagement=engagement, finished=finished, brief=active["brief"], question=active["question"],
        milestone=first, funded=second,
        objects={
            **{name: active[name] for name in shown}, "file": active["submission"].files.get(),
            "timesheet": active["timesheet"], "entry": active["entry"], "review": review, **records, **people,
            "freelancer": a, **talk,
            # An email of A's and one of the owner's, as notices in their inboxes.
            "notice": Notification.objects.filter(recipient_email=a.email).first(),
            "owner_notice": Notification.objects.filter(recipient_email=owner.email).first(),
            # The owner's own API token: only its user may revoke it on the token page.
            "owner_token": ApiToken.issue(user=owner, workspace=workspace, role=TokenRole.OWNER)[0],
            # The engagement's agreement (sent, waiting for A's signature) and a template of the workspace's.
            "agreement": agreement_issue(engagement=engagement, actor=owner),
            "agreement_template": agreement_template_save(workspace=workspace, name=f"{SECRET_MARK} terms",
                                                          body="For {{freelancer_name}}."),
            **_webhook(workspace, owner),
            # A's invoice for the release (A issued it from the portal, with A's tax details).
            "invoice": _invoice(a, workspace),
            **_pay_models(workspace, owner, a),
            # A bonus whose off-session charge failed, as the Stripe rail leaves it (payments/services/
            # provider_charges.py): its page is the owner's, to pay it through Checkout.
            "charge": ProviderCharge.objects.create(
                workspace=workspace, engagement=engagement, purpose="bonus", ledger_key=f"{SECRET_MARK}-bonus",
                request_fingerprint="0" * 64, amount=5_000, currency=engagement.currency,
                memo=f"Bonus: {SECRET_MARK}", status="failed", error="Your card was declined.", created_by=owner),
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


# --- Invitations and offers -------------------------------------------------------------------
@pytest.fixture
def nora(workspace):
    return Freelancer.objects.create(workspace=workspace, name="Nora Newcomer", email="Nora@Example.net",
                                     status=FreelancerStatus.APPROVED, timezone="America/Toronto")


@pytest.fixture
def invite(owner_client, nora, celery_eager, mailoutbox, django_capture_on_commit_callbacks):
    """The owner presses "Invite to portal" on Nora's profile; returns the emailed link's path."""

    def send(freelancer=nora, client=owner_client):
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/portal/owner/freelancers/{freelancer.pk}/invite/")
        assert response.status_code == 302
        assert len(mailoutbox) == before + 1
        message = mailoutbox[-1]
        assert message.to == [freelancer.email.lower()]
        [url] = re.findall(r"https?://\S+/portal/invite/\S+/", message.body)
        return urlparse(url).path

    return send


def open_link(client, path):
    """Follow the emailed link the way a browser does: the token leaves the address bar before
    anything renders."""
    response = client.get(path, follow=True)
    assert [url for url, _ in response.redirect_chain] == ["/portal/invite/"]
    token = path.rstrip("/").rsplit("/", 1)[-1]
    assert token not in response.content.decode()
    assert token not in response.request["PATH_INFO"]
    return response


def start_engagement_offered(workspace, owner, freelancer):
    engagement = services.engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer,
                                            title="Offered work", budget=100_000)
    briefs.brief_save(engagement=engagement, actor=owner, **BRIEF)
    work.milestone_create(engagement=engagement, actor=owner, title="Part", acceptance_criteria="x", amount=1000)
    services.engagement_offer(engagement=engagement, actor=owner)
    return engagement


@pytest.fixture
def offered(workspace, owner, freelancer_a):
    engagement = services.engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer_a,
                                            title="Brochure", budget=500_000)
    briefs.brief_save(engagement=engagement, actor=owner, **BRIEF)
    work.milestone_create(engagement=engagement, actor=owner, title="Draft", acceptance_criteria="x", amount=1000)
    services.engagement_offer(engagement=engagement, actor=owner)
    return engagement
