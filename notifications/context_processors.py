from django.utils.functional import SimpleLazyObject

from .selectors import inbox_unread_count


def inbox(request):
    """The bell's unread count, for the owner's header and the portal's: lazy, so only a page
    that draws the bell pays its one query. On a portal page the workspace is the current
    freelancer profile's."""
    user = getattr(request, "user", None)

    def unread():
        if user is None or not user.is_authenticated:
            return 0
        freelancer = getattr(request, "freelancer", None)
        workspace = freelancer.workspace if freelancer is not None else getattr(request, "workspace", None)
        return inbox_unread_count(user=user, workspace=workspace)

    return {"inbox_unread": SimpleLazyObject(unread)}
