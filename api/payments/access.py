"""How the payments endpoints reach rows (through the token's workspace and, for a freelancer
token, that freelancer's own engagements; 404 otherwise), and the Idempotency-Key as the
ledger stores it."""

import hashlib

from rest_framework.exceptions import NotFound

from accounts.models import MAX_MONEY
from engagements.models import Engagement, Milestone
from payments.models import TimeEntry, Timesheet

from ..idempotency import read_key
from ..permissions import get_scoped_or_404, scoped

MAX_ID = 2**63 - 1
MAX_AMOUNT = MAX_MONEY  # one limit for every amount (accounts.models.MAX_MONEY)


def _in_range(pk):
    if pk > MAX_ID:
        raise NotFound()


def milestone_or_404(request, pk):
    _in_range(pk)
    milestone = get_scoped_or_404(
        # With all that a money action reads of them (the freelancer's login is whom its email goes to).
        request, Milestone.objects.select_related("engagement__freelancer__user"),
        workspace_path="engagement__workspace", freelancer_path="engagement__freelancer", pk=pk,
    )
    # Found in the token's workspace, so its engagement's workspace is the row the token's
    # authentication read already: no second join and copy of it.
    milestone.engagement.workspace = request.auth.workspace
    return milestone


def engagement_or_404(request, pk, *, freelancer_path=None):
    """Staff endpoints pass no `freelancer_path`; those a freelancer token may use pass "freelancer"."""
    _in_range(pk)
    return get_scoped_or_404(request, Engagement.objects.select_related("workspace", "freelancer"),
                             freelancer_path=freelancer_path, pk=pk)


def timesheets(request):
    return scoped(request, Timesheet.objects.select_related("engagement__workspace", "engagement__freelancer"),
                  workspace_path="engagement__workspace", freelancer_path="engagement__freelancer")


def timesheet_or_404(request, pk):
    _in_range(pk)
    timesheet = timesheets(request).filter(pk=pk).first()
    if timesheet is None:
        raise NotFound()
    return timesheet


def time_entry_or_404(request, pk):
    _in_range(pk)
    return get_scoped_or_404(
        request, TimeEntry.objects.select_related("timesheet__engagement__freelancer"),
        workspace_path="timesheet__engagement__workspace", freelancer_path="timesheet__engagement__freelancer",
        pk=pk,
    )


def service_key(request):
    """The Idempotency-Key as the ledger stores it: per user, at most 255 characters."""
    key = read_key(request)
    full = f"api:{request.user.pk}:{key}"
    return full if len(full) <= 255 else f"api:{request.user.pk}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
