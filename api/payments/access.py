"""How the payments endpoints reach rows (through the token's workspace and, for a freelancer
token, that freelancer's own engagements; 404 otherwise), and the Idempotency-Key as the
ledger stores it."""

import hashlib
from functools import cache

from rest_framework.exceptions import NotFound

from accounts.joined import Joined
from accounts.models import MAX_MONEY, User
from engagements.models import Engagement, Milestone
from freelancers.models import Freelancer
from payments.models import TimeEntry, Timesheet

from ..idempotency import read_key
from ..models import TokenRole
from ..permissions import get_scoped_or_404, scoped, token_of

MAX_ID = 2**63 - 1
MAX_AMOUNT = MAX_MONEY  # one limit for every amount (accounts.models.MAX_MONEY)


def _in_range(pk):
    if pk > MAX_ID:
        raise NotFound()


def milestone_or_404(request, pk):
    """The milestone in the token's scope (its workspace; for a freelancer token, that
    freelancer's engagements) with all that a money action reads of it: its engagement, the
    engagement's freelancer and the freelancer's login (whom its email goes to), and the
    workspace, which is the row the token's authentication read already. 404 outside it."""
    _in_range(pk)
    token = token_of(request)
    if token is None:
        raise NotFound()
    if token.role == TokenRole.FREELANCER:
        found = _milestone_read(freelancer=True).one([pk, token.workspace_id, token.freelancer_id])
    else:
        found = _milestone_read(freelancer=False).one([pk, token.workspace_id])
    if found is None:
        raise NotFound()  # recorded in the audit log by api.exceptions
    milestone, engagement, freelancer, user = found
    freelancer.user = user
    engagement.freelancer, engagement.workspace = freelancer, token.workspace
    milestone.engagement = engagement
    return milestone


@cache
def _milestone_read(*, freelancer):
    """Written out once per process: every money action on a milestone makes this read, and
    building it with the ORM (`get_scoped_or_404` over `select_related("engagement__freelancer__user")`)
    cost more CPU than PostgreSQL spends answering it. The same rows as that lookup."""
    return Joined(("m", Milestone), ("e", Engagement), ("f", Freelancer), ("u", User), sql="""
        SELECT {columns}
        FROM engagements_milestone m
        JOIN engagements_engagement e ON e.id = m.engagement_id
        JOIN freelancers_freelancer f ON f.id = e.freelancer_id
        LEFT JOIN accounts_user u ON u.id = f.user_id
        WHERE m.id = %s AND e.workspace_id = %s {freelancer}""".replace(
        "{freelancer}", "AND e.freelancer_id = %s" if freelancer else ""))


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
