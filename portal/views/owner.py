"""The owner's side of the portal: a freelancer's portal access (invite, resend, revoke the
invitation, revoke access) and the workspace's portal invitations. Owner pages: fetched only
through `get_for_workspace`, 404 outside the workspace.

The access panel is a page of its own and, asked by htmx (`HX-Request`), the panel alone: the
freelancer and engagement pages load it by URL name, so they need nothing from this app.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.access import get_for_workspace, workspace_required
from accounts.models import Invitation, InvitationRole
from engagements.models import Engagement
from freelancers.models import Freelancer

from ..selectors import STATUSES, filter_by_status, freelancer_invitations, portal_state
from ..services import invitation as invitations
from ..services.invitation import PortalError


def _next(request, default):
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return wanted
    return default


def _freelancer(request, pk):
    return get_for_workspace(request, Freelancer, pk=pk)


def _engagement(request, freelancer):
    """The engagement the panel sits on (?engagement=), when it is this freelancer's."""
    raw = request.POST.get("engagement") or request.GET.get("engagement") or ""
    if not raw.isdigit():
        return None
    return Engagement.objects.filter(workspace=request.workspace, freelancer=freelancer, pk=int(raw)).first()


def _panel_url(freelancer, engagement=None):
    url = reverse("portal:owner_access", kwargs={"freelancer_pk": freelancer.pk})
    return f"{url}?engagement={engagement.pk}" if engagement else url


@workspace_required
def freelancer_access(request, freelancer_pk):
    freelancer = _freelancer(request, freelancer_pk)
    engagement = _engagement(request, freelancer)
    context = {
        "state": portal_state(freelancer),
        "freelancer": freelancer,
        "engagement": engagement,
        "history": freelancer_invitations(freelancer).order_by("-created_at", "-pk")[:20],
        "back": _next(request, reverse("freelancers:detail", kwargs={"pk": freelancer.pk})),
    }
    if request.headers.get("HX-Request"):
        context["back"] = request.headers.get("HX-Current-URL") or context["back"]
        return render(request, "portal/owner/access.html#panel", context)
    return render(request, "portal/owner/access.html", context)


@workspace_required
@require_POST
def invite(request, freelancer_pk):
    freelancer = _freelancer(request, freelancer_pk)
    engagement = _engagement(request, freelancer)
    try:
        invitation = invitations.portal_invitation_send(freelancer=freelancer, invited_by=request.user,
                                                        engagement=engagement)
    except (PortalError, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"Portal invitation sent to {invitation.email}; the link works for "
                                  f"{(invitation.expires_at - invitation.created_at).days} days.")
    return redirect(_next(request, _panel_url(freelancer, engagement)))


@workspace_required
@require_POST
def access_revoke(request, freelancer_pk):
    freelancer = _freelancer(request, freelancer_pk)
    if invitations.portal_access_revoke(freelancer=freelancer, actor=request.user):
        messages.success(request, f"{freelancer.name} can no longer use the portal; they were signed out "
                                  "everywhere and their API tokens stopped working.")
    else:
        messages.info(request, f"{freelancer.name} had no portal access to revoke.")
    return redirect(_next(request, _panel_url(freelancer)))


def _invitation(request, pk):
    return get_for_workspace(request, Invitation, pk=pk, role=InvitationRole.FREELANCER)


@workspace_required
@require_POST
def invitation_resend(request, invitation_pk):
    invitation = _invitation(request, invitation_pk)
    freelancer = Freelancer.objects.filter(workspace=request.workspace, pk=invitation.target_id).first()
    try:
        fresh = invitations.portal_invitation_resend(invitation=invitation, invited_by=request.user)
    except (PortalError, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"A new invitation was sent to {fresh.email}; the old link no longer works.")
    default = _panel_url(freelancer) if freelancer else reverse("portal:owner_invitations")
    return redirect(_next(request, default))


@workspace_required
@require_POST
def invitation_revoke(request, invitation_pk):
    invitation = _invitation(request, invitation_pk)
    if invitations.portal_invitation_revoke(invitation=invitation):
        messages.success(request, f"The invitation for {invitation.email} was revoked; its link no longer works.")
    else:
        messages.warning(request, "That invitation was no longer pending.")
    freelancer = Freelancer.objects.filter(workspace=request.workspace, pk=invitation.target_id).first()
    default = _panel_url(freelancer) if freelancer else reverse("portal:owner_invitations")
    return redirect(_next(request, default))


@workspace_required
def invitations_list(request):
    qs = Invitation.objects.filter(workspace=request.workspace, role=InvitationRole.FREELANCER).select_related(
        "invited_by", "accepted_by").order_by("-created_at", "-pk")
    wanted = request.GET.get("status", "")
    if wanted in STATUSES:
        qs = filter_by_status(qs, wanted)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    names = dict(Freelancer.objects.filter(workspace=request.workspace,
                                           pk__in=[i.target_id for i in page]).values_list("pk", "name"))
    for item in page:
        item.freelancer_name = names.get(item.target_id)
    return render(request, "portal/owner/invitations.html", {
        "page": page, "status": wanted, "statuses": STATUSES,
    })

