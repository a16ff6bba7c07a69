"""The one CSV writer: a cell a spreadsheet would run as a formula is written as text, in every
column, while figures stay figures; and no other module writes CSV by itself."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.csv_export import csv_download, safe_cell

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = ["accounts", "notifications", "freelancers", "engagements", "payments", "portal", "api",
                    "outsourcing"]
WRITER = ROOT / "accounts" / "csv_export.py"

HOSTILE = [
    '=HYPERLINK("http://x","eng")',
    "+SUM(1,1)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "-",
    "=",
    "-12.50 owed",
    "-1e3",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_starting_like_a_formula_is_written_as_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Website redesign", "", "Bonus: =1+1", " =1", "12", "O'Brien & Co", "é=1"])
def test_ordinary_text_is_left_alone(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", ["-12.50", "-1500.00", "-3", "+7", "0.00", "42", "+0.5"])
def test_a_purely_numeric_cell_stays_a_number_even_when_negative(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value, written", [
    (Decimal("-12.50"), Decimal("-12.50")), (-3, -3), (0, 0), (1.5, 1.5), (None, ""), (True, "True"),
])
def test_typed_values(value, written):
    assert safe_cell(value) == written


def test_a_number_with_a_trailing_line_break_is_not_a_number():
    assert safe_cell("-12.50\n") == "'-12.50\n"
    assert safe_cell("-12.50\n=1+1") == "'-12.50\n=1+1"


def read(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_response_defuses_every_column_and_the_header_and_keeps_negative_amounts():
    hostile_header = ["Date", "=HEADER()"]
    rows = [[value, value, Decimal("-12.50"), "-12.50"] for value in HOSTILE]

    response, writer = csv_download("export.csv", hostile_header)
    writer.writerows(rows)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="export.csv"'
    assert response.content.startswith("\ufeff".encode())  # spreadsheets then read UTF-8 as UTF-8
    table = read(response)
    assert table[0] == ["Date", "'=HEADER()"]
    for value, line in zip(HOSTILE, table[1:], strict=True):
        assert line == ["'" + value, "'" + value, "-12.50", "-12.50"]


def test_a_filename_is_quoted_safely():
    response, _ = csv_download('a"b\r\n.csv', ["x"])

    assert "\n" not in response["Content-Disposition"] and "\r" not in response["Content-Disposition"]


CSV_USE = re.compile(r"^\s*(import csv\b|from csv import)|text/csv", re.MULTILINE)
# Modules that touch CSV without writing any: each named with what it does instead.
NOT_WRITERS = {
    "freelancers/csv_import.py": "reads an uploaded CSV (the import); writes none",
    "api/transfer.py": "declares text/csv so a client may ask for it; the CSV comes from the one writer",
}


def modules_writing_csv(root):
    """Project modules (tests and migrations aside) that use the csv module or answer text/csv
    themselves, other than the one writer."""
    found = []
    for package in PROJECT_PACKAGES:
        for path in (root / package).rglob("*.py"):
            relative = path.relative_to(root)
            if {"tests", "migrations"} & set(relative.parts) or relative == WRITER.relative_to(ROOT):
                continue
            if str(relative) in NOT_WRITERS:
                continue
            if CSV_USE.search(path.read_text()):
                found.append(str(relative))
    return found


def test_no_module_writes_csv_but_the_one_writer():
    """Every export goes through accounts.csv_export, so none can forget to defuse a column."""
    assert modules_writing_csv(ROOT) == []


def test_the_guard_notices_a_module_writing_csv_by_itself(tmp_path):
    (tmp_path / "payments").mkdir()
    (tmp_path / "payments" / "exports.py").write_text("import io\nimport csv\n")
    (tmp_path / "outsourcing").mkdir()
    (tmp_path / "outsourcing" / "views.py").write_text('HttpResponse(content_type="text/csv")\n')
    (tmp_path / "accounts" / "tests").mkdir(parents=True)
    (tmp_path / "accounts" / "tests" / "test_x.py").write_text("import csv\n")

    assert sorted(modules_writing_csv(tmp_path)) == ["outsourcing/views.py", "payments/exports.py"]
