"""The inbox pages' shared part: a notice as the pages show it, and opening one. The owner's
pages (views.py) and the portal's (portal/views/inbox.py) differ only in the layout and the
URL names they pass."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from . import selectors, services
from .emails import notice_text
from .models import Notification


@dataclass(frozen=True)
class Notice:
    notification: Notification
    title: str
    body: str
    url: str

    @property
    def unread(self):
        return self.notification.read_at is None


def notice(notification):
    title, body = notice_text(notification)
    return Notice(notification, title, body, selectors.notice_url(notification))


def inbox_page(request, *, notices, template, context):
    page = Paginator(notices, 30).get_page(request.GET.get("page"))
    return render(request, template, {**context, "page": page, "notices": [notice(n) for n in page]})


def notice_open(request, *, notices, pk, template, context):
    """Reading a notice marks it read, then leads to the page to act (on this site), or shows
    the notice itself when there is none."""
    found = services.notice_read(notification=get_object_or_404(notices, pk=pk))
    shown = notice(found)
    if shown.url and url_has_allowed_host_and_scheme(shown.url, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return redirect(shown.url)
    return render(request, template, {**context, "notice": shown})


def notices_read_all(request, *, notices, back):
    """"Mark all read": says how many, then back to the inbox (`back`, a URL name)."""
    count = services.notices_read_all(notices=notices)
    messages.success(request, f"{count} notice{'s' if count != 1 else ''} marked read." if count else "Nothing unread.")
    return redirect(back)
