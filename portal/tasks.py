"""Thin Celery tasks: each calls one action and carries its name."""

from celery import shared_task

from .services import invitation


@shared_task
def offers_invite():
    """Beat: a portal invitation for each freelancer offered work who has no login yet."""
    return {"invited": invitation.offers_invite()}
