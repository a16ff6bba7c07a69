"""What engagements send, and to whom: every email about an engagement, through the outbox.

An action sends one email at a time with `notify_owners` / `notify_freelancer` (through
`notifications.services.notify`, inside the action's transaction); a reminder sweep builds a
whole batch with `to_owners` / `to_freelancer` and inserts it with one `notify_many`, the
recipients of a batch read with one query (`owners_by_workspace`). Payments' emails about an
engagement use the same helpers.

Owner-side emails go to whoever created the engagement (while still a member of the
workspace), else to the workspace's owners. Freelancer emails go to the freelancer's address.
Times are written in each reader's own zone (`when`, `day_of`); links are absolute.
"""

from django.urls import NoReverseMatch, reverse

from accounts.models import Membership, Role
from notifications.links import absolute
from notifications.quiet import zone
from notifications.services import notify
from notifications.sweeps import item


# --- Times and links --------------------------------------------------------------------------
def when(moment, tz_name):
    """A moment as its reader sees it: "Tue 3 Mar at 17:00 (Europe/Lisbon)"."""
    if moment is None:
        return ""
    local = moment.astimezone(zone(tz_name))
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M} ({tz_name or 'UTC'})"


def day_of(moment, tz_name):
    local = moment.astimezone(zone(tz_name))
    return f"{local:%A} {local.day} {local:%B}"


def owner_url(name, **kwargs):
    return absolute(reverse(f"engagements:{name}", kwargs=kwargs))


def owner_urls(name):
    """`owner_url(name, **kwargs)` for a whole batch: the page's path is reversed once (with
    stand-in numbers) and each row's ids written into it. Made per batch, never kept."""
    templates = {}

    def url(**kwargs):
        keys = tuple(sorted(kwargs))
        if keys not in templates:
            stand_ins = {key: 900_000_000_001 + n for n, key in enumerate(keys)}
            templates[keys] = (owner_url(name, **stand_ins), stand_ins)
        path, stand_ins = templates[keys]
        for key, stand_in in stand_ins.items():
            path = path.replace(f"/{stand_in}/", f"/{int(kwargs[key])}/")
        return path

    return url


def portal_url(name, **kwargs):
    """A page of the freelancer portal, or the portal's home / sign-in when it is missing."""
    for candidate, args in ((f"portal:{name}", kwargs), ("portal:engagement", {"pk": kwargs.get("pk")}),
                            ("portal:home", {}), ("accounts:login", {})):
        try:
            return absolute(reverse(candidate, kwargs={k: v for k, v in args.items() if v is not None}))
        except NoReverseMatch:
            continue
    return absolute("/")


def freelancer_url(engagement, page="engagement"):
    """Where the freelancer reads and acts on the engagement: the portal's page for it
    (`portal:engagement`, `portal:brief` …, keyword `pk` = engagement id). Until the portal is
    installed, the sign-in page, which leads there."""
    try:
        return absolute(reverse(f"portal:{page}", kwargs={"pk": engagement.pk}))
    except NoReverseMatch:
        return absolute(reverse("accounts:login"))


# --- Who hears --------------------------------------------------------------------------------
def owner_recipients(engagement):
    members = Membership.objects.filter(workspace_id=engagement.workspace_id).select_related("user")
    creator = [m.user for m in members if m.user_id == engagement.created_by_id and m.user.is_active]
    if creator:
        return creator
    return [m.user for m in members if m.role == Role.OWNER and m.user.is_active]


def owners_by_workspace(workspace_ids):
    """{workspace_id: [(user, role)]}: active members, one query for a whole batch."""
    members = {}
    people = Membership.objects.filter(workspace_id__in=set(workspace_ids), user__is_active=True)
    for m in people.select_related("user"):
        members.setdefault(m.workspace_id, []).append((m.user, m.role))
    return members


def batch_owner_recipients(engagement, members):
    """`owner_recipients` for a sweep, from `members` = owners_by_workspace(...) read once for
    the whole batch: whoever created it while still a member, else the workspace's owners."""
    people = members.get(engagement.workspace_id, [])
    creator = [u for u, _ in people if u.pk == engagement.created_by_id]
    return creator or [u for u, role in people if role == Role.OWNER]


# --- One email, from an action ----------------------------------------------------------------
def _base_context(engagement):
    return {
        "engagement_title": engagement.title,
        "freelancer_name": engagement.freelancer.name,
        "engagement_id": engagement.pk,
    }


def notify_owners(engagement, *, kind, key, context=None, page="detail", page_kwargs=None, attachments=None):
    url = owner_url(page, **(page_kwargs or {"pk": engagement.pk}))
    for user in owner_recipients(engagement):
        notify(
            kind=kind, recipient_email=user.email, recipient_user=user, workspace=engagement.workspace,
            dedupe_key=f"{key}:u{user.pk}", engagement_id=engagement.pk,
            context={**_base_context(engagement), "url": url, **(context or {})}, attachments=attachments,
        )


def notify_freelancer(engagement, *, kind, key, context=None, page="engagement", attachments=None):
    freelancer = engagement.freelancer
    notify(
        kind=kind, recipient_email=freelancer.email, recipient_user=freelancer.user,
        workspace=engagement.workspace, dedupe_key=key, engagement_id=engagement.pk,
        context={**_base_context(engagement), "url": freelancer_url(engagement, page), **(context or {})},
        attachments=attachments,
    )


# --- A batch of emails, from a reminder sweep -------------------------------------------------
def to_freelancer(engagement, *, kind, key, context, now):
    """The freelancer's email (their choices in the portal, `reminders` off, apply when it is
    sent: notifications.preferences)."""
    freelancer = engagement.freelancer
    if not freelancer.email:
        return []
    return [item(
        kind=kind, email=freelancer.email, key=key, workspace_id=engagement.workspace_id, tz=freelancer.timezone,
        now=now, user_id=freelancer.user_id, engagement_id=engagement.pk,
        context={"engagement_title": engagement.title, "freelancer_name": freelancer.name,
                 "engagement_id": engagement.pk, "audience": "freelancer", **context},
    )]


def to_owners(engagement, members, *, kind, key, context, now, moments=None):
    """One email per owner-side recipient; `moments` ({name: datetime}) are written in each
    recipient's own time zone."""
    return [
        item(kind=kind, email=user.email, key=f"{key}:u{user.pk}", workspace_id=engagement.workspace_id,
             tz=user.timezone, now=now, user_id=user.pk, engagement_id=engagement.pk,
             context={"engagement_title": engagement.title, "freelancer_name": engagement.freelancer.name,
                      "engagement_id": engagement.pk, "audience": "owner",
                      "recipient_first_name": user.get_short_name(), **context,
                      **{name: when(moment, user.timezone) if moment else ""
                         for name, moment in (moments or {}).items()}})
        for user in batch_owner_recipients(engagement, members)
    ]
