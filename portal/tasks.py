from celery import shared_task


@shared_task
def invite_offered_freelancers():
    """Beat, every minute: a portal invitation for each freelancer offered work who has no
    login yet (portal.invitations.offers_invite)."""
    from .invitations import offers_invite

    return {"invited": offers_invite()}
