"""Profiles, the pipeline's transitions, do-not-hire, the rate history, list, board and bench."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from freelancers import services
from freelancers.errors import TransitionError
from freelancers.models import STATUS_TRANSITIONS, EventKind, Freelancer, FreelancerStatus
from freelancers.selectors import Filters, bench, freelancer_search
from freelancers.tests.factories import FreelancerFactory

S = FreelancerStatus
VALID = {
    "name": "Nina Newcomer", "email": "nina@example.net", "headline": "Illustrator",
    "skills": "Illustration, Procreate",
    "timezone": "Asia/Manila", "country": "ph", "rate": "35.50", "rate_unit": "hour", "currency": "usd",
    "links": "https://nina.example.net\nhttps://dribbble.com/nina", "notes": "Met at a conference.",
}


# --- Creating and editing ------------------------------------------------------------------------
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


def test_the_service_refuses_duplicates_case_insensitively_and_negative_rates(workspace, freelancer):
    with pytest.raises(ValidationError) as exc:
        services.freelancer_create(workspace=workspace, name="X", email=" Frida@EXAMPLE.net ")
    assert "email" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.freelancer_create(workspace=workspace, name="Y", email="y@example.net", rate_amount=-5)
    assert "rate_amount" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.freelancer_create(workspace=workspace, name="Z", email="z@example.net", timezone_name="Nowhere")
    assert "timezone" in exc.value.message_dict
    assert Freelancer.objects.count() == 1


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


# --- Transitions ---------------------------------------------------------------------------------
ALL_MOVES = [(a, b) for a in S for b in S if a != b]


@pytest.mark.parametrize("from_status,to_status", ALL_MOVES)
def test_every_pipeline_move_follows_the_table(workspace, owner, from_status, to_status):
    freelancer = FreelancerFactory(workspace=workspace, status=from_status)
    allowed = to_status in STATUS_TRANSITIONS[from_status]
    decision = to_status in (S.APPROVED, S.REJECTED)
    if allowed and not decision:
        services.freelancer_move(freelancer=freelancer, to_status=to_status, actor=owner)
        freelancer.refresh_from_db()
        assert freelancer.status == to_status
        assert freelancer.events.filter(kind=EventKind.STATUS, from_status=from_status, to_status=to_status,
                                        actor=owner).exists()
    else:
        with pytest.raises(TransitionError):
            services.freelancer_move(freelancer=freelancer, to_status=to_status, actor=owner)
        freelancer.refresh_from_db()
        assert freelancer.status == from_status


def test_a_stale_copy_cannot_move_a_row_that_moved_meanwhile(workspace, owner):
    freelancer = FreelancerFactory(workspace=workspace, status=S.PROSPECT)
    stale = Freelancer.objects.get(pk=freelancer.pk)
    services.freelancer_move(freelancer=freelancer, to_status=S.VETTING, actor=owner)
    with pytest.raises(TransitionError, match="already vetting"):
        services.freelancer_move(freelancer=stale, to_status=S.VETTING, actor=owner)


def test_an_unknown_status_is_a_clear_error(freelancer, owner):
    with pytest.raises(TransitionError, match="not a pipeline status"):
        services.freelancer_move(freelancer=freelancer, to_status="hired", actor=owner)


# --- The board -----------------------------------------------------------------------------------
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


# --- Do not hire ---------------------------------------------------------------------------------
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


# --- List and bench ------------------------------------------------------------------------------
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


def test_the_list_filters_by_status_skill_timezone_rate_and_text(workspace, pool):
    def search(**kw):
        return names(freelancer_search(workspace, Filters(**kw)))

    assert search(status="approved") == ["Ana", "Di"]
    assert search(status="do_not_hire") == ["Di"]
    assert search(skill="Python") == ["Bo", "Cy"]
    assert search(skill="pyth") == []  # a tag, not a substring
    assert search(skill="café design") == ["Di"]
    assert search(timezone="Europe/Lisbon") == ["Ana", "Cy"]
    assert search(rate_min=30) == ["Ana", "Cy"]
    assert search(rate_min=25, rate_max=40) == ["Ana", "Bo"]
    assert search(q="celery") == ["Cy"]
    assert search(q="backend") == ["Bo"]
    assert search(q="django") == ["Bo"]
    assert search(skill="python", timezone="Europe/Lisbon") == ["Cy"]


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
    from freelancers.tests.factories import ReferenceFactory

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
