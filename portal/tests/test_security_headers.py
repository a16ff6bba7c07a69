"""Every HTML page answers with the browser protections (issue 15): a Content-Security-Policy
with a fresh nonce (and every <script> and <style> of the page carrying it), `object-src 'none'`
and `base-uri`; `X-Content-Type-Options: nosniff`; a `Referrer-Policy`; frame protection. The
pages are the access matrix's walk (every owner and portal page, with real ids), the public
pages, and the error pages."""

import re

import pytest
from django.test import Client

from .conftest import client_for
from .test_access_matrix import _request, pages

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/accounts/login/", "/accounts/signup/", "/password-reset/", "/password-reset/sent/",
                "/portal/sign-in/", "/portal/invite/not-a-token/", "/no-such-page/"]
TAG = re.compile(rb"<(script|style)\b([^>]*)>", re.I)


def _problems(url, response):
    if "text/html" not in response.get("Content-Type", ""):
        return []
    problems = []
    csp = response.get("Content-Security-Policy", "")
    nonce = re.search(r"'nonce-([^']+)'", csp)
    for needed in ("object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'", "script-src 'self'"):
        if needed not in csp:
            problems.append(f"{url}: CSP lacks {needed!r} ({csp!r})")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"{url}: CSP allows unsafe code ({csp!r})")
    # Django adds the nonce only to a page that used it: one without a <script> or <style> of its
    # own allows none at all. Every one there is must carry the nonce of this response.
    for kind, attrs in TAG.findall(response.content):
        if not nonce or f'nonce="{nonce.group(1)}"'.encode() not in attrs:
            problems.append(f"{url}: <{kind.decode()}{attrs.decode()}> without the page's nonce")
    expected = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"}
    for header, value in expected.items():
        if response.get(header) != value:
            problems.append(f"{url}: {header} is {response.get(header)!r}")
    return problems


def test_every_page_of_both_sides_carries_the_browser_protections(world, owner):
    owner_client, a = client_for(owner), client_for(world.freelancer.user)
    problems, seen, nonces = [], 0, []
    for page in pages(world):
        response, _ = _request(a if page.portal_side else owner_client, "get", page, {})
        if "text/html" in response.get("Content-Type", ""):
            seen += 1
            nonce = re.search(r"'nonce-([^']+)'", response.get("Content-Security-Policy", ""))
            nonces.append(nonce.group(1)) if nonce else None
        problems += _problems(page.url, response)
    assert problems == []
    assert seen >= 60
    assert len(nonces) >= 20 and len(set(nonces)) == len(nonces)  # a fresh nonce for every response


def test_public_and_error_pages_carry_them_too(db):
    client = Client()
    problems = []
    for url in PUBLIC_PAGES:
        response = client.get(url)
        assert "text/html" in response["Content-Type"], url
        problems += _problems(url, response)
    assert problems == []


def test_the_check_notices_a_page_without_them():
    from django.http import HttpResponse

    bare = HttpResponse('<script>alert(1)</script>', content_type="text/html")
    problems = _problems("/bare/", bare)
    assert any("object-src" in p for p in problems) and any("X-Frame-Options" in p for p in problems)
