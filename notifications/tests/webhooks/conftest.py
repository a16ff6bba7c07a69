"""A webhook receiver on loopback (a real HTTP server in a thread) and endpoints that point at
it; the tests that use them turn WEBHOOKS_ALLOW_PRIVATE_TARGETS and WEBHOOKS_ALLOW_HTTP on."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notifications.webhooks.services import webhook_endpoint_create


class Receiver:
    def __init__(self):
        self.requests = []  # (headers as a dict, body bytes)
        self.answers = []  # status codes to answer, in order; 200 once they run out
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append((dict(self.headers.items()), body))
                    code = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(code)
                if 300 <= code < 400:
                    self.send_header("Location", "http://127.0.0.1:1/elsewhere")
                reply = f"answered {code}".encode()
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_targets(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_ALLOW_HTTP = True
    return settings


@pytest.fixture
def receiver(local_targets):
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def make_endpoint(workspace, owner):
    def make(url, events=("milestone.funded",), **kwargs):
        return webhook_endpoint_create(workspace=workspace, actor=owner, url=url, events=list(events), **kwargs)

    return make


@pytest.fixture
def endpoint(receiver, make_endpoint):
    """(endpoint, secret) pointing at the receiver, subscribed to milestone.funded."""
    return make_endpoint(receiver.url)
