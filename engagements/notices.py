"""Who hears about what: the engagement emails, all through `notifications.services.notify`.

Owner-side emails go to whoever created the engagement (while still a member of the
workspace), else to the workspace's owners. Freelancer emails go to the freelancer's address.
"""

from django.urls import NoReverseMatch, reverse

from accounts.models import Membership, Role
from notifications.links import absolute
from notifications.services import notify


def owner_recipients(engagement):
    members = Membership.objects.filter(workspace_id=engagement.workspace_id).select_related("user")
    creator = [m.user for m in members if m.user_id == engagement.created_by_id and m.user.is_active]
    if creator:
        return creator
    return [m.user for m in members if m.role == Role.OWNER and m.user.is_active]


def owner_url(name, **kwargs):
    return absolute(reverse(f"engagements:{name}", kwargs=kwargs))


def freelancer_url(engagement, page="engagement"):
    """Where the freelancer reads and acts on the engagement: the portal's page for it
    (`portal:engagement`, `portal:brief` …, keyword `pk` = engagement id). Until the portal is
    installed, the sign-in page, which leads there."""
    try:
        return absolute(reverse(f"portal:{page}", kwargs={"pk": engagement.pk}))
    except NoReverseMatch:
        return absolute(reverse("accounts:login"))


def _base_context(engagement):
    return {
        "engagement_title": engagement.title,
        "freelancer_name": engagement.freelancer.name,
        "engagement_id": engagement.pk,
    }


def notify_owners(engagement, *, kind, key, context=None, page="detail", page_kwargs=None):
    url = owner_url(page, **(page_kwargs or {"pk": engagement.pk}))
    for user in owner_recipients(engagement):
        notify(
            kind=kind, recipient_email=user.email, recipient_user=user, workspace=engagement.workspace,
            dedupe_key=f"{key}:u{user.pk}", engagement_id=engagement.pk,
            context={**_base_context(engagement), "url": url, **(context or {})},
        )


def notify_freelancer(engagement, *, kind, key, context=None, page="engagement", attachments=None):
    freelancer = engagement.freelancer
    notify(
        kind=kind, recipient_email=freelancer.email, recipient_user=freelancer.user,
        workspace=engagement.workspace, dedupe_key=key, engagement_id=engagement.pk,
        context={**_base_context(engagement), "url": freelancer_url(engagement, page), **(context or {})},
        attachments=attachments,
    )
