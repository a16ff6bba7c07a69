import socket

import pytest


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def make_notification(db):
    from notifications.services import notify

    def make(key="test:1", email="Someone@Example.com", **kwargs):
        kwargs.setdefault("kind", "password_reset")
        kwargs.setdefault("context", {"reset_url": "https://example.com/reset/secret-token/",
                                      "_secret": ["reset_url"]})
        notification, _ = notify(recipient_email=email, dedupe_key=key, **kwargs)
        return notification

    return make
