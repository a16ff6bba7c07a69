"""Parts of owner pages kept until their workspace changes (accounts/changes.py) or the minute
turns: the home page's sections, the engagement list, the money overview. At 10,000 engagements
each is 30–200 ms of queries and rendering; kept, it is a lookup in the process's memory.

A part is the HTML of one template, rendered from a context that is only built when the part is
not kept. It is kept under everything it depends on:

- the workspace's change mark, read with the membership (accounts.middleware): any committed
  write to the workspace's rows moves it, so the reader's own action and anyone else's shows at
  once;
- the minute: items that fall due with time alone (a status update becomes overdue, a review
  window's "5 hours left") are at most a minute behind the clock;
- the reader (their snoozes, unread threads), role, time zone and language, the page's path and
  query string, and the session's CSRF secret (the part's forms carry a token of it);
- the process: kept in the process's memory (Django's local-memory cache, a bounded number of
  parts), never shared with another process or deploy, and forgotten when a setting changes.

Where there is no mark (SQLite, a POST, a workspace without one yet), or KEPT_PAGES is off, the part
is rendered afresh.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

CACHE = "kept_pages"
KEEP_SECONDS = 120  # two minutes: a part outlives its minute only long enough to be replaced
_process = {"id": uuid.uuid4().hex}


def _forget_all(**kwargs):
    _process["id"] = uuid.uuid4().hex


setting_changed.connect(_forget_all, dispatch_uid="accounts.kept.forget")


def part_key(request, name, *, now):
    """The key of the part `name` of this request's page, or None when it cannot be kept."""
    membership, workspace = getattr(request, "membership", None), getattr(request, "workspace", None)
    mark = getattr(membership, "change_mark", None)
    if mark is None or workspace is None or request.method != "GET" or not settings.KEPT_PAGES:
        return None
    get_token(request)  # the session's CSRF secret, made now if the session has none yet
    parts = (_process["id"], name, workspace.pk, mark, request.user.pk, membership.role,
             timezone.get_current_timezone_name(), translation.get_language() or "",
             request.META.get("CSRF_COOKIE", ""), f"{now:%Y-%m-%dT%H:%M}", request.get_full_path())
    return "kept:" + hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def kept_part(request, name, template, context, *, now):
    """The HTML of `template` rendered with `context()` (a callable: not called when the part is
    kept), kept as this module says."""
    key = part_key(request, name, now=now)
    cache = caches[CACHE]
    html = cache.get(key) if key is not None else None
    if html is None:
        html = render_part(template, context, request)
        if key is not None:
            cache.set(key, html, KEEP_SECONDS)
    return mark_safe(html)  # noqa: S308 (rendered by the template engine, escaped there)


def render_part(template, context, request):
    """A part built afresh: its context read, its template rendered."""
    return render_to_string(template, context(), request=request)
