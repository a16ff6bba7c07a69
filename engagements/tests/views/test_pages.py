"""Owner pages: they render, they act, they 404 outside the workspace, and their query counts
do not grow with the rows."""

import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.kept import CACHE as KEPT
from engagements.models import Engagement, EngagementStatus, Milestone, MilestoneState, SubmissionFile
from engagements.selectors import current_brief
from engagements.services.access import access_grant_create, access_grant_reveal
from engagements.services.brief import brief_question_ask, brief_save
from engagements.services.lifecycle import engagement_complete, engagement_create
from engagements.services.milestone import milestone_create, milestone_submit
from engagements.services.playbook import playbook_attach, playbook_document_create
from engagements.services.reporting import checkin_schedule, status_update_post
from engagements.services.review import review_save
from engagements.tests.conftest import BRIEF, activate, fund
from engagements.tests.factories import ApprovedFreelancerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def populated(workspace, owner, freelancer, other_freelancer, media):
    engagement = engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer,
                                   title="Checkout redesign", budget=200000, backups=[other_freelancer])
    activate(engagement, owner)
    milestone = engagement.milestones.get()
    fund(milestone)
    milestone_submit(milestone_id=milestone.pk, freelancer=freelancer, message="Here it is",
                     links=["https://figma.com/x"], attest_own_work=True,
                     files=[SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")])
    brief_save(engagement=engagement, actor=owner, change_summary="Wishlist", **{**BRIEF, "goal": "More"})
    question = brief_question_ask(brief_id=current_brief(engagement).pk, freelancer=freelancer,
                                  body="Which browsers?")
    status_update_post(engagement_id=engagement.pk, freelancer=freelancer, done="a", next="b",
                       percent_complete=20, blockers="none really")
    checkin = checkin_schedule(engagement=engagement, actor=owner,
                               scheduled_at=timezone.now() + dt.timedelta(days=1), agenda="Demo")
    document = playbook_document_create(workspace=workspace, actor=owner, title="How we work",
                                        kind="how_we_work", body="Be kind")
    playbook_attach(engagement=engagement, document=document, actor=owner)
    grant = access_grant_create(engagement=engagement, actor=owner, label="CMS", secret="pw-123456")
    access_grant_reveal(grant_id=grant.pk, freelancer=freelancer)

    finished = engagement_create(workspace=workspace, created_by=owner, freelancer=other_freelancer,
                                 title="Logo trial", kind="trial", budget=100000)
    activate(finished, owner)
    engagement_complete(engagement=finished, actor=owner)
    review_save(engagement=finished, actor=owner, went_well="a", do_differently="b", quality=4,
                communication=4, timeliness=4, rehire=True)
    return {
        "engagement": engagement, "milestone": milestone, "question": question, "checkin": checkin,
        "document": document, "grant": grant, "finished": finished, "freelancer": freelancer,
        "file": SubmissionFile.objects.get(),
    }


def get_urls(p):
    e, m = p["engagement"].pk, p["milestone"].pk
    return [
        reverse("engagements:list"), reverse("engagements:create"),
        reverse("engagements:create") + f"?freelancer={p['freelancer'].pk}&kind=trial",
        reverse("engagements:detail", args=[e]), reverse("engagements:edit", args=[e]),
        reverse("engagements:timeline", args=[e]), reverse("engagements:brief", args=[e]),
        reverse("engagements:brief", args=[e]) + "?v=1", reverse("engagements:brief_edit", args=[e]),
        reverse("engagements:brief_diff", args=[e]), reverse("engagements:milestone_create", args=[e]),
        reverse("engagements:milestone", args=[e, m]), reverse("engagements:milestone_edit", args=[e, m]),
        reverse("engagements:updates", args=[e]), reverse("engagements:checkins", args=[e]),
        reverse("engagements:checkin", args=[e, p["checkin"].pk]), reverse("engagements:playbook", args=[e]),
        reverse("engagements:grants", args=[e]), reverse("engagements:grant_edit", args=[e, p["grant"].pk]),
        reverse("engagements:review", args=[e]), reverse("engagements:review", args=[p["finished"].pk]),
        reverse("engagements:complete", args=[e]), reverse("engagements:cancel", args=[e]),
        reverse("engagements:playbook_list"), reverse("engagements:playbook_create"),
        reverse("engagements:playbook_document", args=[p["document"].pk]),
        reverse("engagements:playbook_edit", args=[p["document"].pk]), reverse("engagements:update_prompts"),
        reverse("engagements:reliability", args=[p["freelancer"].pk]),
        reverse("engagements:detail", args=[p["finished"].pk]),
    ]


def post_urls(p):
    e, m, g = p["engagement"].pk, p["milestone"].pk, p["grant"].pk
    return [
        reverse(name, args=args) for name, args in [
            ("engagements:offer", [e]), ("engagements:withdraw", [e]), ("engagements:pause", [e]),
            ("engagements:resume", [e]), ("engagements:question_answer", [e, p["question"].pk]),
            ("engagements:milestone_delete", [e, m]), ("engagements:milestone_move", [e, m]),
            ("engagements:milestone_request_changes", [e, m]),
            ("engagements:checkin_cancel", [e, p["checkin"].pk]),
            ("engagements:playbook_detach", [e, p["document"].pk]), ("engagements:grant_revoke", [e, g]),
            ("engagements:grant_rotated", [e, g]),
        ]
    ] + [reverse("engagements:submission_file", args=[e, p["file"].pk])]


def test_every_page_renders_for_the_owner(owner_client, populated):
    for url in get_urls(populated):
        response = owner_client.get(url)
        assert response.status_code == 200, url
    response = owner_client.get(reverse("engagements:submission_file", args=[populated["engagement"].pk,
                                                                             populated["file"].pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_every_page_renders_for_a_manager(manager_client, populated):
    for url in get_urls(populated):
        assert manager_client.get(url).status_code == 200, url


def test_an_outsider_gets_404_on_every_page_and_action(outsider_client, populated):
    workspace_pages = {reverse("engagements:list"), reverse("engagements:playbook_list"),
                       reverse("engagements:playbook_create"), reverse("engagements:update_prompts"),
                       reverse("engagements:create")}
    object_urls = [u for u in get_urls(populated) if u not in workspace_pages and "?freelancer=" not in u]
    assert len(object_urls) == 24
    for url in object_urls + post_urls(populated):
        assert outsider_client.get(url).status_code in (404, 405), url
        assert outsider_client.post(url, {"feedback": "x", "answer": "x", "direction": "up"}).status_code == 404, url
    # Nothing moved.
    milestone = Milestone.objects.get(pk=populated["milestone"].pk)
    assert milestone.state == MilestoneState.SUBMITTED
    assert Engagement.objects.get(pk=populated["engagement"].pk).status == EngagementStatus.ACTIVE


def test_anonymous_visitors_are_sent_to_log_in(client, populated):
    response = client.get(reverse("engagements:detail", args=[populated["engagement"].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_child_of_another_engagement_is_not_reachable_through_mine(owner_client, populated, foreign_engagement):
    foreign_milestone = milestone_create(engagement=foreign_engagement, actor=None, title="Theirs",
                                         acceptance_criteria="x", amount=10)[0]
    mine = populated["engagement"].pk
    assert owner_client.get(reverse("engagements:milestone", args=[mine, foreign_milestone.pk])).status_code == 404
    # Another engagement of my own workspace does not lend its children either.
    other = populated["finished"].pk
    assert owner_client.get(reverse("engagements:milestone",
                                    args=[other, populated["milestone"].pk])).status_code == 404


# --- Actions through the pages --------------------------------------------------------------------
def test_creating_an_engagement_then_writing_the_brief(owner_client, workspace, freelancer, other_freelancer):
    response = owner_client.post(reverse("engagements:create"), {
        "freelancer": freelancer.pk, "title": "Landing page", "kind": "project", "pay_terms": "fixed",
        "budget": "1500.00", "contingency_percent": 15, "currency": "USD", "update_every_days": 3,
        "update_grace_hours": 12, "checkin_every_days": 7, "reporting_preference": "progress",
        "backups": [other_freelancer.pk],
    })
    engagement = Engagement.objects.get(title="Landing page")
    assert response.status_code == 302 and response["Location"].endswith(f"/engagements/{engagement.pk}/brief/edit/")
    assert engagement.budget == 150000 and list(engagement.backups.all()) == [other_freelancer]
    owner_client.post(reverse("engagements:brief_edit", args=[engagement.pk]), BRIEF)
    assert current_brief(engagement).goal == BRIEF["goal"]


def test_the_form_takes_retainer_and_commission_terms_and_names_what_is_missing(owner_client, freelancer):
    form = {"freelancer": freelancer.pk, "title": "Monthly care", "kind": "retainer", "pay_terms": "retainer",
            "budget": "12000.00", "contingency_percent": 0, "currency": "USD", "update_every_days": 7,
            "update_grace_hours": 12, "checkin_every_days": 14, "reporting_preference": "progress"}
    missing = owner_client.post(reverse("engagements:create"), form).content.decode()
    assert "A retainer needs a monthly amount greater than zero." in missing
    assert "Say how many hours a month the retainer includes" in missing
    owner_client.post(reverse("engagements:create"), {**form, "retainer_amount": "1500.00", "retainer_hours": 10})
    retainer = Engagement.objects.get(title="Monthly care")
    assert (retainer.pay_terms, retainer.retainer_amount, retainer.retainer_hours) == ("retainer", 150_000, 10)
    commission = {**form, "title": "Sales", "kind": "project", "pay_terms": "commission"}
    over = owner_client.post(reverse("engagements:create"), {**commission, "commission_percent": "100.5"})
    assert "Ensure this value is less than or equal to 100" in over.content.decode()
    owner_client.post(reverse("engagements:create"), {**commission, "commission_percent": "12.5"})
    assert str(Engagement.objects.get(title="Sales").commission_percent) == "12.50"


def test_a_change_order_without_a_summary_says_what_is_missing(owner_client, active):
    url = reverse("engagements:brief_edit", args=[active.pk])
    response = owner_client.post(url, {**BRIEF, "goal": "A faster checkout, also on mobile."})
    assert response.status_code == 200 and "Say what changed and why" in response.content.decode()
    assert current_brief(active).version == 1
    owner_client.post(url, {**BRIEF, "goal": "A faster checkout, also on mobile.", "change_summary": "Mobile"})
    assert current_brief(active).version == 2


def test_the_create_form_shows_errors(owner_client, freelancer):
    response = owner_client.post(reverse("engagements:create"), {"freelancer": freelancer.pk, "title": "",
                                                                 "pay_terms": "hourly", "budget": "-1"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()


def test_the_trial_link_preselects_the_freelancer(owner_client, freelancer):
    body = owner_client.get(reverse("engagements:create") + f"?freelancer={freelancer.pk}&kind=trial").content.decode()
    assert f'<option value="{freelancer.pk}" selected>' in body
    assert 'value="Trial job: Frida Lance"' in body


def test_over_budget_milestone_asks_for_confirmation(owner_client, engagement):
    url = reverse("engagements:milestone_create", args=[engagement.pk])
    data = {"title": "Big", "acceptance_criteria": "ok", "amount": "2400.00"}
    response = owner_client.post(url, data)
    assert response.status_code == 200 and "Go over budget" in response.content.decode()
    assert not engagement.milestones.exists()
    response = owner_client.post(url, {**data, "confirm_over_budget": "on"}, follow=True)
    assert engagement.milestones.get().amount == 240000
    assert "above the budget plus contingency" in response.content.decode()
    # The budget panel says by how much, instead of a negative "left to plan".
    page = owner_client.get(reverse("engagements:detail", args=[engagement.pk])).content.decode()
    assert "Over budget by" in page and "400.00 USD" in page and "Left to plan" not in page
    assert "past the budget plus contingency (2,300.00 USD)" in page


def test_submitted_work_is_accepted_by_releasing_its_payment(owner_client, populated):
    """No second way to accept: the page sends the owner to payments' release (escrow → freelancer)."""
    e, m = populated["engagement"].pk, populated["milestone"].pk
    body = owner_client.get(reverse("engagements:milestone", args=[e, m])).content.decode()
    assert f'href="{reverse("payments:milestone_action", args=[m, "release"])}"' in body
    assert "Waiting for review" in body
    Milestone.objects.filter(pk=m).update(state=MilestoneState.RELEASED)
    body = owner_client.get(reverse("engagements:milestone", args=[e, m])).content.decode()
    actions = body.split("Submissions")[0].split("Acceptance criteria")[1]
    # Released: nothing more to release or fund; only asking the freelancer for money back.
    assert "Accepted and released" in body
    assert set(re.findall(r"/payments/milestones/\d+/([\w-]+)/", actions)) == {"ask-refund"}


def test_requesting_changes_from_the_page(owner_client, populated):
    e, m = populated["engagement"].pk, populated["milestone"].pk
    owner_client.post(reverse("engagements:milestone_request_changes", args=[e, m]), {"feedback": "Bigger"})
    assert Milestone.objects.get(pk=m).state == MilestoneState.CHANGES_REQUESTED


def test_a_refused_action_explains_itself(owner_client, populated):
    e = populated["engagement"].pk
    response = owner_client.post(reverse("engagements:offer", args=[e]), follow=True)
    assert "cannot become" in response.content.decode()


def test_the_list_filters(owner_client, populated, workspace):
    at_risk = reverse("engagements:list") + "?at_risk=1"
    assert "Checkout redesign" not in owner_client.get(at_risk).content.decode()
    Engagement.objects.filter(pk=populated["engagement"].pk).update(
        next_update_due_at=timezone.now() - dt.timedelta(hours=1))
    body = owner_client.get(at_risk).content.decode()
    assert "Checkout redesign" in body and "Update overdue" in body and "Logo trial" not in body
    body = owner_client.get(reverse("engagements:list") + "?status=completed").content.decode()
    assert "Logo trial" in body and "Checkout redesign" not in body
    body = owner_client.get(reverse("engagements:list") + f"?freelancer={populated['freelancer'].pk}").content.decode()
    assert "Checkout redesign" in body and "Logo trial" not in body


def test_an_overdue_milestone_puts_the_engagement_at_risk(owner_client, populated):
    Milestone.objects.filter(pk=populated["milestone"].pk).update(state=MilestoneState.CHANGES_REQUESTED,
                                                                  due_at=timezone.now() - dt.timedelta(days=1))
    body = owner_client.get(reverse("engagements:list") + "?at_risk=1").content.decode()
    assert "Milestone overdue" in body


def test_the_list_counts_every_engagement_and_flags_only_an_overdue_milestone(owner_client, populated, workspace):
    total = Engagement.objects.filter(workspace=workspace).count()
    body = owner_client.get(reverse("engagements:list")).content.decode()
    assert f"{total} engagements." in body and "Milestone overdue" not in body
    Milestone.objects.filter(pk=populated["milestone"].pk).update(state=MilestoneState.FUNDED,
                                                                  due_at=timezone.now() - dt.timedelta(hours=2))
    body = owner_client.get(reverse("engagements:list")).content.decode()
    assert body.count(">Milestone overdue<") == 1 and f"{total} engagements." in body
    completed = owner_client.get(reverse("engagements:list") + "?status=completed")
    assert completed.context["page"].paginator.count == Engagement.objects.filter(
        workspace=workspace, status="completed").count()


# --- Query counts -------------------------------------------------------------------------------------
def _grow(workspace, owner, n):
    for _ in range(n):
        freelancer = ApprovedFreelancerFactory(workspace=workspace)
        i = freelancer.pk
        engagement = engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer,
                                       title=f"Grown {i}", budget=100000)
        activate(engagement, owner, milestones=2)
        status_update_post(engagement_id=engagement.pk, freelancer=freelancer, done="a", next="b",
                           percent_complete=10)
        access_grant_create(engagement=engagement, actor=owner, label="x", secret="y")


def test_the_list_query_count_does_not_grow(owner_client, workspace, owner, django_assert_max_num_queries):
    _grow(workspace, owner, 2)
    with django_assert_max_num_queries(12) as small:
        owner_client.get(reverse("engagements:list"))
    _grow(workspace, owner, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = owner_client.get(reverse("engagements:list"))
    assert response.content.decode().count(">Grown ") == 14  # each title once as the link text


def test_the_detail_query_count_does_not_grow(owner_client, populated, owner, freelancer,
                                              django_assert_max_num_queries):
    engagement = populated["engagement"]
    url = reverse("engagements:detail", args=[engagement.pk])
    with django_assert_max_num_queries(15) as small:  # the bound for every page
        owner_client.get(url)
    for i in range(8):
        milestone_create(engagement=engagement, actor=owner, title=f"Extra {i}", acceptance_criteria="x",
                         amount=100, confirm_over_budget=True)
        status_update_post(engagement_id=engagement.pk, freelancer=freelancer, done="a", next="b",
                           percent_complete=30)
        access_grant_create(engagement=engagement, actor=owner, label=f"G{i}", secret="s")
        brief_question_ask(brief_id=current_brief(engagement).pk, freelancer=freelancer, body="?")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = owner_client.get(url)
    assert "Extra 7" in response.content.decode()


def test_the_vetting_scorecard_starts_a_trial_job(owner_client, freelancer):
    body = owner_client.get(reverse("freelancers:scorecard", args=[freelancer.pk])).content.decode()
    link = reverse("engagements:create") + f"?freelancer={freelancer.pk}&amp;kind=trial"
    assert f'href="{link}">Start a trial job</a>' in body


def test_past_a_hundred_freelancers_the_filter_is_a_name_to_type(owner_client, workspace, owner, monkeypatch):
    from engagements.views import engagement as views

    _grow(workspace, owner, 4)
    picked = Engagement.objects.filter(workspace=workspace).order_by("pk").first()
    picked.freelancer.name = "Zebediah Quillfeather"
    picked.freelancer.save(update_fields=["name"])
    assert 'name="freelancer"' in owner_client.get(reverse("engagements:list")).content.decode()  # a list to pick

    monkeypatch.setattr(views, "FREELANCER_SELECT_MAX", 3)
    caches[KEPT].clear()  # a new limit is a new deploy: the list kept under the old one goes
    body = owner_client.get(reverse("engagements:list")).content.decode()
    assert 'name="freelancer_name"' in body and "<option value=\"" + str(picked.freelancer_id) not in body
    found = owner_client.get(reverse("engagements:list"), {"freelancer_name": "QUILLFEATH"})
    assert [e.pk for e in found.context["page"].object_list] == [picked.pk]
