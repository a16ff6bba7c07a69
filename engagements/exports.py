"""Engagements and milestones as CSV (the list pages' "Export CSV" and
`GET /api/v1/exports/{engagements,milestones}.csv`), written by accounts.csv_export so no column
can carry a formula. Money as decimals in major units with the currency beside them."""

from accounts.csv_export import csv_download
from freelancers.money import to_major

from .models import Engagement, Milestone

ENGAGEMENT_COLUMNS = ["id", "title", "freelancer", "freelancer_email", "kind", "pay_terms", "status", "budget",
                      "contingency_percent", "currency", "starts_on", "target_end_on", "update_every_days",
                      "next_update_due_at", "created_at"]
MILESTONE_COLUMNS = ["id", "engagement_id", "engagement", "freelancer", "position", "title", "state", "due_on",
                     "amount", "currency", "review_deadline_at", "acceptance_criteria"]


def _iso(value):
    return value.isoformat() if value else ""


def engagements_csv(workspace, filename="engagements.csv"):
    response, writer = csv_download(filename, ENGAGEMENT_COLUMNS)
    rows = Engagement.objects.filter(workspace=workspace).select_related("freelancer").order_by("-created_at", "-pk")
    for e in rows.iterator(chunk_size=500):
        writer.writerow([
            e.pk, e.title, e.freelancer.name, e.freelancer.email, e.kind, e.pay_terms, e.status,
            to_major(e.budget, e.currency), e.contingency_percent, e.currency, _iso(e.starts_on),
            _iso(e.target_end_on), e.update_every_days, _iso(e.next_update_due_at), _iso(e.created_at),
        ])
    return response


def milestones_csv(workspace, filename="milestones.csv"):
    response, writer = csv_download(filename, MILESTONE_COLUMNS)
    rows = (Milestone.objects.filter(engagement__workspace=workspace)
            .select_related("engagement__freelancer").order_by("engagement_id", "position", "pk"))
    for m in rows.iterator(chunk_size=500):
        writer.writerow([
            m.pk, m.engagement_id, m.engagement.title, m.engagement.freelancer.name, m.position, m.title,
            m.state, _iso(m.due_on), to_major(m.amount, m.currency), m.currency, _iso(m.review_deadline_at),
            m.acceptance_criteria,
        ])
    return response
