"""Statements of an engagement and of a freelancer: on screen, printable, or as CSV."""

from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.access import get_for_workspace, workspace_required
from freelancers.models import Freelancer

from .. import selectors
from ..providers import stripe_enabled
from ..statements import statement_csv_response, workspace_statement_csv
from ._helpers import engagement_for

# The owner's statement of a freelancer on screen (the CSV and the printable version have all).
STATEMENT_LINES_SHOWN = 100
OWED_SHOWN = 25


def _statement_response(request, statement, *, template_context, filename, engagement_columns):
    fmt = request.GET.get("format")
    if fmt == "csv":
        return statement_csv_response(statement, filename, engagement_columns=engagement_columns)
    template = "payments/statement_print.html" if fmt == "print" else "payments/statement.html"
    return render(request, template, {**template_context, "statement": statement,
                                      "engagement_columns": engagement_columns})


@workspace_required
def engagement_statement(request, pk):
    eng = engagement_for(request, pk)
    return _statement_response(
        request, selectors.engagement_statement(eng), filename=f"statement-engagement-{eng.pk}.csv",
        engagement_columns=True,
        template_context={"engagement": eng, "subject": eng.title, "figures": selectors.budget_figures(eng),
                          "back_url": reverse("payments:engagement", args=[eng.pk])},
    )


@workspace_required
def freelancer_statement(request, pk):
    """The freelancer's statement: every line in the CSV and the printable version; on screen the
    latest STATEMENT_LINES_SHOWN (balances and totals over all of them, summed in SQL) and the
    OWED_SHOWN engagements owed the most, each with how many there are."""
    freelancer = get_for_workspace(request, Freelancer, pk=pk)
    context = {"freelancer": freelancer, "subject": freelancer.name, "back_url": reverse("payments:overview")}
    if request.GET.get("format") in ("csv", "print"):
        statement = selectors.freelancer_statement(freelancer)
    else:
        statement, context["statement_lines"] = selectors.freelancer_statement_latest(
            freelancer, lines=STATEMENT_LINES_SHOWN)
        owed = selectors.freelancer_owed_by_engagement(freelancer)
        context["owed_by_engagement"] = list(owed[:OWED_SHOWN])
        context["owed_total"] = owed.count() if len(context["owed_by_engagement"]) == OWED_SHOWN else None
    return _statement_response(request, statement, filename=f"statement-freelancer-{freelancer.pk}.csv",
                               engagement_columns=False, template_context=context)


@workspace_required
def workspace_statement(request):
    """Every ledger transaction of the workspace as CSV, with running balances per currency."""
    return workspace_statement_csv(request.workspace)


@workspace_required
def freelancer_money_panel(request, pk):
    """The freelancer page's money panel (loaded into the freelancers app's page, which sits below
    payments): paid to date, owed and held per currency, and the way to the statement."""
    freelancer = get_for_workspace(request, Freelancer, pk=pk)
    if not request.headers.get("HX-Request"):
        return redirect("payments:freelancer_statement", pk=freelancer.pk)
    stripe = stripe_enabled()
    return render(request, "payments/_freelancer_money_panel.html", {
        "freelancer": freelancer, "money": selectors.freelancer_money(freelancer), "stripe": stripe,
        "payout_account": selectors.payout_account_of(freelancer) if stripe else None,
    })
