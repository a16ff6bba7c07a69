"""The one way portal pages reach data: scoped by the signed-in person's *current* freelancer
profile, 404 otherwise.

- `portal_required` lets in a signed-in person who has at least one freelancer profile (an
  owner or manager without one gets 404, an anonymous visitor the login page), picks the
  current profile (the switcher keeps it in the session), and shows times in that freelancer's
  time zone.
- `get_for_freelancer` fetches one object hanging from the current freelancer, or raises 404.
- `portal_engagement` is the common case: one of the freelancer's engagements, never a draft
  that was not offered yet.
"""

import zoneinfo
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from engagements.models import Engagement, EngagementStatus
from freelancers.models import Freelancer

from .models import PortalAccess
from .sessions import SESSION_EPOCH, current_epoch, end_this_session, stamp

SESSION_FREELANCER = "portal_freelancer_id"
SEEN_EVERY = timedelta(minutes=5)

# What a freelancer sees of their engagements: everything that was offered to them. A draft
# (never offered, or an offer withdrawn to be changed) is the owner's alone.
VISIBLE_ENGAGEMENTS = ~Q(status=EngagementStatus.DRAFT) & Q(offered_at__isnull=False)


def freelancer_profiles(user):
    """Every freelancer profile linked to `user`, one per workspace they freelance for."""
    if not user.is_authenticated:
        return Freelancer.objects.none()
    return (
        Freelancer.objects.filter(user=user).select_related("workspace", "portal_access")
        .order_by("workspace__name", "pk")
    )


def current_freelancer(request, profiles=None):
    """The profile chosen with the switcher, else the first one; None without any."""
    profiles = list(profiles if profiles is not None else freelancer_profiles(request.user))
    if not profiles:
        return None
    chosen = request.session.get(SESSION_FREELANCER)
    return next((p for p in profiles if p.pk == chosen), profiles[0])


def _tz(freelancer):
    try:
        return zoneinfo.ZoneInfo(freelancer.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _seen(freelancer, now):
    try:
        access = freelancer.portal_access
    except PortalAccess.DoesNotExist:
        access = None
    if access is None:
        PortalAccess.objects.get_or_create(freelancer=freelancer, defaults={"last_seen_at": now,
                                                                           "updated_at": now})
    elif access.last_seen_at is None or now - access.last_seen_at > SEEN_EVERY:
        PortalAccess.objects.filter(pk=access.pk).update(last_seen_at=now)


def portal_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("portal:sign_in"))
        profiles = list(freelancer_profiles(request.user))
        if not profiles:
            raise Http404("No freelancer profile")
        if SESSION_EPOCH not in request.session:
            if current_epoch(request.user):
                # A session without a stamp, for someone whose sessions were ended: it may
                # predate that, so it does not get in.
                end_this_session(request)
                messages.warning(request, "Please sign in again.")
                return redirect_to_login(request.get_full_path(), login_url=reverse("portal:sign_in"))
            stamp(request, request.user)
        for profile in profiles:  # the profiles are this user's: no query for `freelancer.user`
            profile.user = request.user
        freelancer = current_freelancer(request, profiles)
        request.freelancer = freelancer
        request.portal_profiles = profiles
        _seen(freelancer, timezone.now())
        with timezone.override(_tz(freelancer)):
            return view(request, *args, **kwargs)

    return wrapper


def get_for_freelancer(request, model_or_queryset, *, freelancer_path="freelancer", **lookup):
    """One object belonging to the request's current freelancer, or 404. `freelancer_path` is
    the lookup from the model to its Freelancer (`"engagement__freelancer"` for a milestone)."""
    freelancer = getattr(request, "freelancer", None)
    if freelancer is None:
        raise Http404
    qs = model_or_queryset
    if hasattr(qs, "_default_manager"):
        qs = qs._default_manager.all()
    return get_object_or_404(qs, **{freelancer_path: freelancer}, **lookup)


def visible_engagements(freelancer):
    return Engagement.objects.filter(VISIBLE_ENGAGEMENTS, freelancer=freelancer)


def portal_engagement(request, pk):
    return get_for_freelancer(
        request, Engagement.objects.filter(VISIBLE_ENGAGEMENTS).select_related("workspace", "freelancer"), pk=pk,
    )


def engagement_child(request, engagement, model, pk, *, path="engagement", **extra):
    """An object hanging from `engagement` (already scoped to the freelancer), or 404."""
    return get_for_freelancer(request, model.objects.filter(**{path: engagement}, **extra),
                              freelancer_path=f"{path}__freelancer", pk=pk)
