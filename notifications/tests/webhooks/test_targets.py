"""SSRF: where a webhook may go, checked when an endpoint is saved and again at every send, the
host name resolved once and the checked address connected to."""

import socket

import pytest
from django.core.exceptions import ValidationError

from notifications.models import DeliveryStatus
from notifications.webhooks import targets
from notifications.webhooks.delivery import webhook_delivery_attempt
from notifications.webhooks.services import webhook_emit, webhook_endpoint_update

REFUSED = [
    "https://127.0.0.1/hooks",
    "https://10.0.0.1/hooks",
    "https://192.168.1.20/hooks",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/hooks",
    "https://[::ffff:127.0.0.1]/hooks",  # IPv4-mapped loopback
    "https://[fe80::1]/hooks",
    "https://0.0.0.0/hooks",
    "https://224.0.0.1/hooks",
    "https://100.64.0.1/hooks",  # carrier-grade NAT, not public
    "https://localhost/hooks",  # a name resolving to loopback
    "https://localhost:8443/hooks",
]


@pytest.mark.parametrize("url", REFUSED)
def test_a_non_public_target_is_refused_when_saved(make_endpoint, url):
    with pytest.raises(ValidationError) as refused:
        make_endpoint(url)

    assert "private, loopback, link-local or reserved" in refused.value.message_dict["url"][0]


@pytest.mark.parametrize("url, message", [
    ("http://hooks.example.com/x", "Use an https:// URL."),
    ("https://user:pw@hooks.example.com/x", "Leave credentials out of the URL"),
    ("ftp://hooks.example.com/x", "Use an https:// URL."),
])
def test_plain_http_and_credentials_in_the_url_are_refused(make_endpoint, url, message):
    with pytest.raises(ValidationError, match=message):
        make_endpoint(url)


def test_a_public_address_and_a_name_that_does_not_resolve_yet_are_accepted(make_endpoint):
    endpoint, _ = make_endpoint("https://93.184.215.14/hooks")
    assert endpoint.url == "https://93.184.215.14/hooks"
    # .invalid never resolves (RFC 6761): checked again, and logged, at each send.
    make_endpoint("https://hooks.example.invalid/x")


def test_a_target_allowed_when_saved_is_refused_at_send_time_once_the_setting_is_off(
        workspace, receiver, endpoint, local_targets):
    local_targets.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    delivery = webhook_emit(workspace_id=workspace.pk, type="milestone.funded", data={}).deliveries.get()

    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "retry"

    assert receiver.requests == []
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None and attempt.error.startswith("Refused:")


def test_a_name_that_does_not_resolve_is_a_failed_attempt_not_an_error(workspace, make_endpoint):
    make_endpoint("https://hooks.example.invalid/x")
    delivery = webhook_emit(workspace_id=workspace.pk, type="milestone.funded", data={}).deliveries.get()

    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "retry"

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert "Could not resolve hooks.example.invalid" in delivery.attempt_log.get().error


def test_the_name_is_resolved_once_and_the_checked_address_is_connected_to(
        workspace, receiver, make_endpoint, monkeypatch):
    """A name answering the receiver's loopback address (allowed in this test) to the first
    lookup and a refused address to any later one: the POST reaches the receiver, with the
    URL's host in the Host header, after exactly one lookup."""
    port = receiver.server.server_address[1]
    real = socket.getaddrinfo
    lookups = []

    def resolver(host, *args, **kwargs):
        if host != "hooks.example.test":
            return real(host, *args, **kwargs)
        lookups.append(host)
        address = "127.0.0.1" if len(lookups) == 1 else "10.9.9.9"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    endpoint, _ = make_endpoint(f"http://hooks.example.test:{port}/hooks")
    lookups.clear()
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    delivery = webhook_emit(workspace_id=workspace.pk, type="milestone.funded", data={}).deliveries.get()

    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "succeeded"

    assert lookups == ["hooks.example.test"]
    (headers, _), = receiver.requests
    assert headers["Host"] == f"hooks.example.test:{port}"
    webhook_endpoint_update(endpoint=endpoint, actor=None, active=False)


def test_a_name_with_any_non_public_address_is_refused(monkeypatch, settings):
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 443)),
    ])

    with pytest.raises(targets.TargetRefused):
        targets.check_url("https://mixed.example.com/x")
    assert targets.post("https://mixed.example.com/x", b"{}", {}).error.startswith("Refused:")
