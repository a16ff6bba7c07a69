"""Freelancers and vetting (API.md): profiles, references, interviews, the scorecard and the
decision. Owner and manager tokens only (a freelancer token gets 404). Every view calls the
same service functions as the web pages (freelancers.services: freelancer / reference /
interview / vetting), so the rules, the field errors (400) and the state conflicts (409) are the same.

One module per topic: `profiles`, `references`, `interviews`, `scorecard` (with the decision);
their serializers in `serializers`.
"""

from django.urls import Resolver404, path, re_path, resolve
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView

from ..fields import AwareDateTimeField
from ..permissions import IsWorkspaceStaff
from .interviews import InterviewDetail, InterviewList
from .profiles import FreelancerDetail, FreelancerList
from .references import ReferenceDetail, ReferenceList, ReferenceRequestView
from .scorecard import FreelancerDecisionView, FreelancerScorecardView

__all__ = ["AwareDateTimeField", "urlpatterns"]  # AwareDateTimeField: kept importable from here


@extend_schema(exclude=True)
class UnknownId(APIView):
    """`/freelancers/abc/…` and the like: a JSON 404 (401 without a token) from a DRF view for
    every method, rather than falling through to a plain Django view where an unsafe method
    would meet the CSRF check."""

    permission_classes = [IsWorkspaceStaff]

    def _not_found(self, request):
        if not request.path.endswith("/"):
            try:
                match = resolve(request.path + "/")
            except Resolver404:
                match = None
            if match is not None and getattr(match.func, "view_class", None) is not UnknownId:
                raise NotFound(f"Not found. Did you mean {request.path}/ (with a trailing slash)?")
        raise NotFound()

    def http_method_not_allowed(self, request, *args, **kwargs):
        self._not_found(request)

    def get(self, request, *args, **kwargs):
        self._not_found(request)

    post = put = patch = delete = get

urlpatterns = [
    path("freelancers/", FreelancerList.as_view(), name="freelancers"),
    path("freelancers/<int:pk>/", FreelancerDetail.as_view(), name="freelancer"),
    path("freelancers/<int:pk>/decision/", FreelancerDecisionView.as_view(), name="freelancer-decision"),
    path("freelancers/<int:pk>/scorecard/", FreelancerScorecardView.as_view(), name="freelancer-scorecard"),
    path("freelancers/<int:pk>/references/", ReferenceList.as_view(), name="freelancer-references"),
    path("freelancers/<int:pk>/interviews/", InterviewList.as_view(), name="freelancer-interviews"),
    path("references/<int:pk>/", ReferenceDetail.as_view(), name="reference"),
    path("references/<int:pk>/request/", ReferenceRequestView.as_view(), name="reference-request"),
    path("interviews/<int:pk>/", InterviewDetail.as_view(), name="interview"),
    re_path(r"^(?:freelancers|references|interviews)/.+$", UnknownId.as_view()),
]
