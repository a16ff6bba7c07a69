from django.utils.functional import SimpleLazyObject

from .selectors import inbox_unread_count

# The bell counts unread notices up to this many, then says "99+".
BELL_MAX = 99


def inbox(request):
    """The bell's unread count, for the owner's header and the portal's: lazy, so only a page
    that draws the bell pays its one query, and counted up to BELL_MAX + 1 (`inbox_unread_label`
    reads "99+" beyond), so it costs the same however much is unread. On a portal page the
    workspace is the current freelancer profile's."""
    user = getattr(request, "user", None)

    def unread():
        if user is None or not user.is_authenticated:
            return 0
        freelancer = getattr(request, "freelancer", None)
        workspace = freelancer.workspace if freelancer is not None else getattr(request, "workspace", None)
        return inbox_unread_count(user=user, workspace=workspace, up_to=BELL_MAX + 1)

    count = SimpleLazyObject(unread)
    return {"inbox_unread": count,
            "inbox_unread_label": SimpleLazyObject(lambda: f"{BELL_MAX}+" if count > BELL_MAX else str(count))}
