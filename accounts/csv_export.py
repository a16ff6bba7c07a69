"""The one CSV writer every export uses, so no export can forget to defuse a column.

Spreadsheet programs run a cell that begins with `=`, `+`, `-` or `@` as a formula, and some
also after a leading tab or carriage return; a title such as `=HYPERLINK("http://x","eng")`
would run on the machine of whoever opens the file (OWASP, "CSV Injection"). Every cell of
every row, the header included, therefore goes through `safe_cell`, which prefixes such a cell
with `'` so the spreadsheet shows it as text.

Figures stay figures: a typed number (int, Decimal, float) is written as it is, and so is a
string that is purely a decimal number (`-12.50`, `+7`), which OWASP's guidance allows. A
negative amount in a balance column must still add up in the spreadsheet, and a cell that is
nothing but a number cannot be a formula. Anything else that starts with a trigger, even
`-12.50 owed` or `-1e3`, is text.

It lives in `accounts`, the bottom of the dependency order, so every app may use it.
(defusedcsv was considered: it leaves cells that begin with a tab or a carriage return as they
are, and rewrites `|` inside cells.)
"""

import csv
import re
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv"  # for schemas that document a download
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def safe_cell(value):
    """`value` as a CSV cell a spreadsheet will not run: None is empty, numbers stay numbers,
    text beginning like a formula gets a leading `'`."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeWriter:
    """`csv.writer` whose every cell goes through `safe_cell`."""

    def __init__(self, stream, **fmtparams):
        self._writer = csv.writer(stream, **fmtparams)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_download(filename, header):
    """A CSV download and its writer, `header` already written: `writer.writerow(...)` each row,
    then return the response. UTF-8 with a byte-order mark, so spreadsheet programs read names
    and “quotes” correctly."""
    response = HttpResponse(content_type=f"{CSV_MEDIA_TYPE}; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response.write("\ufeff")
    writer = SafeWriter(response)
    writer.writerow(header)
    return response, writer
