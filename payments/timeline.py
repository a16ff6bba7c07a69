"""Lines on the engagement's timeline for money events (engagements owns the timeline and
offers `activity_record` to the apps above it). Written inside the action's transaction, so a
refused action leaves no line."""

from engagements.services.activity import activity_record

from .money import format_money


def record(*, engagement, kind, summary, actor=None, actor_freelancer=None, milestone=None):
    activity_record(engagement=engagement, kind=kind, summary=summary, actor_user=actor,
                    actor_freelancer=actor_freelancer, milestone=milestone)


def money(amount, engagement):
    return format_money(amount, engagement.currency)
