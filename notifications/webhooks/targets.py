"""Where a webhook may go, and the one way it is sent there (SSRF-safe).

A URL is checked when an endpoint is saved and again at every send: https (http only when
`WEBHOOKS_ALLOW_HTTP` is on), no credentials in it, and every address its host name resolves
to must be public — private, loopback, link-local, multicast, reserved and unspecified
addresses (also inside IPv4-mapped, 6to4 and Teredo IPv6 addresses) are refused unless
`WEBHOOKS_ALLOW_PRIVATE_TARGETS` is on. At send time the name is resolved ONCE and the checked
address is the one connected to (the TLS server name and the Host header stay the URL's host),
so a name that answers a public address to the check and a private one to the connection
(DNS rebinding) gets nowhere. Redirects are not followed, timeouts are short and at most
`READ_LIMIT` bytes of the answer are read.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

READ_LIMIT = 4096
# How much of the answer the delivery log keeps.
RESPONSE_EXCERPT = 1000
USER_AGENT = "Outsourcing-Webhooks/1"


class TargetRefused(ValueError):
    """The URL may not be sent to (scheme, credentials, a non-public address)."""


@dataclass
class Answer:
    status_code: int | None = None
    body: str = ""
    duration_ms: int = 0
    error: str = ""

    @property
    def ok(self):
        return self.status_code is not None and 200 <= self.status_code < 300


def _embedded(ip):
    """The IPv4 address an IPv6 one carries (IPv4-mapped, 6to4, Teredo), if any."""
    if ip.version != 6:
        return []
    inner = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    return [a for a in inner if a is not None]


def address_allowed(address):
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id is never public anyway
    return all(a.is_global and not a.is_multicast for a in [ip, *_embedded(ip)])


def _parts(url):
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused("This is not a valid URL.") from exc
    allowed = ("https", "http") if settings.WEBHOOKS_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise TargetRefused("Use an https:// URL." if "http" not in allowed else "Use an http:// or https:// URL.")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("Leave credentials out of the URL; verify the signature instead.")
    if not parts.hostname:
        raise TargetRefused("The URL has no host.")
    return parts, port or (443 if parts.scheme == "https" else 80)


def _literal(host):
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def resolve(host, port):
    """Every address `host` resolves to (one lookup); socket.gaierror when it does not."""
    literal = _literal(host)
    if literal is not None:
        return [str(literal)]
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _check_addresses(host, addresses):
    refused = [a for a in addresses if not address_allowed(a)]
    if refused:
        raise TargetRefused(f"{host} is a private, loopback, link-local or reserved address; "
                            "webhooks go only to public addresses.")


def check_url(url):
    """At save time: refuse what can never be sent to. A name that does not resolve now is
    accepted (it is checked again, and its failure logged, at every send)."""
    parts, port = _parts(url)
    try:
        addresses = resolve(parts.hostname, port)
    except (OSError, UnicodeError, ValueError):  # no answer now (or a name no resolver takes)
        return url
    _check_addresses(parts.hostname, addresses)
    return url


def _pool(parts, address, port):
    timeout = urllib3.Timeout(connect=settings.WEBHOOKS_CONNECT_TIMEOUT, read=settings.WEBHOOKS_TIMEOUT)
    if parts.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address, port, timeout=timeout, retries=False, maxsize=1, cert_reqs="CERT_REQUIRED",
            server_hostname=parts.hostname, assert_hostname=parts.hostname,
        )
    return urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1)


def _read_capped(response, started):
    """At most READ_LIMIT bytes, and no longer than the overall timeout (a server dripping a
    byte at a time cannot hold the worker)."""
    chunks, size = [], 0
    while size < READ_LIMIT and time.monotonic() - started < settings.WEBHOOKS_TIMEOUT:
        chunk = response.read(min(1024, READ_LIMIT - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks).decode("utf-8", "replace")[:RESPONSE_EXCERPT]


def post(url, body, headers):
    """POST `body` to `url` by the rules above. Never raises for the target's sake: a refused,
    unresolvable, unreachable or slow target is an `Answer` with `error` set."""
    started = time.monotonic()

    def answer(**kw):
        return Answer(duration_ms=int((time.monotonic() - started) * 1000), **kw)

    try:
        parts, port = _parts(url)
        addresses = resolve(parts.hostname, port)
        _check_addresses(parts.hostname, addresses)
    except TargetRefused as exc:
        return answer(error=f"Refused: {exc}")
    except (OSError, UnicodeError, ValueError) as exc:
        return answer(error=f"Could not resolve {urlsplit(url).hostname}: {exc}"[:300])
    netloc = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    pool = _pool(parts, addresses[0], port)
    try:
        response = pool.urlopen(
            "POST", path, body=body, redirect=False, retries=False, preload_content=False,
            assert_same_host=False,
            headers={**headers, "Host": netloc, "Content-Type": "application/json", "User-Agent": USER_AGENT},
        )
        try:
            text = _read_capped(response, started)
        finally:
            response.release_conn()
        return answer(status_code=response.status, body=text)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return answer(error=f"{type(exc).__name__}: {exc}"[:300])
    finally:
        pool.close()
