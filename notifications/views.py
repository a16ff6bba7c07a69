from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.access import workspace_required
from accounts.models import Workspace

from . import inbox, preferences, selectors
from .models import NotificationStatus, PreferenceMode
from .selectors import workspace_notifications


@workspace_required
def notification_list(request):
    qs = workspace_notifications(request.workspace)
    status = request.GET.get("status", "")
    if status in NotificationStatus.values:
        qs = qs.filter(status=status)
    kind = request.GET.get("kind", "")[:64]
    if kind:
        qs = qs.filter(kind=kind)
    engagement = request.GET.get("engagement", "")
    engagement = int(engagement) if engagement.isdigit() and len(engagement) < 19 else None
    if engagement:
        qs = qs.filter(engagement_id=engagement)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page": page, "status": status, "statuses": NotificationStatus.choices, "kind": kind,
        "engagement": engagement,
    })


@workspace_required
def preference_list(request):
    """The signed-in person's choice per category of email, in the current workspace."""
    categories = preferences.owner_categories()
    if request.method == "POST":
        changed = 0
        current = preferences.modes(workspace=request.workspace, email=request.user.email)
        for category in categories:
            mode = request.POST.get(category.key)
            allowed = [PreferenceMode.ON, PreferenceMode.OFF] + ([PreferenceMode.DIGEST] if category.digest else [])
            if mode in allowed and mode != current[category.key]:
                preferences.preference_set(workspace=request.workspace, email=request.user.email,
                                           category=category.key, mode=mode)
                changed += 1
        messages.success(request, "Your email preferences were saved." if changed else "Nothing changed.")
        return redirect("notifications:preferences")
    current = preferences.modes(workspace=request.workspace, email=request.user.email)
    rows = [{"category": c, "mode": current[c.key],
             "choices": [(PreferenceMode.ON, "Email me")]
             + ([(PreferenceMode.DIGEST, "In the daily digest")] if c.digest else [])
             + [(PreferenceMode.OFF, "Off")]}
            for c in categories]
    return render(request, "notifications/preferences.html", {"rows": rows})


@csrf_exempt
@never_cache
def unsubscribe(request, token):
    """The List-Unsubscribe link. GET (a person clicking, or a mail scanner prefetching) only
    shows a confirmation; POST turns the category off — from our confirm button or from the
    mail client's one-click request (RFC 8058: `List-Unsubscribe=One-Click`, no cookies, so no
    CSRF token; the signed token is the authority)."""
    found = preferences.read_unsubscribe_token(token)
    workspace = Workspace.objects.filter(pk=found[0]).first() if found else None
    if workspace is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    _, email, category = found
    if request.method == "POST":
        preferences.preference_set(workspace=workspace, email=email, category=category.key,
                                   mode=PreferenceMode.OFF, via="unsubscribe")
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Unsubscribed.\n", content_type="text/plain")
        return render(request, "notifications/unsubscribe_done.html",
                      {"workspace": workspace, "email": email, "category": category})
    already = preferences.modes(workspace=workspace, email=email)[category.key] == PreferenceMode.OFF
    return render(request, "notifications/unsubscribe_confirm.html",
                  {"workspace": workspace, "email": email, "category": category, "already": already})


# --- The inbox (the bell in the header) -------------------------------------------------------
INBOX_CONTEXT = {"base_template": "base.html", "open_url": "notifications:notice",
                 "read_all_url": "notifications:read_all", "inbox_url": "notifications:inbox"}


def _notices(request):
    return selectors.inbox(user=request.user, workspace=request.workspace)


@workspace_required
def inbox_list(request):
    return inbox.inbox_page(request, notices=_notices(request), template="notifications/inbox.html",
                            context=INBOX_CONTEXT)


@workspace_required
def notice_open(request, pk):
    return inbox.notice_open(request, notices=_notices(request), pk=pk, template="notifications/notice.html",
                             context=INBOX_CONTEXT)


@workspace_required
@require_POST
def notices_read_all(request):
    return inbox.notices_read_all(request, notices=_notices(request), back="notifications:inbox")
