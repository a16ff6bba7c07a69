"""What the freelancer's pages share: rendering inside the portal's layout (the current profile,
the switcher, an engagement's tabs) and the one way a state conflict becomes a message."""

from django.contrib import messages
from django.shortcuts import redirect, render

from engagements.models import PayTerms


def render_portal(request, template, context=None, *, engagement=None, tab=None, status=200):
    """Render a portal page with what the layout needs: the current profile, the others (for
    the switcher) and, on an engagement's pages, its tabs."""
    context = dict(context or {})
    context.update(freelancer=request.freelancer, profiles=request.portal_profiles, tab=tab)
    if engagement is not None:
        context.update(engagement=engagement, tabs=tabs(engagement))
    return render(request, template, context, status=status)


def tabs(engagement):
    """An engagement's tabs: timesheets only when it is paid by the hour, the review once it ended."""
    shown = [("engagement", "Overview"), ("messages", "Messages"), ("brief", "Brief"), ("agreement", "Agreement"),
             ("playbook", "Playbook"),
             ("updates", "Status updates"),
             ("checkins", "Check-ins"), ("grants", "Access")]
    if engagement.pay_terms == PayTerms.HOURLY:
        shown.append(("timesheets", "Timesheets"))
    if engagement.pay_terms == PayTerms.RETAINER:
        shown.append(("retainer", "Retainer"))
    if engagement.pay_terms == PayTerms.COMMISSION:
        shown.append(("commission", "Commission"))
    shown.append(("engagement_money", "Money"))
    if engagement.is_ended:
        shown.append(("review", "Review"))
    return shown


def conflict(request, exc, to):
    messages.error(request, str(exc))
    return redirect(to)
