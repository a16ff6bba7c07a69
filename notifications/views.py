from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.access import workspace_required

from .models import NotificationStatus
from .selectors import workspace_notifications


@workspace_required
def notification_list(request):
    qs = workspace_notifications(request.workspace)
    status = request.GET.get("status", "")
    if status in NotificationStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page": page, "status": status, "statuses": NotificationStatus.choices,
    })
