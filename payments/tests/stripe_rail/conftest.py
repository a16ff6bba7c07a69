"""The Stripe rail against the offline fake (payments/tests/stripe_fake/): `stripe_rail` turns
the provider on with the fake under the real StripeClient (through `STRIPE_HTTP_CLIENT`, the
provider's one injection point) and gives helpers that deliver the fake's signed events to our
webhook endpoints, with the tasks they enqueue run inline."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiToken, TokenRole
from payments import services
from payments.models import PayoutAccount, ProviderIntent
from payments.tests.conftest import new_key, submit
from payments.tests.stripe_fake import TEST_KEY, FakeHTTPClient, FakeStripe

_FAKES = []


def fake_http_client():
    """The transport `STRIPE_HTTP_CLIENT` names in these tests: the current test's fake."""
    return FakeHTTPClient(_FAKES[-1])


@pytest.fixture
def stripe_rail(settings, celery_eager):
    fake = FakeStripe(default_currency="usd", platform_country="US")
    _FAKES.append(fake)
    settings.PAYMENTS_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = TEST_KEY
    settings.STRIPE_API_VERSION = fake.api_version
    settings.STRIPE_WEBHOOK_SECRETS = (fake.webhook_secret,)
    settings.STRIPE_CONNECT_WEBHOOK_SECRETS = (fake.connect_webhook_secret,)
    settings.STRIPE_HTTP_CLIENT = "payments.tests.stripe_rail.conftest.fake_http_client"
    settings.STRIPE_CURRENCIES = ("USD", "EUR")
    settings.STRIPE_PAYMENT_METHODS = ("card", "us_bank_account")
    settings.STRIPE_PLATFORM_COUNTRY = fake.platform_country
    yield fake
    _FAKES.remove(fake)


@pytest.fixture
def deliver(client, stripe_rail, django_capture_on_commit_callbacks):
    """Deliver the fake's pending events to our endpoints (options as `deliver_to_client`), the
    processing tasks run inline; returns the responses."""
    def run(**options):
        with django_capture_on_commit_callbacks(execute=True):
            return stripe_rail.deliver_to_client(client, **options)

    return run


@pytest.fixture
def owner_api(owner, workspace):
    _, key = ApiToken.issue(user=owner, workspace=workspace, role=TokenRole.OWNER)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


@pytest.fixture
def freelancer_api(freelancer, workspace):
    _, key = ApiToken.issue(user=freelancer.user, workspace=workspace, role=TokenRole.FREELANCER,
                            freelancer=freelancer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def checkout_of(milestone):
    return ProviderIntent.objects.get(milestone=milestone, kind="checkout")


def payouts_on(owner_api, freelancer, fake):
    """The owner turns payouts on and the freelancer finishes Stripe's onboarding (its
    account.updated left for the test to deliver or lose) → the PayoutAccount."""
    owner_api.post(reverse("api:freelancer-payout-account", args=[freelancer.pk]))
    account = PayoutAccount.objects.get(freelancer=freelancer)
    fake.complete_onboarding(account.provider_account_id)
    return account


def paid_and_released(owner_api, owner, milestone, fake, deliver, capture):
    """The owner pays `milestone` through Checkout (confirmed by the delivered events), the work
    is submitted and released, with the moves that follow run inline."""
    owner_api.post(reverse("api:milestone-fund", args=[milestone.pk]), {}, format="json",
                   HTTP_IDEMPOTENCY_KEY=new_key())
    fake.complete_checkout(checkout_of(milestone).provider_id)
    deliver()
    submit(milestone)
    with capture(execute=True):
        services.milestone_release(milestone=milestone, actor=owner, idempotency_key=new_key())
