"""Reminder panels on the owner pages: a milestone's requests for a new date and what an
engagement's reminder ladders will do next (both reads from engagements.selectors)."""

from django import template

from ..selectors import date_changes, ladder_status

register = template.Library()


@register.simple_tag
def milestone_date_changes(milestone):
    """Every request for a new due date on the milestone, newest first."""
    return list(date_changes(milestone))


@register.simple_tag
def reminder_status(engagement):
    return ladder_status(engagement)
