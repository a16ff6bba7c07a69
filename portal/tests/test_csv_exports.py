"""Every CSV export the app offers, owner and portal side, with a formula in every text field that
can reach one: no cell of any export may start like a formula (= + - @ tab CR) unless it is a
plain number, in any column.

The exports are found, not listed: every page of the URL configuration is asked for
`?format=csv` (owner pages by A's owner, portal pages by freelancer A, with the access matrix's
real ids), and whatever answers `text/csv` is checked. So an export added later is covered the
day it is added; `KNOWN_EXPORTS` only proves that the walk finds the ones there are now.
"""

import csv
import io
import re

import pytest
from django.utils import timezone

from engagements.services import lifecycle as engagement_services
from engagements.services import milestone as work
from freelancers.services import freelancer as freelancer_services
from payments import services as payments

from .conftest import client_for, key
from .test_access_matrix import _request, pages

pytestmark = pytest.mark.django_db

# The trigger set of OWASP's CSV injection guidance; a plain number (a negative amount) is left
# as a number.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
KNOWN_EXPORTS = {"payments:engagement_statement", "payments:freelancer_statement", "portal:money",
                 "payments:workspace_statement", "freelancers:export", "engagements:export",
                 "engagements:milestone_export"}

ENGAGEMENT_TITLE = '=HYPERLINK("http://x","eng")'
MILESTONE_TITLE = "+SUM(1,1)"
NEW_MILESTONE_TITLE = "@SUM(1+1)"
FREELANCER_NAME = "-2+3+cmd|' /C calc'!A0"
HEADLINE = "=cmd|' /C notepad'!A0"
PAYOUT_REFERENCE = "@PAY(1)"
BONUS_NOTE = "=1+1"
REFUND_REASON = "-1+1"
WORKSPACE_NAME = "=Acme"


@pytest.fixture
def hostile_world(world, owner, workspace):
    """The access matrix's world of freelancer A, its texts turned into formulas through the
    services, with money that moved under hostile names (a refund, a bonus, a payout)."""
    engagement_services.engagement_update(engagement=world.engagement, actor=owner, title=ENGAGEMENT_TITLE)
    freelancer_services.freelancer_update(freelancer=world.freelancer, actor=owner, name=FREELANCER_NAME,
                                          headline=HEADLINE)
    workspace.name = WORKSPACE_NAME
    workspace.save(update_fields=["name"])
    extra, _ = work.milestone_create(engagement=world.engagement, actor=owner, title=MILESTONE_TITLE,
                                     acceptance_criteria="=1+1", amount=10_000)
    payments.milestone_fund(milestone=extra, actor=owner, idempotency_key=key())
    payments.milestone_refund(milestone=extra, actor=owner, idempotency_key=key(), reason=REFUND_REASON)
    payments.bonus_pay(engagement=world.engagement, actor=owner, amount=5_000, note=BONUS_NOTE,
                       idempotency_key=key())
    payments.payout_record(engagement=world.engagement, actor=owner, amount=1_000, method="bank_transfer",
                           reference=PAYOUT_REFERENCE, paid_on=timezone.localdate(), idempotency_key=key())
    work.milestone_create(engagement=world.engagement, actor=owner, title=NEW_MILESTONE_TITLE,
                          acceptance_criteria="-1", amount=10_000)
    return world


def table(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def formula_cells(rows):
    return [cell for row in rows for cell in row
            if cell.startswith(TRIGGERS) and not NUMBER.fullmatch(cell)]


def exports(world, owner):
    """Every page that answers text/csv to its rightful reader: {url name: (url, rows)}."""
    readers = {True: client_for(world.freelancer.user), False: client_for(owner)}
    found = {}
    for page in pages(world):
        response, _ = _request(readers[page.portal_side], "get", page, {"format": "csv"})
        if response.status_code == 200 and response["Content-Type"].startswith("text/csv"):
            found[page.name] = (page.url, table(response))
    return found


def test_every_csv_export_writes_formulas_as_text_in_every_column(hostile_world, owner):
    found = exports(hostile_world, owner)

    assert set(found) >= KNOWN_EXPORTS, f"the walk found only {sorted(found)}"
    problems = {name: formula_cells(rows) for name, (_, rows) in found.items() if formula_cells(rows)}
    assert problems == {}
    for name, (url, rows) in found.items():
        if name == "accounts:audit_log":
            continue  # names objects by type and id, no titles (its own hostile detail: api/tests/test_audit.py)
        cells = {cell for row in rows for cell in row}
        # The hostile values did reach each export, written as text (the talent pool's has no
        # engagement column: its freelancer's name is the hostile one).
        assert {"'" + ENGAGEMENT_TITLE, "'" + FREELANCER_NAME} & cells, f"{url}: {rows[:3]}"


def test_the_statements_keep_hostile_references_as_text_and_negative_amounts_as_numbers(hostile_world, owner):
    found = exports(hostile_world, owner)
    _, rows = found["payments:engagement_statement"]
    header, lines = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}

    assert "'" + PAYOUT_REFERENCE in [line[col["Reference"]] for line in lines]
    descriptions = [line[col["Description"]] for line in lines]
    assert f"Bonus: {BONUS_NOTE}" in descriptions
    assert any(d.endswith(f": {REFUND_REASON}") for d in descriptions)
    # Money leaving held funds is a negative figure, and a spreadsheet must still add it up.
    negatives = [line[col["Held funds change"]] for line in lines if line[col["Held funds change"]].startswith("-")]
    assert negatives and all(NUMBER.fullmatch(n) for n in negatives)


def test_the_check_notices_an_export_that_lets_a_formula_through():
    rows = [["Date", "Engagement", "Escrow change"], ["2026-01-05", ENGAGEMENT_TITLE, "-12.50"],
            ["2026-01-06", "'" + ENGAGEMENT_TITLE, "-1+1"]]

    assert formula_cells(rows) == [ENGAGEMENT_TITLE, "-1+1"]
