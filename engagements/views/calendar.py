"""The private calendar feed (.ics): no sign-in, the secret token in the URL is the key
(accounts.CalendarFeed). Owners get the workspace's deadlines, a freelancer their own; an
unknown, rotated or revoked token, or a person no longer in the workspace, is a 404."""

import zoneinfo

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from accounts.models import CalendarAudience
from accounts.selectors import calendar_feed_by_token
from freelancers.models import Freelancer
from notifications.calendar import feed as ics_feed

from ..selectors.calendar import calendar_events


def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@require_safe
def calendar_feed(request, token):
    feed = calendar_feed_by_token(token)
    if feed is None:
        raise Http404
    workspace, freelancer = feed.workspace, None
    if feed.audience == CalendarAudience.FREELANCER:
        freelancer = Freelancer.objects.filter(user=feed.user_id, workspace=workspace).first()
        if freelancer is None:
            raise Http404
        tz, name = freelancer.timezone, f"{workspace.name}: your engagements"
    else:
        # The person's own zone when they set one, else the workspace's.
        tz = feed.user.timezone if feed.user.timezone not in ("", "UTC") else workspace.timezone
        name = f"{workspace.name}: deadlines, check-ins, interviews"
    body = ics_feed(name=name, tz=_zone(tz), events=calendar_events(workspace=workspace, freelancer=freelancer))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
