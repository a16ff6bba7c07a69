"""How the freelancers endpoints reach rows: through the token's workspace, 404 otherwise."""

from freelancers.models import Freelancer, Interview, Reference

from ..permissions import get_scoped_or_404, token_of


def workspace_of(request):
    return token_of(request).workspace


def freelancer_or_404(request, pk):
    return get_scoped_or_404(request, Freelancer.objects.all(), pk=pk)


def reference_or_404(request, pk):
    return get_scoped_or_404(request, Reference.objects.select_related("freelancer__workspace"),
                             workspace_path="freelancer__workspace", pk=pk)


def interview_or_404(request, pk):
    qs = Interview.objects.select_related("freelancer__workspace", "interviewer").prefetch_related("scores")
    return get_scoped_or_404(request, qs, workspace_path="freelancer__workspace", pk=pk)
