"""Freelancers in a workspace's talent pool and their vetting pipeline.

Everything here hangs from a Freelancer, which belongs to one workspace, one module per
aggregate:

- freelancer: the freelancer, the pipeline's status moves, its event log, the rate history.
- reference: references (answered by referees through a tokenized link).
- portfolio: samples and testimonials.
- interview: interviews with their scorecards.
- decision: the vetting decisions.
- imports: CSV imports of freelancers (preview, then all or nothing).

Every name is re-exported here, so `from freelancers.models import X` works for all of them
(the migrations name `freelancers.models.sample_upload_to`).
"""

# isort: off
# In dependency order, the order the models register in: the freelancer, then what hangs from it.
from .freelancer import (
    DECISION_STATUSES,
    STATUS_TRANSITIONS,
    EventKind,
    Freelancer,
    FreelancerEvent,
    FreelancerStatus,
    RateChange,
    RateUnit,
    statuses_allowed_into,
)
from .reference import (
    LINK_TTL,
    MAX_REMINDERS,
    REFERENCE_RATINGS,
    REFERENCE_REQUESTABLE,
    REMINDER_EVERY,
    Reference,
    ReferenceLink,
    ReferenceStatus,
)
from .portfolio import Sample, Testimonial, sample_upload_to
from .interview import (
    DEFAULT_CRITERIA,
    Interview,
    InterviewKind,
    InterviewOutcome,
    InterviewScore,
    RedFlag,
    ScorecardCriterion,
)
from .decision import Decision
from .imports import FreelancerImport, ImportStatus
# isort: on

__all__ = [
    "DECISION_STATUSES",
    "DEFAULT_CRITERIA",
    "LINK_TTL",
    "MAX_REMINDERS",
    "REFERENCE_RATINGS",
    "REFERENCE_REQUESTABLE",
    "REMINDER_EVERY",
    "STATUS_TRANSITIONS",
    "Decision",
    "EventKind",
    "Freelancer",
    "FreelancerEvent",
    "FreelancerImport",
    "FreelancerStatus",
    "Interview",
    "InterviewKind",
    "InterviewOutcome",
    "InterviewScore",
    "ImportStatus",
    "RateChange",
    "RateUnit",
    "RedFlag",
    "Reference",
    "ReferenceLink",
    "ReferenceStatus",
    "Sample",
    "ScorecardCriterion",
    "Testimonial",
    "sample_upload_to",
    "statuses_allowed_into",
]
