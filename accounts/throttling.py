"""Login throttling helpers for django-axes (and the API's token throttle)."""

from django.conf import settings


def axes_username(request, credentials=None):
    """The key a lock-out is counted under: the email as the account stores it.

    Emails log in whatever their case, so `Owner@X.com` and `owner@x.com` must count against
    the same lock-out, or an attacker gets five more guesses per spelling.
    """
    value = None
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        value = data.get("username") or data.get("email")
    if not isinstance(value, str):
        return value
    return value.strip().lower()


def client_ip(request):
    """The address a lock-out or a rate limit is counted under.

    With `PROXY_COUNT` = 0 (nothing in front), the socket's peer: an `X-Forwarded-For` header is
    whatever the client wrote, and honouring it would give an attacker a fresh address per guess
    (or let them lock out a victim's). Behind N proxies, the entry the outermost of them appended
    (N-th from the right): everything left of it is again the client's own writing.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not count or not forwarded:
        return remote
    return forwarded[-min(count, len(forwarded))]
