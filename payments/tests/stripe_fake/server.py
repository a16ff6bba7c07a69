"""The fake over HTTP on loopback, for tests that run the app in another thread or process
(live_server, gunicorn, a browser): the same /v1 API, plus Stripe's two hosted pages a user
clicks through — Checkout (`/pay/<session>`) and Connect onboarding (`/setup/<link>`). After a
click the server posts the signed events to the configured webhook URLs, as Stripe would.

    with FakeStripeServer(fake, webhook_urls={"platform": f"{live_server.url}/webhooks/stripe/",
                                               "connect": f"{live_server.url}/webhooks/stripe/connect/"}) as server:
        client = server.client()        # a StripeClient whose base address is the server
        ...                             # or give the app STRIPE_API_BASE = server.url
"""

import html
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import stripe

from .api import ResponseLost
from .state import TEST_KEY, FakeStripe

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1>{title}</h1>{body}</main></body></html>"""


class FakeStripeServer:
    def __init__(self, fake=None, *, host="127.0.0.1", port=0, webhook_urls=None):
        self.fake = fake or FakeStripe()
        self.webhook_urls = dict(webhook_urls or {})
        self.httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        self.fake.base_url = self.url
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="stripe-fake", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def client(self, api_key=TEST_KEY, **options):
        """A real StripeClient talking HTTP to this server."""
        return stripe.StripeClient(api_key, base_addresses={"api": self.url, "connect": self.url},
                                   stripe_version=self.fake.api_version, **options)

    def deliver(self):
        if self.webhook_urls:
            self.fake.deliver_to_url(self.webhook_urls)


def _handler_for(server):
    class Handler(_Handler):
        pass

    Handler.server_ref = server
    return Handler


class _Handler(BaseHTTPRequestHandler):
    server_ref = None
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self._dispatch("GET")

    def do_POST(self):  # noqa: N802
        self._dispatch("POST")

    def do_DELETE(self):  # noqa: N802
        self._dispatch("DELETE")

    def _dispatch(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        path = self.path.split("?", 1)[0]
        if path.startswith("/v1/"):
            return self._api(method, body)
        for pattern, name in ((r"^/pay/([A-Za-z0-9_]+)$", "pay"), (r"^/setup/([A-Za-z0-9_]+)$", "setup")):
            found = re.match(pattern, path)
            page = getattr(self, f"_{name}_{method.lower()}", None)
            if found and page:
                try:
                    return page(found.group(1), parse_qs(body))
                except Exception as error:  # a bug in the fake: show it on the page rather than hang up
                    return self._send(500, "text/plain", f"The Stripe fake failed: {error!r}")
        return self._send(404, "text/plain", b"Not found")

    def _api(self, method, body):
        try:
            status, payload, headers = self.server_ref.fake.handle(method, self.path, dict(self.headers), body)
        except ResponseLost:
            self.close_connection = True  # ran, but the caller never hears back
            return
        except Exception as error:  # a bug in the fake: say so in Stripe's shape rather than hang up
            status, headers = 500, {}
            payload = {"error": {"type": "api_error", "message": f"The Stripe fake failed: {error!r}"}}
        data = json.dumps(payload).encode()
        self._send(status, "application/json", data, {k: v for k, v in headers.items() if k != "Content-Type"})

    # Checkout's hosted page ------------------------------------------------------------
    def _pay_get(self, session_id, form, error=None):
        fake = self.server_ref.fake
        session = fake.objects.get(session_id)
        if session is None or session["object"] != "checkout.session":
            return self._send(404, "text/html", _page("Not found", "<p>No such Checkout Session.</p>"))
        if session["status"] != "open":
            return self._send(200, "text/html", _page("Checkout", _GONE))
        lines = "".join(f"<li>{html.escape(line['description'] or '')} × {line['quantity']}</li>"
                        for line in fake.session_extras[session_id]["lines"])
        card = ('<label>Card number <input name="card" value="4242 4242 4242 4242" autocomplete="off"></label>'
                if "card" in session["payment_method_types"] else "")
        buttons = "".join(f'<button type="submit" name="method" value="{m}">{_LABEL[m]}</button>'
                          for m in session["payment_method_types"])
        cancel = f'<a href="{html.escape(session["cancel_url"])}">Cancel</a>' if session["cancel_url"] else ""
        alert = f'<p role="alert">{html.escape(error)}</p>' if error else ""
        body = (f'<ul>{lines}</ul><p>Total <strong data-testid="amount">{_amount(session)}</strong></p>'
                f'{alert}<form method="post">{card}{buttons}</form>{cancel}')
        return self._send(402 if error else 200, "text/html", _page("Checkout", body))

    def _pay_post(self, session_id, form):
        fake = self.server_ref.fake
        method = (form.get("method") or ["card"])[0]
        session = fake.objects.get(session_id)
        if session is None or session.get("status") != "open" or method not in session["payment_method_types"]:
            return self._send(409, "text/html", _page("Checkout", _GONE))
        number = "".join((form.get("card") or [""])[0].split())
        decline = _DECLINING_CARDS.get(number) if method == "card" else None
        result = fake.complete_checkout(session_id, method, decline=decline)
        self.server_ref.deliver()
        if not isinstance(result, dict):  # declined: the payer stays on the page, as on Stripe's
            return self._pay_get(session_id, form, error=result.body["message"])
        target = (result["success_url"] or "/").replace("{CHECKOUT_SESSION_ID}", session_id)
        return self._redirect(target)

    # Connect onboarding ----------------------------------------------------------------
    def _setup_get(self, token, form):
        link = self.server_ref.fake.use_account_link(token)
        if link is None:
            return self._expired_link(token)
        body = ('<p>Tell Stripe who you are and where to send your money.</p>'
                '<form method="post"><button type="submit">Finish setup</button></form>')
        return self._send(200, "text/html", _page("Set up payouts", body))

    def _setup_post(self, token, form):
        fake = self.server_ref.fake
        link = fake.use_account_link(token)
        if link is None:
            return self._expired_link(token)
        link["used"] = True
        fake.complete_onboarding(link["account"])
        self.server_ref.deliver()
        return self._redirect(link["return_url"] or "/")

    def _expired_link(self, token):
        link = self.server_ref.fake.links.get(token)
        if link and link["refresh_url"]:
            return self._redirect(link["refresh_url"])
        return self._send(404, "text/html", _page("Link expired", "<p>This link has expired.</p>"))

    # responses ------------------------------------------------------------------------
    def _redirect(self, location):
        self._send(303, "text/plain", b"", {"Location": location})

    def _send(self, status, content_type, data, headers=None):
        if isinstance(data, str):
            data = data.encode()
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


# Stripe's test card numbers that decline; any other number is charged.
_DECLINING_CARDS = {"4000000000000002": "generic_decline", "4000000000009995": "insufficient_funds"}
_ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf",
                 "xof", "xpf"}
_GONE = "<p>This Checkout Session is no longer available.</p>"
_LABEL = {"card": "Pay", "sepa_debit": "Pay by SEPA Direct Debit", "us_bank_account": "Pay by bank (ACH)"}


def _page(title, body):
    return _PAGE.format(title=html.escape(title), body=body)


def _amount(session):
    total, currency = session["amount_total"], session["currency"]
    shown = f"{total}" if currency in _ZERO_DECIMAL else f"{total / 100:.2f}"
    return f"{shown} {currency.upper()}"
