"""Cross-border onboarding: a freelancer in another country than the platform's (outside
Europe's single area) gets an Express account under the recipient service agreement with only
the transfers capability, as Stripe requires; the fake refuses anything else (its
`platform_country` is on in the rail's fixture)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from payments.models import PayoutAccount
from payments.providers.stripe import PLATFORM_COUNTRY_CACHE, cross_border

pytestmark = pytest.mark.django_db


def _enable(owner_api, freelancer, country):
    freelancer.country = country
    freelancer.save(update_fields=["country"])
    return owner_api.post(reverse("api:freelancer-payout-account", args=[freelancer.pk]))


def _account_at_stripe(fake, freelancer):
    return fake.objects[PayoutAccount.objects.get(freelancer=freelancer).provider_account_id]


def test_a_freelancer_abroad_gets_a_recipient_account_with_transfers_only(stripe_rail, owner_api, freelancer):
    answer = _enable(owner_api, freelancer, "PT")  # the platform is in the US
    assert answer.status_code == 200, answer.content
    account = _account_at_stripe(stripe_rail, freelancer)
    assert account["country"] == "PT"
    assert account["tos_acceptance"]["service_agreement"] == "recipient"
    assert set(account["capabilities"]) == {"transfers"}
    # Onboarded, the account receives transfers like any other.
    stripe_rail.complete_onboarding(account["id"])
    assert stripe_rail.objects[account["id"]]["capabilities"] == {"transfers": "active"}


def test_a_freelancer_in_the_platforms_country_gets_the_full_agreement(stripe_rail, owner_api, freelancer):
    assert _enable(owner_api, freelancer, "US").status_code == 200
    assert _account_at_stripe(stripe_rail, freelancer)["tos_acceptance"]["service_agreement"] == "full"


def test_inside_europes_single_area_no_recipient_agreement_is_needed(stripe_rail, settings, owner_api, freelancer):
    stripe_rail.platform_country = "DE"
    settings.STRIPE_PLATFORM_COUNTRY = "DE"
    assert _enable(owner_api, freelancer, "PT").status_code == 200
    assert _account_at_stripe(stripe_rail, freelancer)["tos_acceptance"]["service_agreement"] == "full"


def test_without_the_setting_the_platforms_country_is_asked_of_stripe_once(stripe_rail, settings, owner_api,
                                                                           freelancer, workspace):
    settings.STRIPE_PLATFORM_COUNTRY = ""
    cache.delete(PLATFORM_COUNTRY_CACHE)
    assert _enable(owner_api, freelancer, "PT").status_code == 200
    assert _account_at_stripe(stripe_rail, freelancer)["tos_acceptance"]["service_agreement"] == "recipient"
    asked = [r for r in stripe_rail.requests if r[:2] == ("GET", "/v1/account")]
    assert len(asked) == 1 and cache.get(PLATFORM_COUNTRY_CACHE) == "US"
    cache.delete(PLATFORM_COUNTRY_CACHE)


def test_the_rule_itself():
    assert cross_border("US", "PT") and cross_border("GB", "US") and cross_border("DE", "JP")
    assert not cross_border("DE", "PT") and not cross_border("GB", "CH") and not cross_border("US", "US")
    assert not cross_border("US", "")  # no country given: Stripe takes the platform's
