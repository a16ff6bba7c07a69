"""Reading a CSV of freelancers as people actually have them: our own export, or a spreadsheet's
"Save as CSV" — UTF-8 with or without a byte-order mark (else Windows-1252), separated by commas,
semicolons (Excel in much of Europe) or tabs, with headers in any case and the common names for
each column ("E-mail", "Full name", "Hourly rate"…). Pure parsing: no database here; the service
checks each row against the workspace."""

import csv
import io
from dataclasses import dataclass, field

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

# Column → the headers that mean it (compared lowercased, with spaces, dashes and underscores removed).
HEADER_ALIASES = {
    "name": ("name", "fullname", "freelancer", "contact", "contactname", "person"),
    "email": ("email", "emailaddress", "mail", "e-mail"),
    "headline": ("headline", "title", "role", "jobtitle", "position"),
    "skills": ("skills", "skill", "tags", "expertise"),
    "timezone": ("timezone", "tz", "zone"),
    "country": ("country", "countrycode"),
    "rate": ("rate", "rateamount", "hourlyrate", "dailyrate", "price", "amount"),
    "rate_unit": ("rateunit", "unit", "per"),
    "currency": ("currency", "currencycode"),
    "notes": ("notes", "note", "comments", "comment"),
}
REQUIRED = ("name", "email")


def _key(header):
    return "".join(ch for ch in (header or "").strip().lower() if ch not in " -_.")


ALIAS_TO_FIELD = {_key(alias): name for name, aliases in HEADER_ALIASES.items() for alias in aliases}


@dataclass
class ParsedFile:
    rows: list = field(default_factory=list)     # [{"line": n, column: text, ...}]
    errors: list = field(default_factory=list)   # [{"line", "field", "message"}]


def _error(line, field_name, message):
    return {"line": line, "field": field_name, "message": message}


def decode(data):
    """Bytes → text: UTF-8 (a BOM dropped), else Windows-1252, the other spreadsheet default."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _dialect(text):
    sample = text[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        delimiter = max(",;\t", key=first.count)
        return type("Guessed", (csv.excel,), {"delimiter": delimiter})


def _columns(header, parsed):
    """{index: field} for the header's known columns; errors (line 1) for what is missing."""
    columns = {}
    for index, title in enumerate(header):
        name = ALIAS_TO_FIELD.get(_key(title))
        if name and name not in columns.values():
            columns[index] = name
    for required in REQUIRED:
        if required not in columns.values():
            parsed.errors.append(_error(1, required, f"No “{required}” column: the first line must name the "
                                                     f"columns, e.g. name, email, headline, skills, rate."))
    return columns


def parse(data):
    """ParsedFile of the upload's bytes: its rows by column name, and what stops it outright."""
    parsed = ParsedFile()
    if len(data) > MAX_BYTES:
        parsed.errors.append(_error(0, "file", f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."))
        return parsed
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        header, parsed.errors = None, [_error(1, "file", f"Not a readable CSV file: {exc}.")]
    if not header or not any(cell.strip() for cell in header):
        parsed.errors = parsed.errors or [_error(1, "file", "The file is empty: it needs a header line and rows.")]
        return parsed
    columns = _columns(header, parsed)
    if parsed.errors:
        return parsed
    line = reader.line_num
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, and the empty rows spreadsheets leave at the end
            if len(parsed.rows) + len(parsed.errors) >= MAX_ROWS:
                parsed.errors.append(_error(start, "file", f"More than {MAX_ROWS:,} rows: split the file."))
                break
            row = {"line": start}
            for index, name in columns.items():
                row[name] = cells[index].strip() if index < len(cells) else ""
            parsed.rows.append(row)
    except csv.Error as exc:
        parsed.errors.append(_error(line + 1, "file", f"This line cannot be read: {exc}."))
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(_error(2, "file", "The file has a header but no rows."))
    return parsed
