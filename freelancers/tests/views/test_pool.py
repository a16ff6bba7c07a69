"""The talent pool's pages: adding and editing a profile (the rate history), the pipeline
board with htmx moves, do-not-hire, the list with its filters, and the bench."""

from datetime import timedelta

import pytest
from django.urls import reverse

from engagements.models import Review
from freelancers.models import (
    EventKind,
    Freelancer,
    FreelancerStatus,
)
from freelancers.selectors import bench
from freelancers.tests.conftest import engagement_for
from freelancers.tests.factories import FreelancerFactory, ReferenceFactory

S = FreelancerStatus


VALID = {
    "name": "Nina Newcomer", "email": "nina@example.net", "headline": "Illustrator",
    "skills": "Illustration, Procreate",
    "timezone": "Asia/Manila", "country": "ph", "rate": "35.50", "rate_unit": "hour", "currency": "usd",
    "links": "https://nina.example.net\nhttps://dribbble.com/nina", "notes": "Met at a conference.",
}


def test_the_owner_adds_a_freelancer_as_a_prospect(owner_client, workspace, owner):
    response = owner_client.post(reverse("freelancers:create"), VALID)
    freelancer = Freelancer.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("freelancers:detail", args=[freelancer.pk])
    assert freelancer.workspace == workspace and freelancer.status == S.PROSPECT
    assert freelancer.skills == ["illustration", "procreate"]
    assert (freelancer.rate_amount, freelancer.currency, freelancer.country) == (3550, "USD", "PH")
    assert freelancer.links == ["https://nina.example.net", "https://dribbble.com/nina"]
    assert list(freelancer.rate_changes.values_list("rate_amount", "changed_by")) == [(3550, owner.pk)]
    page = owner_client.get(response["Location"]).content.decode()
    assert "35.50 USD per hour" in page


@pytest.mark.parametrize("field,value,message", [
    ("email", "FRIDA@Example.net", "already in your workspace"),
    ("timezone", "Mars/Olympus_Mons", "not a known time zone"),
    ("rate", "-1", "cannot be negative"),
    ("currency", "us1", "three-letter"),
    ("links", "not a link", "not a web address"),
    ("rate", "10.123", "2 decimal places"),
])
def test_bad_input_is_a_field_error_and_nothing_is_saved(owner_client, freelancer, field, value, message):
    response = owner_client.post(reverse("freelancers:create"), {**VALID, field: value})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Freelancer.objects.count() == 1


def test_the_same_email_is_fine_in_another_workspace(outsider_client, freelancer):
    response = outsider_client.post(reverse("freelancers:create"), {**VALID, "email": freelancer.email})
    assert response.status_code == 302
    assert Freelancer.objects.filter(email=freelancer.email).count() == 2


def test_changing_the_rate_keeps_the_history(owner_client, owner, freelancer):
    data = {**VALID, "email": freelancer.email, "name": freelancer.name, "rate": "50", "currency": "USD"}
    owner_client.post(reverse("freelancers:edit", args=[freelancer.pk]), data)
    owner_client.post(reverse("freelancers:edit", args=[freelancer.pk]), {**data, "notes": "only notes"})
    freelancer.refresh_from_db()
    assert freelancer.notes == "only notes"
    owner_client.post(reverse("freelancers:edit", args=[freelancer.pk]), {**data, "rate": "400", "rate_unit": "day"})
    history = list(freelancer.rate_changes.order_by("changed_at", "id").values_list("rate_amount", "rate_unit"))
    assert history == [(5000, "hour"), (40000, "day")]


def test_the_edit_form_shows_the_rate_as_typed_with_its_decimals(owner_client, freelancer):
    body = owner_client.get(reverse("freelancers:edit", args=[freelancer.pk])).content.decode()
    assert 'name="rate" value="45.00"' in body


def test_editing_to_a_colleagues_email_is_refused(owner_client, workspace, freelancer):
    FreelancerFactory(workspace=workspace, email="taken@example.net")
    response = owner_client.post(reverse("freelancers:edit", args=[freelancer.pk]),
                                 {**VALID, "email": "TAKEN@example.net"})
    assert "already in your workspace" in response.context["form"].errors["email"][0]
    freelancer.refresh_from_db()
    assert freelancer.email == "frida@example.net" and freelancer.name == "Frida Lance"


def test_the_board_shows_columns_with_counts(owner_client, workspace):
    for status, n in ((S.PROSPECT, 3), (S.VETTING, 2), (S.APPROVED, 1)):
        FreelancerFactory.create_batch(n, workspace=workspace, status=status)
    response = owner_client.get(reverse("freelancers:board"))
    counts = {c["status"]: c["count"] for c in response.context["columns"]}
    assert counts == {S.PROSPECT: 3, S.VETTING: 2, S.APPROVED: 1, S.REJECTED: 0}
    assert 'data-testid="count-prospect">3<' in response.content.decode()


def test_an_htmx_move_returns_the_updated_board_fragment(owner_client, freelancer):
    response = owner_client.post(reverse("freelancers:move", args=[freelancer.pk]), {"to": "vetting"},
                                 HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="board"') and "<html" not in body
    assert 'data-testid="count-vetting">1<' in body and 'data-testid="count-prospect">0<' in body
    freelancer.refresh_from_db()
    assert freelancer.status == S.VETTING


def test_an_invalid_htmx_move_shows_the_error_in_the_fragment(owner_client, freelancer):
    response = owner_client.post(reverse("freelancers:move", args=[freelancer.pk]), {"to": "approved"},
                                 HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "alert-danger" in body and "is a decision" in body
    freelancer.refresh_from_db()
    assert freelancer.status == S.PROSPECT


def test_a_move_without_htmx_redirects_with_a_message(owner_client, freelancer):
    response = owner_client.post(reverse("freelancers:move", args=[freelancer.pk]), {"to": "rejected"}, follow=True)
    assert "is a decision" in response.content.decode()
    response = owner_client.post(reverse("freelancers:move", args=[freelancer.pk]), {"to": "vetting"}, follow=True)
    assert "moved to vetting" in response.content.decode()


def test_after_an_htmx_move_focus_goes_to_the_card_that_moved(owner_client, freelancer):
    url = reverse("freelancers:move", args=[freelancer.pk])
    moved = owner_client.post(url, {"to": "vetting"}, HTTP_HX_REQUEST="true").content.decode()
    detail = reverse("freelancers:detail", args=[freelancer.pk])
    assert f'href="{detail}" autofocus>Frida Lance<' in moved
    refused = owner_client.post(url, {"to": "approved"}, HTTP_HX_REQUEST="true").content.decode()
    assert "autofocus" not in refused  # the error is what to read, where it stands


def test_board_cards_say_how_far_vetting_got_in_words(owner_client, freelancer):
    page = owner_client.get(reverse("freelancers:board")).content.decode()
    assert "No references asked · no interviews" in page
    assert "0 of 0" not in page


def test_moves_need_post(owner_client, freelancer):
    assert owner_client.get(reverse("freelancers:move", args=[freelancer.pk])).status_code == 405


def test_do_not_hire_needs_a_reason_and_is_reversible_and_recorded(owner_client, owner, freelancer):
    url = reverse("freelancers:do_not_hire", args=[freelancer.pk])
    response = owner_client.post(url, {"action": "mark", "reason": "  "}, follow=True)
    assert "Say why" in response.content.decode()
    freelancer.refresh_from_db()
    assert not freelancer.do_not_hire
    owner_client.post(url, {"action": "mark", "reason": "Missed every deadline."})
    freelancer.refresh_from_db()
    assert freelancer.do_not_hire and freelancer.do_not_hire_reason == "Missed every deadline."
    owner_client.post(url, {"action": "clear", "reason": "Second chance after a call."})
    freelancer.refresh_from_db()
    assert not freelancer.do_not_hire and freelancer.do_not_hire_reason == ""
    kinds = list(freelancer.events.order_by("id").values_list("kind", "reason"))
    assert kinds[-2:] == [(EventKind.DO_NOT_HIRE, "Missed every deadline."),
                          (EventKind.CLEARED_DO_NOT_HIRE, "Second chance after a call.")]


@pytest.fixture
def pool(workspace):
    return {
        "ana": FreelancerFactory(workspace=workspace, name="Ana", skills=["figma", "logo design"],
                                 timezone="Europe/Lisbon", rate_amount=4000, status=S.APPROVED),
        "bo": FreelancerFactory(workspace=workspace, name="Bo", skills=["python", "django"],
                                timezone="Asia/Manila", rate_amount=2500, headline="Backend developer"),
        "cy": FreelancerFactory(workspace=workspace, name="Cy", skills=["python"], timezone="Europe/Lisbon",
                                rate_amount=9000, status=S.VETTING, notes="Knows Celery well"),
        "di": FreelancerFactory(workspace=workspace, name="Di", skills=["café design"], rate_amount=None,
                                timezone="UTC", do_not_hire=True, do_not_hire_reason="No-show", status=S.APPROVED),
    }


def names(qs):
    return sorted(f.name for f in qs)


def test_the_list_page_filters_from_the_query_string(owner_client, pool):
    response = owner_client.get(reverse("freelancers:list"), {"skill": "python", "rate_max": "50"})
    assert [f.name for f in response.context["page"].object_list] == ["Bo"]
    response = owner_client.get(reverse("freelancers:list"), {"rate_min": "50", "rate_max": "10"})
    body = response.content.decode()
    assert "below the lower one" in body
    # A filter with a mistake does not pretend everyone matches it.
    assert "Fix the filters marked above; meanwhile all 4 freelancers are shown." in body
    assert "match" not in body.split("Fix the filters")[1].split("</p>")[0]


def test_the_list_says_when_nobody_matches(owner_client, pool):
    body = owner_client.get(reverse("freelancers:list"), {"q": "nobody-like-this"}).content.decode()
    assert "0 freelancers match." in body
    assert "No one in your talent pool matches these filters." in body
    assert "Your talent pool is empty." not in body


def test_the_list_shows_references_answered_in_words(owner_client, workspace, pool):

    ReferenceFactory(freelancer=pool["ana"], status="received")
    ReferenceFactory(freelancer=pool["ana"], status="requested")
    body = owner_client.get(reverse("freelancers:list")).content.decode()
    assert ">1 of 2</td>" in body
    assert "none asked" in body


def test_the_bench_is_approved_hireable_and_free(owner_client, workspace, pool):
    FreelancerFactory(workspace=workspace, name="Ed", status=S.REJECTED)
    assert names(bench(workspace)) == ["Ana"]
    response = owner_client.get(reverse("freelancers:bench"))
    assert [row["freelancer"].name for row in response.context["rows"]] == ["Ana"]
    assert "No review yet" in response.content.decode()


def test_a_missing_rate_reads_not_set(owner_client, pool):
    body = owner_client.get(reverse("freelancers:list"), {"q": "Di"}).content.decode()
    assert '<td class="d-none d-md-table-cell"><span class="text-body-secondary">not set</span></td>' in body


def test_every_problem_shows_at_once(owner_client, freelancer):
    response = owner_client.post(reverse("freelancers:create"),
                                 {**VALID, "email": "frida@example.net", "rate": "-1", "timezone": "Nowhere"})
    assert set(response.context["form"].errors) == {"email", "rate", "timezone"}


def test_the_bench_leaves_out_freelancers_on_an_active_engagement(owner_client, workspace):
    busy = FreelancerFactory(workspace=workspace, status="approved", name="Busy")
    free = FreelancerFactory(workspace=workspace, status="approved", name="Free")
    engagement_for(busy, status="active")
    engagement_for(free, status="completed")
    engagement_for(free, status="cancelled")
    response = owner_client.get(reverse("freelancers:bench"))
    rows = response.context["rows"]
    assert [r["freelancer"].name for r in rows] == ["Free"]
    assert rows[0]["freelancer"].completed_engagements == 1


def test_the_bench_shows_the_last_review_and_rate(owner_client, workspace):
    free = FreelancerFactory(workspace=workspace, status="approved", name="Free", rate_amount=6000)
    older = engagement_for(free, status="completed", title="Old job")
    newer = engagement_for(free, status="completed", title="New job")
    Review.objects.create(engagement=older, went_well="-", do_differently="-", quality=2, communication=2,
                          timeliness=2, rehire=False)
    Review.objects.create(engagement=newer, went_well="-", do_differently="-", quality=5, communication=5,
                          timeliness=4, rehire=True)
    older.created_at = newer.created_at - timedelta(days=30)
    older.save()
    body = owner_client.get(reverse("freelancers:bench")).content.decode()
    assert "New job" in body and "Old job" not in body
    assert "60.00 USD per hour" in body and "Would rehire" in body


def test_the_profile_lists_the_freelancers_engagements(owner_client, freelancer):
    engagement = engagement_for(freelancer, title="Logo refresh", kind="trial")
    body = owner_client.get(reverse("freelancers:detail", args=[freelancer.pk])).content.decode()
    assert f'<a href="{reverse("engagements:detail", args=[engagement.pk])}">Logo refresh</a>' in body
    assert reverse("engagements:reliability", args=[freelancer.pk]) in body
