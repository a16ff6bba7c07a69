"""Both sides' pages say whether an engagement's invoices are self-billed and why: no agreement
yet, a version not signed by both, the signed clause."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from engagements.models import Engagement
from engagements.tests.factories import sign_agreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal_client(offered, freelancer):
    freelancer.user = UserFactory(email=freelancer.email, full_name=freelancer.name)
    freelancer.save(update_fields=["user"])
    client = Client()
    client.force_login(freelancer.user)
    return client


def _said(client, url):
    return " ".join(client.get(url).content.decode().split())


def test_the_pages_say_why_invoices_are_or_are_not_self_billed(owner_client, portal_client, offered, owner):
    owner_page = reverse("engagements:agreements", kwargs={"pk": offered.pk})
    detail = reverse("engagements:detail", kwargs={"pk": offered.pk})
    portal_page = reverse("portal:agreement", kwargs={"pk": offered.pk})
    Engagement.objects.filter(pk=offered.pk).update(self_billing_proposed=True)
    assert "No agreement has been sent, so nobody agreed to self-billing" in _said(owner_client, owner_page)
    assert "Self-billing is proposed" in _said(owner_client, owner_page)

    sign_agreement(offered, owner)
    assert "The agreement v1, signed by both sides, has the self-billing clause" in _said(owner_client, owner_page)
    assert "Self-billed: the signed agreement has the self-billing clause" in _said(owner_client, detail)
    assert "issued for you by the app, in your name" in _said(portal_client, portal_page)

    sign_agreement(offered, owner, self_billing=False)
    assert "The signed agreement v2 has no self-billing clause" in _said(owner_client, owner_page)
    assert "Issued by the freelancer from the portal: no agreement with the self-billing clause" in _said(
        owner_client, detail)
    assert "you issue your own, under Invoices" in _said(portal_client, portal_page)
