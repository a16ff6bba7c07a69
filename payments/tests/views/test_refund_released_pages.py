"""Money back after a release in the browser: the owner asks from the milestone's page, the
freelancer sees the ask on the portal's milestone page and refunds there; refused input is shown
on the form and nothing is stored."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from engagements.models import Engagement
from payments.models import RefundRequest, ReleasedRefund, Transaction
from portal.models import PortalAccess

from .conftest import action_url, key_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(freelancer, engagement):
    PortalAccess.objects.create(freelancer=freelancer, joined_at=timezone.now())  # the invitation was accepted
    Engagement.objects.filter(pk=engagement.pk).update(offered_at=timezone.now())  # offered: the portal shows it
    client = Client()
    client.force_login(freelancer.user)
    return client


def _portal_page(engagement, milestone):
    return reverse("portal:milestone", args=[engagement.pk, milestone.pk])


def test_the_owner_asks_and_the_freelancer_refunds_from_the_portal(owner_client, portal, released, engagement):
    milestone_page = owner_client.get(reverse("engagements:milestone", args=[engagement.pk, released.pk]))
    assert action_url(released, "ask-refund") in milestone_page.content.decode()
    page = owner_client.get(action_url(released, "ask-refund")).content.decode()
    assert "1,500.00 USD</strong> of the 1,500.00 USD released can still be given back" in page
    missing = owner_client.post(action_url(released, "ask-refund"), {"idempotency_key": key_in(page), "reason": ""})
    assert missing.status_code == 200 and "This field is required" in missing.content.decode()
    assert not RefundRequest.objects.exists()
    sent = owner_client.post(action_url(released, "ask-refund"),
                             {"idempotency_key": key_in(page), "reason": "The blog was never delivered",
                              "amount": "400.00"}, follow=True)
    assert "Your request was sent to Frida Freelancer" in sent.content.decode()
    assert RefundRequest.objects.get().amount == 40_000

    response = portal.get(_portal_page(engagement, released))
    html = response.content.decode()
    assert response.status_code == 200, (response.status_code, html[html.find("<main"):][:1500])
    assert "asks for 400.00 USD back" in html and "The blog was never delivered" in html
    key = key_in(html)
    too_much = portal.post(reverse("portal:milestone_refund", args=[engagement.pk, released.pk]),
                           {"idempotency_key": key, "amount": "1500.01"})
    assert too_much.status_code == 400 and "At most 1,500.00 USD is left to refund" in too_much.content.decode()
    assert not ReleasedRefund.objects.exists()
    done = portal.post(reverse("portal:milestone_refund", args=[engagement.pk, released.pk]),
                       {"idempotency_key": key, "amount": "400.00", "reason": "Sorry about the blog"}, follow=True)
    html = done.content.decode()
    assert "400.00 USD of “Home page” refunded to Acme Studio" in html and "refunded after release" in html
    assert Transaction.objects.filter(kind="refund_released").count() == 1
    again = portal.post(reverse("portal:milestone_refund", args=[engagement.pk, released.pk]),
                        {"idempotency_key": key, "amount": "400.00", "reason": "Sorry about the blog"})
    assert again.status_code == 302 and Transaction.objects.filter(kind="refund_released").count() == 1
    owner_view = owner_client.get(action_url(released, "ask-refund")).content.decode()
    assert "1,100.00 USD</strong> of the 1,500.00 USD released" in owner_view and "Sorry about the blog" in owner_view


def test_someone_elses_milestone_is_404(outsider_client, released, engagement):
    assert outsider_client.get(action_url(released, "ask-refund")).status_code == 404
    answer = outsider_client.post(reverse("portal:milestone_refund", args=[engagement.pk, released.pk]),
                                  {"idempotency_key": "k", "amount": "1.00"})
    assert answer.status_code in (302, 404)
    assert not ReleasedRefund.objects.exists()
