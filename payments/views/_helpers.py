"""What the payments pages share: who is the owner, links to the engagements app's pages, and
the one way a page fetches an engagement (404 outside the request's workspace)."""

from django.urls import NoReverseMatch, reverse

from accounts.access import get_for_workspace
from accounts.models import Role
from engagements.models import Engagement


def is_owner(request):
    return request.membership is not None and request.membership.role == Role.OWNER


def engagement_page_url(engagement):
    """The engagement's own page in the engagements app, when it has one."""
    try:
        return reverse("engagements:detail", args=[engagement.pk])
    except NoReverseMatch:
        return ""


def milestone_page_url(milestone):
    """The milestone's page in the engagements app (its submissions), when it has one."""
    try:
        return reverse("engagements:milestone", kwargs={"pk": milestone.engagement_id, "milestone_pk": milestone.pk})
    except NoReverseMatch:
        return ""


def engagement_for(request, pk):
    return get_for_workspace(request, Engagement.objects.select_related("freelancer", "workspace"), pk=pk)
