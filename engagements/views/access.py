"""Owner pages for access grants: share, change, revoke, and tick off the rotation. The secret
is never shown here (only the freelancer's reveal decrypts it); forms never echo it back."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.forms import apply_errors

from .. import selectors
from ..forms import AccessGrantForm
from ..models import AccessGrant
from ..services import access
from ..services.transitions import ConflictError
from ._helpers import child_of, conflict, engagement_for, engagement_url, owner_page


@sensitive_post_parameters("secret")
@owner_page
def access_grants(request, pk):
    engagement = engagement_for(request, pk)
    form = AccessGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            access.access_grant_create(engagement=engagement, actor=request.user, label=c["label"], url=c["url"],
                                       username=c["username"], secret=c["secret"], notes=c["notes"])
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            return conflict(request, exc, engagement_url(engagement))
        else:
            messages.success(request, f"Access “{c['label']}” shared.")
            return redirect("engagements:grants", pk=pk)
    return render(request, "engagements/grants.html", {
        "engagement": engagement, "form": form, "grants": list(selectors.grants_for(engagement)),
        "reveals": list(selectors.reveal_log(engagement)),
        "ended": engagement.is_ended,
    })


@sensitive_post_parameters("secret")
@owner_page
def access_grant_edit(request, pk, grant_pk):
    engagement = engagement_for(request, pk)
    grant = child_of(request, AccessGrant, engagement, grant_pk)
    if grant.is_revoked:
        messages.error(request, "This access was revoked; share a new one instead.")
        return redirect("engagements:grants", pk=pk)
    form = AccessGrantForm(request.POST or None, grant=grant)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            access.access_grant_update(grant=grant, actor=request.user, label=c["label"], url=c["url"],
                                       username=c["username"], notes=c["notes"], secret=c["secret"] or None)
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            return conflict(request, exc, reverse("engagements:grants", kwargs={"pk": pk}))
        else:
            messages.success(request, "Access saved.")
            return redirect("engagements:grants", pk=pk)
    return render(request, "engagements/form.html", {
        "engagement": engagement, "form": form, "title": f"Edit access “{grant.label}”", "submit": "Save",
        "back": reverse("engagements:grants", kwargs={"pk": pk}),
    })


@owner_page
@require_POST
def access_grant_action(request, pk, grant_pk, action):
    engagement = engagement_for(request, pk)
    grant = child_of(request, AccessGrant, engagement, grant_pk)
    try:
        if action == "revoke":
            access.access_grant_revoke(grant=grant, actor=request.user, reason="Revoked by the owner")
            messages.success(request, f"Access “{grant.label}” revoked."
                             + (" Rotate the secret where it lives, then tick it off." if grant.has_secret else ""))
        elif action == "rotated":
            access.access_grant_mark_rotated(grant=grant, actor=request.user)
            messages.success(request, f"Marked the secret for “{grant.label}” as rotated.")
        else:
            raise Http404("No such action")
    except ConflictError as exc:
        messages.error(request, str(exc))
    if request.POST.get("back") == "list":
        return redirect("engagements:list")
    return redirect("engagements:grants", pk=pk)
