"""The vetting scorecard and the owner's decision."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from engagements.selectors import reliability_record
from freelancers import selectors
from freelancers.models import REFERENCE_RATINGS
from freelancers.services import vetting

from ..permissions import IsWorkspaceStaff
from ..schema import errors
from .common import freelancer_or_404
from .serializers import (
    DecisionRequestSerializer,
    DecisionSerializer,
    InterviewSerializer,
    ReferenceSerializer,
    ScorecardSerializer,
)


class FreelancerDecisionView(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(
        operation_id="freelancers_decision", summary="Approve or reject, with a reason",
        description="Recorded with who and when. Approving with fewer than 2 answered references or any "
                    "red flag needs `confirm: true` (else 400 on `confirm`). A move the pipeline does not "
                    "allow (approving a prospect) is 409.",
        request=DecisionRequestSerializer, responses={201: DecisionSerializer, **errors(400, 404, 409)},
    )
    def post(self, request, pk):
        freelancer = freelancer_or_404(request, pk)
        payload = DecisionRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        decision = vetting.freelancer_decide(freelancer=freelancer, actor=request.user, decision=data["decision"],
                                             reason=data["reason"], confirmed=data["confirm"])
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


def _scorecard_body(freelancer):
    card = selectors.scorecard(freelancer)
    ratings = {field: avg for (field, _), (_, avg) in zip(REFERENCE_RATINGS, card.reference_averages, strict=True)}
    reliability = reliability_record(freelancer).as_dict()
    return {
        "freelancer": freelancer.pk,
        "status": freelancer.status,
        "do_not_hire": freelancer.do_not_hire,
        "references": {
            "received": card.references_received_count,
            "total": len(card.references),
            "averages": ratings,
            "overall": card.reference_overall,
            "would_rehire": {"yes": card.would_rehire_yes, "no": card.would_rehire_no},
            "items": ReferenceSerializer(card.references, many=True).data,
        },
        "interviews": {
            "scored": len(card.scored_interviews),
            "criteria": [{"criterion": name, "average": avg, "count": n} for name, avg, n in card.criterion_averages],
            "overall": card.interview_overall,
            "items": InterviewSerializer(card.interviews, many=True).data,
        },
        "red_flags": [{"flag": f["key"], "label": f["label"], "count": f["count"],
                       "interviews": [i.pk for i in f["interviews"]]} for f in card.red_flags],
        "trial": [
            {"engagement": t["engagement"].pk, "title": t["engagement"].title, "status": t["engagement"].status,
             "review": None if t["review"] is None else {
                 "average": t["review"]["average"], "rehire": t["review"]["rehire"],
                 "ratings": {label: value for label, value in t["review"]["ratings"]}}}
            for t in card.trials
        ],
        "reliability": reliability,
        "samples": [{"id": s.pk, "title": s.title, "url": s.url, "file": s.original_filename or None}
                    for s in card.samples],
        "warnings": card.warnings,
        "decisions": DecisionSerializer(card.decisions, many=True).data,
    }


class FreelancerScorecardView(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="freelancers_scorecard", summary="The vetting scorecard",
                   description="References (averages, count), interview scores per criterion, red flags, "
                               "trial jobs with their review, the reliability record, samples, warnings "
                               "and the decision history.",
                   responses={200: ScorecardSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(_scorecard_body(freelancer_or_404(request, pk)))
