"""The audit log's one writer: `audit_record(...)`, called by every app (DESIGN.md "Access and
security"): sign-ins and failures, denied accesses, reveals and revocations of shared access,
role and token changes, do-not-hire, and every money action.

The address is the current request's (the WorkspaceMiddleware sets it for the request, through
a context variable, so services need not pass requests around); outside a request (a Celery
task, the automatic release) it is empty. `detail` is a fixed sentence written by the caller:
never a token, password or secret.
"""

from contextvars import ContextVar

from .bulk import insert_many, insert_one
from .csv_export import csv_download
from .models import AUDIT_ACTIONS, AUDIT_COLUMNS, AuditEvent, Membership, User

_request_ip: ContextVar[str | None] = ContextVar("audit_request_ip", default=None)


def request_ip_set(ip):
    """Remember the address of the request being handled; returns the token to reset it."""
    return _request_ip.set(ip or None)


def request_ip_reset(token):
    _request_ip.reset(token)


def _object(obj, object_type, object_id):
    if obj is not None:
        return object_type or obj._meta.model_name, str(obj.pk)
    return object_type, "" if object_id is None else str(object_id)


def audit_record(*, workspace, action, actor=None, obj=None, object_type="", object_id="", detail="", ip=None):
    """Append one event to `workspace`'s log. `actor` is the user who acted (None: the system
    or an anonymous visitor); `obj` the object it was about (or `object_type`/`object_id`)."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}")
    object_type, object_id = _object(obj, object_type, object_id)
    actor = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        workspace_id=getattr(workspace, "pk", workspace), action=action, actor=actor,
        actor_email=actor.email if actor else "", object_type=object_type[:60], object_id=object_id[:64],
        ip=ip or _request_ip.get(), detail=(detail or "")[:300],
    )
    insert_one(event)
    return event


def audit_record_many(events):
    """Append many events with one INSERT (a sweep's batch of automatic money actions, audited
    as as many `audit_record` calls would). `events` are dicts of `audit_record`'s arguments."""
    rows, ip = [], _request_ip.get()
    for event in events:
        if event["action"] not in AUDIT_ACTIONS:
            raise ValueError(f"Unknown audit action {event['action']!r}")
        object_type, object_id = _object(event.get("obj"), event.get("object_type", ""), event.get("object_id", ""))
        actor = event.get("actor")
        actor = actor if getattr(actor, "is_authenticated", False) else None
        rows.append({
            "workspace_id": getattr(event["workspace"], "pk", event["workspace"]), "action": event["action"],
            "actor_id": actor.pk if actor else None, "actor_email": actor.email if actor else "",
            "object_type": object_type[:60], "object_id": object_id[:64], "ip": event.get("ip") or ip,
            "detail": (event.get("detail") or "")[:300],
        })
    insert_many(AuditEvent, rows)


def audit_for_member(*, user, action, detail="", ip=None):
    """The same event in each workspace `user` belongs to (sign-ins, failed sign-ins, password
    changes: they concern the person, so each of their workspaces' owners sees them)."""
    workspace_ids = Membership.objects.filter(user=user).values_list("workspace_id", flat=True)
    return [audit_record(workspace=ws, action=action, actor=user, object_type="user", object_id=user.pk,
                         detail=detail, ip=ip) for ws in workspace_ids]


def audit_failed_login(*, email, ip=None):
    """A failed sign-in for an address that belongs to a member is recorded in that member's
    workspaces (with them as the one whose account was tried; the password never)."""
    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    if user is None:
        return []
    return audit_for_member(user=user, action="login_failed", detail="Wrong password or locked out.", ip=ip)


def _denied_workspaces(request):
    """Whose log hears of a page refused to `request.user`: on the portal, the workspace of the
    freelancer profile in use; on owner pages, the current workspace; for a freelancer who has
    no workspace of their own (opening an owner page), each workspace they freelance for."""
    freelancer = getattr(request, "freelancer", None)
    if freelancer is not None:
        return [freelancer.workspace_id]
    if getattr(request, "workspace", None) is not None:
        return [request.workspace.pk]
    return list(request.user.freelancer_profiles.values_list("workspace_id", flat=True).distinct())


def audit_denied_page(request):
    """A page answered a signed-in person 404: who, what (the page and the id it was asked
    for), when and from where (the request's address), in the workspaces concerned."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    if user is None or not user.is_authenticated or match is None:
        return []  # anonymous (sent to sign in), or an address that is no page at all
    kwargs = match.captured_kwargs  # what the address holds, not the route's fixed extras
    object_type = match.view_name
    object_id = next((v for v in kwargs.values() if isinstance(v, int)), "")
    # Ids are numbers; a text part of an address may be a token (an invitation or calendar
    # link): then the page's pattern is recorded, never the address itself.
    shown = f"/{match.route}" if any(not isinstance(v, int) for v in kwargs.values()) else request.path
    detail = f"404 for {request.method} {shown}"
    return [audit_record(workspace=ws, action="access_denied", actor=user, object_type=object_type,
                         object_id=str(object_id), detail=detail) for ws in _denied_workspaces(request)]


def audit_log_csv(events):
    """The CSV download of `events` (the owner's page and the API share it), formula-safe."""
    response, writer = csv_download("audit-log.csv", AUDIT_COLUMNS)
    for e in events.iterator():
        writer.writerow([e.at.isoformat(), e.actor_email, e.action, e.object_type, e.object_id, e.ip or "", e.detail])
    return response
