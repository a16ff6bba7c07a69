"""Absolute links for what leaves the site (emails, calendar feeds): every path is joined to
SITE_URL, because a mail client has no page to resolve a relative link against."""

from django.conf import settings


def absolute(path):
    return f"{settings.SITE_URL}{path}"
