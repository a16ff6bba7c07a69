"""The inbox pages' shared part: a notice as the pages show it, and opening one. The owner's
pages (views.py) and the portal's (portal/views/inbox.py) differ only in the layout and the
URL names they pass."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
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


PER_PAGE = 30
# Pages counted past the one asked for: "Page 1 of 11+" for a long history.
PAGES_AHEAD = 10


class CountedAheadPaginator(Paginator):
    """A Paginator that counts the rows only as far as `PAGES_AHEAD` pages past the requested
    one: an inbox of 45,000 notices cost a count of all of them on every view (a scan of the
    table, most of its rows being the owner's), to print the number of the last page. `more`
    says the count stopped there; every page stays reachable, `Next` leading on."""

    def __init__(self, object_list, per_page, *, page):
        super().__init__(object_list, per_page)
        self.counted_up_to = (_page_number(page) + PAGES_AHEAD) * per_page + 1

    @cached_property
    def count(self):
        return self.object_list.order_by().values("pk")[:self.counted_up_to].count()

    @property
    def more(self):
        return self.count >= self.counted_up_to


def _page_number(page):
    try:
        return min(max(int(page), 1), 1_000_000)
    except (TypeError, ValueError):
        return 1


def inbox_page(request, *, notices, template, context):
    number = request.GET.get("page")
    page = CountedAheadPaginator(notices, PER_PAGE, page=number).get_page(number)
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
