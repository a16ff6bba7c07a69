"""The freelancer's inbox: the emails they got from this workspace, as notices (the same
outbox rows the owner's side reads; notifications/inbox.py draws both)."""

from django.views.decorators.http import require_POST

from notifications import inbox, selectors

from ..access import portal_required

CONTEXT = {"base_template": "portal/base.html", "open_url": "portal:notice",
           "read_all_url": "portal:read_all", "inbox_url": "portal:inbox"}


def _notices(request):
    return selectors.inbox(user=request.user, workspace=request.freelancer.workspace)


def _context(request):
    return {**CONTEXT, "freelancer": request.freelancer, "profiles": request.portal_profiles, "tab": "inbox"}


@portal_required
def inbox_list(request):
    return inbox.inbox_page(request, notices=_notices(request), template="notifications/inbox.html",
                            context=_context(request))


@portal_required
def notice_open(request, pk):
    return inbox.notice_open(request, notices=_notices(request), pk=pk, template="notifications/notice.html",
                             context=_context(request))


@portal_required
@require_POST
def notices_read_all(request):
    return inbox.notices_read_all(request, notices=_notices(request), back="portal:inbox")
