from django.utils.functional import SimpleLazyObject

from .models import Membership


def workspace(request):
    user = getattr(request, "user", None)

    def memberships():
        if user is None or not user.is_authenticated:
            return []
        read = getattr(request, "memberships", None)  # WorkspaceMiddleware read them already
        if read is None:
            read = Membership.objects.filter(user=user).select_related("workspace")
        return sorted(read, key=lambda m: (m.workspace.name.casefold(), m.workspace_id))

    return {
        "current_workspace": getattr(request, "workspace", None),
        "current_membership": getattr(request, "membership", None),
        # Lazy: only pages that draw the workspace switcher pay for the query.
        "my_memberships": SimpleLazyObject(memberships),
    }
