"""Helpers for the page tests: a milestone action's address, the idempotency key a form carries."""

import re

from django.urls import reverse


def action_url(milestone, action):
    return reverse("payments:milestone_action", args=[milestone.pk, action])


def key_in(html):
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
