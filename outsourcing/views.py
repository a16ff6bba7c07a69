"""The owner dashboard shell: home (composed in outsourcing/dashboard.py), snoozing a
needs-attention item, team and invitations, health."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Window
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.access import get_for_workspace, owner_required, workspace_required
from accounts.forms import AcceptInvitationSignupForm
from accounts.kept import kept_part
from accounts.middleware import SESSION_KEY
from accounts.models import Invitation, InvitationRole, Membership
from accounts.together import read_together
from accounts.views import InvitationAcceptView
from engagements.services.attention import attention_snooze
from notifications.selectors import stuck_notifications
from notifications.services import invitation_send
from payments.selectors.attention import AttentionPages, owner_attention_item

from .celery import app
from .dashboard import home_sections
from .forms import TeammateInviteForm
from .heartbeat import worker_status
from .models import WorkerHeartbeat

INVITE_SESSION_KEY = "invitation_token"


@workspace_required
def home(request):
    workspace = request.workspace
    now = timezone.now()
    # The footer's two facts, read on every view: the worker's latest heartbeat (no workspace's
    # row: nothing marks its change) and the oldest stuck email with the number of them beside
    # it (a window COUNT), in one statement.
    stuck, heartbeat = read_together([
        stuck_notifications(workspace).annotate(stuck_count=Window(Count("pk"))).order_by("created_at", "pk")[:1],
        WorkerHeartbeat.objects.order_by("-seen_at")[:1],
    ])
    oldest = stuck[0] if stuck else None
    return render(request, "dashboard/home.html", {
        # Kept until the workspace's rows change or the minute turns (accounts/kept.py).
        "sections": kept_part(request, "home", "dashboard/_home_sections.html", lambda: {
            **home_sections(workspace, user=request.user, now=now),
            "invite_form": TeammateInviteForm(workspace=workspace),
        }, now=now),
        "delivery": {"worker": worker_status(latest=heartbeat[0] if heartbeat else None),
                     "stuck_count": oldest.stuck_count if oldest else 0, "oldest_stuck": oldest},
    })


ATTENTION_PAGE = 50


@workspace_required
def attention(request):
    """Every item that needs the user, most urgent first, a page at a time (the home page shows
    the first few)."""
    number = request.GET.get("page")
    items = AttentionPages(request.workspace, user=request.user, now=timezone.now(), per_page=ATTENTION_PAGE,
                           page=int(number) if str(number).isdigit() else 1)
    return render(request, "dashboard/attention.html",
                  {"page": Paginator(items, ATTENTION_PAGE).get_page(number)})


@workspace_required
@require_POST
def attention_snooze_view(request, key):
    """Hide one of the user's current items for a day; a key that is not one of them is 404."""
    if owner_attention_item(request.workspace, user=request.user, now=timezone.now(), key=key) is None:
        raise Http404("No such item needs your attention.")
    attention_snooze(user=request.user, workspace=request.workspace, key=key)
    messages.success(request, "Snoozed until this time tomorrow.")
    return redirect("dashboard:home")


@workspace_required
def team(request):
    workspace = request.workspace
    form = TeammateInviteForm(request.POST or None, workspace=workspace)
    if request.method == "POST":
        if request.membership.role != "owner":
            messages.error(request, "Only the workspace owner can invite teammates.")
            return redirect("dashboard:team")
        if form.is_valid():
            invitation_send(
                workspace=workspace, email=form.cleaned_data["email"], role=InvitationRole.MANAGER,
                invited_by=request.user, accept_url_name="invitation_open",
                kind="teammate_invitation",
            )
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("dashboard:team")
    return render(request, "dashboard/team.html", {
        "form": form,
        "members": Membership.objects.filter(workspace=workspace).select_related("user"),
        "invitations": Invitation.objects.filter(workspace=workspace, role=InvitationRole.MANAGER)
        .select_related("invited_by", "accepted_by")[:50],
    })


@owner_required
@require_POST
def invitation_resend(request, pk):
    invitation = get_for_workspace(request, Invitation, pk=pk, role=InvitationRole.MANAGER)
    invitation_send(
        workspace=request.workspace, email=invitation.email, role=invitation.role,
        invited_by=request.user, accept_url_name="invitation_open", kind="teammate_invitation",
    )
    messages.success(request, f"A new invitation was sent to {invitation.email}; the old link no longer works.")
    return redirect("dashboard:team")


@owner_required
@require_POST
def invitation_revoke(request, pk):
    invitation = get_for_workspace(request, Invitation, pk=pk, role=InvitationRole.MANAGER)
    if account_services.invitation_revoke(invitation=invitation):
        messages.success(request, f"The invitation for {invitation.email} was revoked.")
    else:
        messages.warning(request, "That invitation was no longer pending.")
    return redirect("dashboard:team")


@owner_required
@require_POST
def member_remove(request, pk):
    membership = get_for_workspace(request, Membership.objects.select_related("user"), pk=pk)
    try:
        account_services.membership_remove(membership=membership, actor=request.user)
    except account_services.MembershipError as exc:
        messages.error(request, str(exc))
    else:
        name = membership.user.get_full_name()
        messages.success(request, f"{name} no longer has access to {request.workspace.name}.")
    return redirect("dashboard:team")


class TeammateInvitationView(InvitationAcceptView):
    """A teammate's invitation: accepting makes them a manager of the workspace."""

    role = InvitationRole.MANAGER
    session_key = INVITE_SESSION_KEY
    template_name = "accounts/invitation_accept.html"
    invalid_template = "accounts/invitation_invalid.html"
    form_class = AcceptInvitationSignupForm
    url_name = "invitation_accept"

    def welcome(self, request, accepted, again=False):
        membership = accepted.joined
        request.session[SESSION_KEY] = membership.workspace_id
        if again:
            messages.info(request, f"You are already a member of {membership.workspace.name}.")
        else:
            messages.success(request, f"You joined {membership.workspace.name}.")
        return redirect("dashboard:home")


invitation_open = never_cache(TeammateInvitationView.open_link)
invitation_accept = TeammateInvitationView.as_view()


def healthz(request):
    """Database, broker and worker status; 503 when the database or broker is down or no worker
    has consumed for WORKER_HEARTBEAT_STALE_SECONDS (then "worker" says since when and who)."""
    status = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"] = "ok"
    except Exception as exc:  # pragma: no cover - exercised by stopping the database
        status["database"] = f"error: {type(exc).__name__}"
    try:
        # The broker named by the settings (not a connection cached at start-up): the
        # probe must see what a new task would be sent to.
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
        status["broker"] = "ok"
    except Exception as exc:
        status["broker"] = f"error: {type(exc).__name__}"
    try:
        worker = worker_status()
        status["worker"] = "ok" if worker.ok else f"error: {worker.problem}"
    except Exception as exc:  # the database is down: said above
        status["worker"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in status.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **status},
                        status=200 if healthy else 503)
