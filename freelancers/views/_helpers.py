"""What every owner page of this app needs: objects fetched through the request's workspace
(404 otherwise), the reader's time zone, and the one way an action's outcome becomes a flash
message."""

from django.contrib import messages
from django.core.exceptions import ValidationError

from accounts.access import get_for_workspace

from ..errors import TransitionError
from ..models import Freelancer


def freelancer_for(request, pk):
    return get_for_workspace(request, Freelancer, pk=pk)


def owned(request, model, pk):
    """Objects hanging from a freelancer: scoped through the freelancer's workspace."""
    return get_for_workspace(request, model.objects.select_related("freelancer__workspace"), pk=pk,
                             workspace_path="freelancer__workspace")


def user_tz(request):
    return getattr(request.user, "timezone", "") or request.workspace.timezone


def run_action(request, action, success):
    """Call `action()`; flash `success` when it worked, or the reason it did not (a state
    conflict or a field problem). Returns True when it worked."""
    try:
        action()
    except TransitionError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
        return True
    return False
