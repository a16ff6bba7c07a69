"""Reminder panels on the owner pages: a milestone's requests for a new date (a read from
engagements.selectors; what an engagement's ladders do next comes from its view)."""

from django import template

from ..selectors import date_changes

register = template.Library()


@register.simple_tag
def milestone_date_changes(milestone):
    """Every request for a new due date on the milestone, newest first."""
    return list(date_changes(milestone))
