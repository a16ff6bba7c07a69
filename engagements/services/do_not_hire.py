"""What marking a freelancer do-not-hire means for their engagements (registered with the
freelancers app's `freelancer_mark_do_not_hire` when this app loads, engagements/apps.py):
their open offers are withdrawn and every live access grant is revoked, as when an engagement
ends; each revoked secret waits on the grants page's rotate-this checklist. Work under way is
left to the owner to complete or cancel.
"""

from freelancers.services.freelancer import DoNotHireConsequence

from ..models import AccessGrant, Engagement, EngagementStatus
from .access import access_grants_revoke_all
from .lifecycle import engagement_withdraw

REASON = "Freelancer marked do not hire"


def _plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


def _offers(freelancer):
    return Engagement.objects.filter(freelancer=freelancer, status=EngagementStatus.OFFERED).order_by("pk")


def _live_grants(freelancer):
    return AccessGrant.objects.filter(engagement__freelancer=freelancer, revoked_at__isnull=True)


def preview(freelancer):
    lines = []
    if offers := _offers(freelancer).count():
        lines.append(f"Withdraw {_plural(offers, 'open offer')}.")
    if grants := _live_grants(freelancer).count():
        lines.append(f"Revoke {_plural(grants, 'access grant')} (then rotate the secrets where they live).")
    return lines


def apply(*, freelancer, actor):
    lines = []
    offers = list(_offers(freelancer).select_for_update())
    for engagement in offers:
        engagement_withdraw(engagement=engagement, actor=actor)
    if offers:
        lines.append(f"Withdrew {_plural(len(offers), 'open offer')}.")
    engagements = Engagement.objects.filter(pk__in=_live_grants(freelancer).values("engagement_id")).order_by("pk")
    revoked = [g for e in engagements for g in access_grants_revoke_all(engagement=e, actor=actor, reason=REASON)]
    if revoked:
        lines.append(f"Revoked {_plural(len(revoked), 'access grant')}; rotate the secrets where they live.")
    return lines


CONSEQUENCE = DoNotHireConsequence(preview=preview, apply=apply)
