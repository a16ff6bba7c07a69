"""The pay models' pages on both sides: the freelancer sees their retainer periods (hours used
against included) and commission reports in the portal, disputes a period, accepts or disputes
a report; the owner sees the same periods and reports, reports a month and resolves a disputed
report. Another freelancer and another workspace get 404; the pages' queries do not grow with
their rows."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from payments import services as payments
from payments.models import CommissionReport, RetainerPeriod
from payments.selectors.freelancer_money import freelancer_money

from ..conftest import _pay_models, client_for, key

pytestmark = pytest.mark.django_db


@pytest.fixture
def pay(workspace, owner, freelancer_a):
    return _pay_models(workspace, owner, freelancer_a)


def _url(name, obj):
    return reverse(name, kwargs={"pk": obj.engagement_id})


def test_the_freelancer_sees_and_disputes_a_retainer_period(client_a, pay, user_b, freelancer_b, outsider):
    period = pay["retainer_period"]
    url = _url("portal:retainer", period)
    page = client_a.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "900.00 USD" in text and "0.00 h of 8 h" in text and "Retainer" in text
    assert client_for(user_b).get(url).status_code == 404
    assert client_for(user_b).post(url, {"period": period.pk, "reason": "x"}).status_code == 404
    [usd] = freelancer_money(period.engagement.freelancer).currencies
    assert (usd.held, usd.disputed) == (90_000, 0)
    assert client_a.post(url, {"period": period.pk, "reason": ""}).status_code == 400
    client_a.post(url, {"period": period.pk, "reason": "Two weeks off"})
    period.refresh_from_db()
    assert period.state == "disputed" and period.dispute_side == "freelancer"
    [usd] = freelancer_money(period.engagement.freelancer).currencies
    assert (usd.held, usd.disputed) == (0, 90_000)


def test_the_freelancer_accepts_one_report_and_disputes_another(client_a, pay, owner, user_b, freelancer_b):
    march = pay["commission_report"]
    url = _url("portal:commission", march)
    earlier = payments.commission_report_create(engagement=march.engagement, actor=owner,
                                                period=date(2025, 1, 1), base_amount=20_000)
    home = client_a.get(reverse("portal:home")).content.decode()
    assert f"Commission for {march.period:%B %Y}" in home and "accept it or dispute it" in home
    text = client_a.get(url).content.decode()
    assert "500.00 USD" in text and "50.00 USD" in text and "Accept" in text
    assert client_for(user_b).get(url).status_code == 404
    client_a.post(url, {"report": march.pk, "action": "accept", "idempotency_key": key()})
    client_a.post(url, {"report": earlier.pk, "action": "dispute", "reason": "Missing the December sales"})
    statuses = dict(CommissionReport.objects.values_list("pk", "status"))
    assert statuses == {march.pk: "released", earlier.pk: "disputed"}
    assert "accept it or dispute it" not in client_a.get(reverse("portal:home")).content.decode()


def test_the_owner_reports_resolves_and_settles_on_the_pages(workspace, owner, pay, freelancer_a, outsider,
                                                             django_assert_max_num_queries):
    owner_client, report = client_for(owner), pay["commission_report"]
    url = _url("payments:commission", report)
    assert client_for(outsider).get(url).status_code == 404
    bad = owner_client.post(url, {"action": "report", "period": "2025-02", "base_amount": "0"})
    assert bad.status_code == 400 and "greater than zero" in bad.content.decode()
    owner_client.post(url, {"action": "report", "period": "2025-02", "base_amount": "1000.05"})
    february = CommissionReport.objects.get(period=date(2025, 2, 1))
    assert february.commission_amount == 10_001  # 10 % of 1,000.05, half up
    payments.commission_report_dispute(report=february, actor=freelancer_a.user, reason="Wrong month")
    page = owner_client.get(url).content.decode()
    assert "Wrong month" in page and "Resolve: pay as reported" in page
    owner_client.post(url, {"action": "resolve", "report": february.pk, "idempotency_key": key()})
    february.refresh_from_db()
    assert february.status == "released"

    period = pay["retainer_period"]
    retainer_url = _url("payments:retainer", period)
    assert client_for(outsider).get(retainer_url).status_code == 404
    owner_client.post(retainer_url, {"action": "dispute", "period": period.pk, "reason": "Not started"})
    with django_assert_max_num_queries(20):
        page = owner_client.get(retainer_url).content.decode()
    assert "Settle the dispute" in page
    owner_client.post(retainer_url, {"action": "resolve", "period": period.pk, f"p{period.pk}-release_amount": "0",
                                     f"p{period.pk}-refund_amount": "900.00", f"p{period.pk}-idempotency_key": key()})
    period.refresh_from_db()
    assert period.state == "refunded"
    assert RetainerPeriod.objects.count() == 1 and timezone.localdate() >= period.starts_on
