"""What every engagement endpoint shares: the token's role, and fetching an engagement, a
milestone or a brief scoped to the token (another workspace's, or another freelancer's, is 404)."""

from rest_framework.exceptions import NotFound

from accounts.models import MAX_MONEY  # noqa: F401 -- the one limit of every amount, for the serializers
from engagements.models import Brief, Engagement, Milestone
from freelancers.models import Freelancer

from ..permissions import is_freelancer, scoped, token_of

MAX_ID = 2**63 - 1


def _token(request):
    return token_of(request)


_is_freelancer = is_freelancer  # the name every module of api/engagements imports


def _staff_only(request):
    """Writes reserved to owners and managers: a freelancer token gets 404, like anywhere else."""
    if _is_freelancer(request):
        raise NotFound()


def _acting_freelancer(request):
    return Freelancer.objects.get(pk=_token(request).freelancer_id)


def _get(request, queryset, pk, *, workspace_path, freelancer_path):
    if pk > MAX_ID:
        raise NotFound()
    obj = scoped(request, queryset, workspace_path=workspace_path, freelancer_path=freelancer_path).filter(
        pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def _engagement(request, pk):
    return _get(request, Engagement.objects.select_related("freelancer", "workspace"), pk,
                workspace_path="workspace", freelancer_path="freelancer")


def _milestone(request, pk):
    return _get(request, Milestone.objects.select_related("engagement__freelancer", "engagement__workspace"), pk,
                workspace_path="engagement__workspace", freelancer_path="engagement__freelancer")


def _visible_briefs(request, queryset):
    queryset = scoped(request, queryset, workspace_path="engagement__workspace",
                      freelancer_path="engagement__freelancer")
    if _is_freelancer(request):
        # A freelancer sees the versions they were asked to read, never the owner's unsent draft.
        queryset = queryset.filter(sent_at__isnull=False)
    return queryset


def _brief(request, pk):
    if pk > MAX_ID:
        raise NotFound()
    brief = _visible_briefs(request, Brief.objects.select_related("engagement")).filter(pk=pk).first()
    if brief is None:
        raise NotFound()
    return brief
