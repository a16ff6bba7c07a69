"""docs/benchmarks.md: each benchmark command rewrites its own section (between markers), with
the date and the machine, and leaves the others as they were."""

import re
import subprocess
from datetime import UTC, datetime

from django.db import connection

from .server import ROOT, machine

DOC = ROOT / "docs" / "benchmarks.md"
HEAD = """# Benchmarks

Written by `make bench` (the commands in `outsourcing/bench/`); do not edit the figures by hand.
Speed is measured here, never in a timed test: the tests assert query counts and behaviour.
"""


def stamp():
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        db = cursor.fetchone()[0].split(" on ")[0] if connection.vendor == "postgresql" else connection.vendor
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = ""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"_Measured {when} on {machine()}, {db}{f', commit {commit}' if commit else ''}._"


def write_section(name, body, path=None):
    path = path or DOC
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text() if path.exists() else HEAD
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else f"{text.rstrip()}\n\n{block}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
