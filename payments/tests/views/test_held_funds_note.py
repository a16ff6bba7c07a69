"""Wherever the owner funds a milestone or reads "held funds", one line says where that money
really is (with the default off-platform gateway: nowhere but the owner's own books)."""

from django.urls import reverse

from payments.gateways import OFF_PLATFORM_HELD_FUNDS_NOTE


def test_the_fund_page_the_overview_and_the_engagement_money_say_where_escrow_is(owner_client, milestone):
    pages = [reverse("payments:milestone_action", kwargs={"pk": milestone.pk, "action": "fund"}),
             reverse("payments:overview"), reverse("payments:engagement", kwargs={"pk": milestone.engagement_id}),
             reverse("dashboard:home")]
    for url in pages:
        body = owner_client.get(url).content.decode()
        assert f"Where held funds are:</span> {OFF_PLATFORM_HELD_FUNDS_NOTE}" in body, url
