"""An SMTP sink on loopback (aiosmtpd) for the tests: the `smtp_sink` fixture of the root conftest."""

import pytest


class SmtpSink:
    """Collects what a real SMTP client delivers. Set `rcpt_reply` (e.g. "451 4.7.1 Try again
    later" or "550 5.1.1 No such user") to refuse recipients the way a mail server does.
    `holds[address] = seconds` keeps a message to that address waiting that long before the
    server accepts it (`holding` lists the addresses waiting now): a client that goes away
    meanwhile has delivered nothing, since a server takes a message only with its 250 reply.
    `refusals` is a list of replies given to the next recipients in turn, before the server
    accepts again (a server that greylists twice, then takes the message); `refused` lists the
    addresses it refused so."""

    def __init__(self):
        import threading

        self.host = "127.0.0.1"
        self.port = None
        self.rcpt_reply = None
        self.holds = {}
        self.holding = []
        self.refusals = []
        self.refused = []
        self.messages = []
        self.raw = []  # the bytes as they arrived, to check what the wire carries
        self._lock = threading.Lock()

    @property
    def url(self):
        return f"smtp://{self.host}:{self.port}"

    def mailer(self):
        """A MAILERS entry pointing at the sink (for `settings.MAILERS = …`)."""
        return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                            "OPTIONS": {"host": self.host, "port": self.port, "timeout": 5}}}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        with self._lock:
            reply = self.refusals.pop(0) if self.refusals else None
            if reply:
                self.refused.append(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        import email
        import email.policy

        hold = max((self.holds.get(rcpt, 0) for rcpt in envelope.rcpt_tos), default=0)
        if hold:
            self.holding.extend(envelope.rcpt_tos)
            try:
                await asyncio.sleep(hold)  # cancelled if the client disconnects meanwhile
            finally:
                for rcpt in envelope.rcpt_tos:
                    self.holding.remove(rcpt)
            if server.transport is None:
                return "451 4.4.2 Connection lost"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            self.raw.append(envelope.content)
        return "250 Message accepted for delivery"

    def clear(self):
        with self._lock:
            self.messages.clear()
            self.raw.clear()
            self.refusals.clear()
            self.refused.clear()
        self.rcpt_reply = None
        self.holds = {}

    def received(self, to=None):
        """The messages so far, only those addressed to `to` if given."""
        with self._lock:
            return [m for m in self.messages if to is None or to in m.get("To", "")]

    def wait_for(self, count=1, timeout=30.0, to=None):
        """The messages (to `to`, if given) once at least `count` have arrived; fails after
        `timeout` seconds. Filter by recipient when a worker may still be delivering what an
        earlier test queued."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.received(to)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        pytest.fail(f"Expected {count} email(s) at the SMTP sink within {timeout}s, got {len(self.received(to))}")
