"""The "Your calendar" part of a profile page (the owner's, accounts/views.py, and the
portal's): show the private feed's URL, create, rotate or revoke it. The feed itself is served
by engagements (its events are theirs), named here only by URL."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from . import services
from .selectors import calendar_feed_of


def feed_url(request, token):
    return request.build_absolute_uri(reverse("engagements:calendar_feed", args=[token]))


def calendar_context(request, *, workspace, audience, action_url):
    """What the partial `accounts/_calendar_feed.html` needs: the URL (None before the person
    asked for one) and where its buttons post."""
    url = None
    if calendar_feed_of(user=request.user, workspace=workspace, audience=audience) is not None:
        _, token = services.calendar_feed_issue(user=request.user, workspace=workspace, audience=audience)
        url = feed_url(request, token)
    return {"calendar_url": url, "calendar_action_url": action_url}


def calendar_action(request, *, workspace, audience, back):
    """POST `action` = create, rotate or revoke; back to the profile with a message."""
    action = request.POST.get("action")
    who = {"user": request.user, "workspace": workspace, "audience": audience}
    if action == "create":
        services.calendar_feed_issue(**who)
        messages.success(request, "Your calendar link is ready: add it to your calendar app as a subscription.")
    elif action == "rotate":
        services.calendar_feed_rotate(**who)
        messages.success(request, "New calendar link made. The old one no longer works: update your calendar app.")
    elif action == "revoke":
        if services.calendar_feed_revoke(**who):
            messages.success(request, "Calendar link turned off. It no longer works.")
        else:
            messages.info(request, "You had no calendar link.")
    else:
        messages.error(request, "Choose create, rotate or revoke.")
    return redirect(back)
