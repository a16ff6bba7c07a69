"""Money where the owner looks for it: the freelancer page's paid to date and statement link,
a submitted milestone's automatic release on the engagement page."""

import pytest

from ..conftest import submit

pytestmark = pytest.mark.django_db


def test_the_freelancer_page_shows_paid_to_date_and_links_the_statement(owner_client, history, freelancer):
    page = owner_client.get(f"/freelancers/{freelancer.pk}/").content.decode()
    assert f"/payments/freelancers/{freelancer.pk}/money/" in page
    assert f"/payments/freelancers/{freelancer.pk}/statement/" in page  # also without JavaScript
    panel = owner_client.get(f"/payments/freelancers/{freelancer.pk}/money/", HTTP_HX_REQUEST="true")
    html = panel.content.decode()
    assert "Paid to date" in html and "1,000.00" in html  # the history's payout
    assert "Owed (not paid out)" in html and "550.00" in html  # 1,500 released + 50 bonus − 1,000 paid
    assert f"/payments/freelancers/{freelancer.pk}/statement/" in html


def test_the_money_panel_is_only_the_workspaces(client, outsider, freelancer):
    client.force_login(outsider)
    assert client.get(f"/payments/freelancers/{freelancer.pk}/money/", HTTP_HX_REQUEST="true").status_code == 404


def test_a_submitted_milestone_shows_its_automatic_release_and_a_review_button(owner_client, funded):
    milestone = submit(funded)
    html = owner_client.get(f"/engagements/{milestone.engagement_id}/").content.decode()
    assert "Released automatically <time datetime=" in html
    assert f'href="/engagements/{milestone.engagement_id}/milestones/{milestone.pk}/">Review</a>' in html
