"""What needs the freelancer: each kind appears when its condition holds and goes once it is
handled; the next 14 days; the home's query count does not grow with the engagements."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import Milestone
from engagements.services import conversation, due_date, playbook, reporting
from engagements.services import milestone as work
from payments import services as payments
from portal.attention import freelancer_agenda, freelancer_attention

from .conftest import key, start_engagement

pytestmark = pytest.mark.django_db


def kinds(freelancer, now=None):
    return {item.kind for item in freelancer_attention(freelancer, now=now)}


def _funded(engagement, owner, *, title="Design", due_in_days=None):
    due_on = timezone.localdate() + timedelta(days=due_in_days) if due_in_days is not None else None
    milestone, _ = work.milestone_create(engagement=engagement, actor=owner, title=title, acceptance_criteria="x",
                                         amount=50_000, due_on=due_on)
    payments.milestone_fund(milestone=milestone, actor=owner, idempotency_key=key())
    milestone.refresh_from_db()
    return milestone


def _submit(milestone, freelancer):
    payments.milestone_submit_for_review(milestone_id=milestone.pk, freelancer=freelancer, message="Done.",
                                         attest_own_work=True)
    milestone.refresh_from_db()
    return milestone


@pytest.fixture
def running(workspace, owner, freelancer_a):
    return start_engagement(workspace, owner, freelancer_a, title="Shop", milestones=["Kickoff"])


def test_nothing_needs_a_freelancer_without_work(client_a):
    assert "Nothing needs you today." in client_a.get("/portal/").content.decode()


def test_an_unacknowledged_brief_until_acknowledged(offered, freelancer_a, client_a):
    assert "brief_unacknowledged" in kinds(freelancer_a)
    page = client_a.get("/portal/").content.decode()
    assert "Read and acknowledge brief v1 of “Brochure”" in page and "Read the brief" in page
    from engagements.selectors import current_brief
    from engagements.services import lifecycle

    lifecycle.brief_acknowledge(brief_id=current_brief(offered).pk, freelancer=freelancer_a)
    assert "brief_unacknowledged" not in kinds(freelancer_a)


def test_a_status_update_due_then_overdue_until_posted(running, freelancer_a):
    due = running.next_update_due_at
    assert "update_due" not in kinds(freelancer_a, now=due - timedelta(days=5))
    assert "update_due" in kinds(freelancer_a, now=due - timedelta(hours=3))
    [item] = [i for i in freelancer_attention(freelancer_a, now=due + timedelta(hours=1)) if i.kind == "update_overdue"]
    assert item.severity == "overdue" and item.due_at == due and item.url.endswith(f"/{running.pk}/updates/")
    with time_machine.travel(due + timedelta(hours=1), tick=False):
        reporting.status_update_post(engagement_id=running.pk, freelancer=freelancer_a, done="a", next="b",
                                     percent_complete=10)
        assert not {"update_due", "update_overdue"} & kinds(freelancer_a)


def test_changes_requested_until_handed_in_again(running, owner, freelancer_a):
    milestone = _submit(_funded(running, owner), freelancer_a)
    assert "changes_requested" not in kinds(freelancer_a)
    payments.milestone_request_changes(milestone=milestone, actor=owner, feedback="Bigger logo.")
    assert "changes_requested" in kinds(freelancer_a)
    _submit(milestone, freelancer_a)
    assert "changes_requested" not in kinds(freelancer_a)


def test_a_milestone_due_soon_then_overdue_until_handed_in(running, owner, freelancer_a):
    milestone = _funded(running, owner, due_in_days=2)
    assert "milestone_due" in kinds(freelancer_a)
    assert "milestone_overdue" in kinds(freelancer_a, now=milestone.due_at + timedelta(hours=1))
    _submit(milestone, freelancer_a)
    assert not {"milestone_due", "milestone_overdue"} & kinds(freelancer_a, now=milestone.due_at + timedelta(hours=1))


def test_a_far_milestone_does_not_need_them_yet(running, owner, freelancer_a):
    _funded(running, owner, due_in_days=10)
    assert "milestone_due" not in kinds(freelancer_a)


def test_a_dispute_the_owner_opened_until_resolved(running, owner, freelancer_a):
    milestone = _funded(running, owner)
    payments.milestone_dispute(milestone=milestone, actor=owner, reason="Not as agreed.", idempotency_key=key())
    assert "dispute_open" in kinds(freelancer_a)
    payments.milestone_resolve(milestone=Milestone.objects.get(pk=milestone.pk), actor=owner, release_amount=25_000,
                               refund_amount=25_000, idempotency_key=key())
    assert "dispute_open" not in kinds(freelancer_a)


def test_an_unread_message_until_read(running, owner, freelancer_a):
    conversation.message_post(engagement=running, author=owner, body="Can you send the fonts?")
    assert "message_unread" in kinds(freelancer_a)
    conversation.thread_mark_read(engagement=running, user=freelancer_a.user)
    assert "message_unread" not in kinds(freelancer_a)


def test_an_answered_date_request_for_three_days(running, owner, freelancer_a):
    milestone = _funded(running, owner, due_in_days=10)
    change = due_date.milestone_date_request(milestone_id=milestone.pk, freelancer=freelancer_a,
                                             proposed_on=timezone.localdate() + timedelta(days=14), reason="Flu.")
    assert "date_request_answered" not in kinds(freelancer_a)
    due_date.milestone_date_decide(change=change, actor=owner, accept=True)
    [item] = [i for i in freelancer_attention(freelancer_a) if i.kind == "date_request_answered"]
    assert "was accepted" in item.title
    assert "date_request_answered" not in kinds(freelancer_a, now=timezone.now() + timedelta(days=4))


def test_a_playbook_document_until_acknowledged(running, workspace, owner, freelancer_a):
    doc = playbook.playbook_document_create(workspace=workspace, actor=owner, title="How we work", kind="how_we_work",
                                            body="Be kind.")
    playbook.playbook_attach(engagement=running, document=doc, actor=owner)
    assert "playbook_unacknowledged" in kinds(freelancer_a)
    playbook.playbook_acknowledge(version_id=doc.versions.get().pk, freelancer=freelancer_a)
    assert "playbook_unacknowledged" not in kinds(freelancer_a)


def test_the_most_urgent_comes_first(running, owner, freelancer_a):
    conversation.message_post(engagement=running, author=owner, body="Hello")
    overdue = running.next_update_due_at + timedelta(hours=1)
    items = freelancer_attention(freelancer_a, now=overdue)
    assert [i.kind for i in items] == ["update_overdue", "message_unread"]
    assert [SEVERITY.index(i.severity) for i in items] == sorted(SEVERITY.index(i.severity) for i in items)


SEVERITY = ["overdue", "today", "soon"]


def test_the_next_14_days_in_order(running, owner, freelancer_a):
    milestone = _submit(_funded(running, owner, title="Review me", due_in_days=1), freelancer_a)
    _funded(running, owner, title="Later", due_in_days=5)
    _funded(running, owner, title="Far", due_in_days=30)
    reporting.checkin_schedule(engagement=running, actor=owner, scheduled_at=timezone.now() + timedelta(days=2),
                               agenda="Plan")
    agenda = freelancer_agenda(freelancer_a)
    assert [a.at for a in agenda] == sorted(a.at for a in agenda)
    assert {a.kind for a in agenda} >= {"milestone_due", "checkin", "review_closes"}
    assert not any("Far" in a.title for a in agenda)
    assert any(a.kind == "review_closes" and a.at == milestone.review_deadline_at for a in agenda)


def _home_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/portal/").status_code == 200
    return len(ctx)


def test_the_home_query_count_does_not_grow_with_engagements(workspace, owner, freelancer_a, client_a):
    first = start_engagement(workspace, owner, freelancer_a, title="Only one", milestones=["Kickoff"])
    _funded(first, owner, due_in_days=2)
    conversation.message_post(engagement=first, author=owner, body="Hi")
    _home_queries(client_a)  # warm the session and portal stamps
    one = _home_queries(client_a)
    for n in range(99):
        e = start_engagement(workspace, owner, freelancer_a, title=f"Job {n}", milestones=["Kickoff"])
        if n % 10 == 0:
            _funded(e, owner, due_in_days=2)
            conversation.message_post(engagement=e, author=owner, body="Hi")
    assert _home_queries(client_a) == one
    # ... and the page stays a page: the most urgent few, a page of cards, the soonest dates.
    response = client_a.get("/portal/")
    assert len(response.context["cards"].object_list) == 20 and response.context["cards"].paginator.count == 100
    assert len(response.context["attention"]) <= 15 < response.context["home"].attention_total
    assert client_a.get("/portal/?page=5").context["cards"].object_list[-1].engagement.title


def _busy(workspace, owner, freelancer, n, start):
    """n engagements with work due soon, work in review, a dispute the owner opened, an unread
    message and an offered one whose brief waits for acknowledgement."""
    from .conftest import start_engagement_offered

    for i in range(start, start + n):
        e = start_engagement(workspace, owner, freelancer, title=f"Job {i}", milestones=["Kickoff"])
        _funded(e, owner, title="Due soon", due_in_days=2)
        _submit(_funded(e, owner, title="In review"), freelancer)
        payments.milestone_dispute(milestone=_funded(e, owner, title="Argued"), actor=owner, reason="Late",
                                   idempotency_key=key())
        conversation.message_post(engagement=e, author=owner, body="Hi")
    start_engagement_offered(workspace, owner, freelancer)


def test_the_home_reads_at_most_15_queries_at_2_and_at_20_engagements(workspace, owner, freelancer_a, client_a):
    _busy(workspace, owner, freelancer_a, 2, 0)
    _home_queries(client_a)  # warm the session and portal stamps
    two = _home_queries(client_a)
    _busy(workspace, owner, freelancer_a, 18, 2)
    assert _home_queries(client_a) == two <= 15
    front = client_a.get("/portal/").context["home"]
    every = freelancer_attention(freelancer_a)
    assert {"milestone_due", "dispute_open", "message_unread", "brief_unacknowledged"} <= {i.kind for i in every}
    assert [i.key for i in front.attention] == [i.key for i in every[:15]] and front.attention_total == len(every)
