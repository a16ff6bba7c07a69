"""One person who owns two workspaces and reuses a key in both (the API refuses a reused key for
a day, per user; after that, and on the pages, keys are the workspace's own): the ledger keeps the
two apart (keys are unique per workspace), and so must the provider, whose idempotency keys are
global to the platform's Stripe account. Before intents carried their workspace, the second
workspace's checkout was refused as a reused key and its release found the first workspace's
transfer and sent its freelancer nothing."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Membership, Role
from accounts.tests.factories import WorkspaceFactory
from api.models import ApiToken, TokenRole
from payments import services
from payments.models import IntentStatus, PayoutAccount, ProviderIntent
from payments.tests.conftest import submit
from payments.tests.factories import EngagementFactory, FreelancerFactory, MilestoneFactory

from .conftest import checkout_of

pytestmark = pytest.mark.django_db


def _api(user, workspace):
    _, key = ApiToken.issue(user=user, workspace=workspace, role=TokenRole.OWNER)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def _ready(api, freelancer, fake, deliver):
    assert api.post(reverse("api:freelancer-payout-account", args=[freelancer.pk])).status_code == 200
    account = PayoutAccount.objects.get(freelancer=freelancer)
    fake.complete_onboarding(account.provider_account_id)
    deliver()
    return account


def test_the_same_key_in_two_workspaces_moves_money_in_each(stripe_rail, deliver, owner, owner_api, freelancer,
                                                             milestone, django_capture_on_commit_callbacks):
    second = WorkspaceFactory(name="Second Studio")
    Membership.objects.create(user=owner, workspace=second, role=Role.OWNER)
    second_api = _api(owner, second)
    other = FreelancerFactory(workspace=second, name="Otto Other", email="otto@example.com")
    other_milestone = MilestoneFactory(
        engagement=EngagementFactory(workspace=second, freelancer=other, budget=1_000_000), amount=90_000)
    accounts = {m.pk: _ready(api, m.engagement.freelancer, stripe_rail, deliver)
                for api, m in ((owner_api, milestone), (second_api, other_milestone))}

    for m in (milestone, other_milestone):
        intent = services.provider_funding.milestone_checkout_start(milestone=m, actor=owner, idempotency_key="k-1")
        assert intent.milestone_id == m.pk and intent.url
        stripe_rail.complete_checkout(checkout_of(m).provider_id)
    deliver()
    for m in (milestone, other_milestone):
        m.refresh_from_db()
        assert m.state == "funded"
        submit(m)
        with django_capture_on_commit_callbacks(execute=True):
            services.milestone_release(milestone=m, actor=owner, idempotency_key="k-2")

    transfers = ProviderIntent.objects.filter(kind="transfer").order_by("workspace_id")
    assert [t.status for t in transfers] == [IntentStatus.SUCCEEDED] * 2
    assert len({t.provider_id for t in transfers}) == 2 and len({t.idempotency_key for t in transfers}) == 2
    for m, amount in ((milestone, 150_000), (other_milestone, 90_000)):
        account = accounts[m.pk].provider_account_id
        assert stripe_rail.connected_balance(account, "usd")["pending"] == amount


def test_an_intent_started_under_the_old_key_form_is_found_in_its_workspace_only(workspace, engagement, owner):
    old = ProviderIntent.objects.create(workspace=workspace, engagement=engagement, kind="transfer",
                                        idempotency_key="legacy-1:transfer", ledger_key="legacy-1", amount=100,
                                        currency="USD")
    start = dict(kind="transfer", ledger_key="legacy-1", step="transfer", amount=100, currency="USD")

    assert services.provider_intents.intent_start(workspace=workspace, **start) == old
    second = WorkspaceFactory(name="Second Studio")
    new = services.provider_intents.intent_start(workspace=second, **start)
    assert new != old and new.idempotency_key == f"w{second.pk}:legacy-1:transfer"
    assert ProviderIntent.objects.count() == 2
