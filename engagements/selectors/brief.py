"""Reads about the brief: the current version, whether it waits for the freelancer's
acknowledgement, the questions still open, and what changed between two versions (a word-level
diff as plain data; the templates escape every piece of text)."""

import difflib
import re

from ..models import BRIEF_SECTIONS, Brief, BriefQuestion


def current_brief(engagement):
    return Brief.objects.filter(engagement=engagement).order_by("-version").first()


def brief_awaiting_acknowledgement(engagement, brief=None):
    """The current version when it was sent and not yet acknowledged."""
    brief = brief if brief is not None else current_brief(engagement)
    if brief is not None and brief.sent_at and not brief.acknowledged_at:
        return brief
    return None


def open_questions(engagement):
    return BriefQuestion.objects.filter(engagement=engagement, answered_at__isnull=True).select_related(
        "asked_by", "brief")


# --- What changed -----------------------------------------------------------------------------
_WORD = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def _words(line):
    return _WORD.findall(line)


def _inline(old, new):
    """Word-level marks inside a changed line: two lists of (changed, text) segments."""
    a, b = _words(old), _words(new)
    left, right = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            left.append((False, "".join(a[i1:i2])))
            right.append((False, "".join(b[j1:j2])))
        else:
            if i2 > i1:
                left.append((True, "".join(a[i1:i2])))
            if j2 > j1:
                right.append((True, "".join(b[j1:j2])))
    return left, right


def text_diff(old, new, context=2):
    """Lines of `old` → `new` as rows {"op": "equal"|"delete"|"insert"|"skip", "segments": [...]}
    — plain data; the template escapes every piece of text."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    rows = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        if rows:
            rows.append({"op": "skip", "segments": [(False, "…")]})
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [{"op": "equal", "segments": [(False, line)]} for line in a[i1:i2]]
            elif tag == "replace" and (i2 - i1) == (j2 - j1):
                for old_line, new_line in zip(a[i1:i2], b[j1:j2], strict=True):
                    left, right = _inline(old_line, new_line)
                    rows.append({"op": "delete", "segments": left})
                    rows.append({"op": "insert", "segments": right})
            else:
                rows += [{"op": "delete", "segments": [(True, line)]} for line in a[i1:i2]]
                rows += [{"op": "insert", "segments": [(True, line)]} for line in b[j1:j2]]
    return rows


def brief_diff(old, new):
    """Per section of the brief: label, whether it changed, and the diff rows."""
    sections = []
    for name, label in BRIEF_SECTIONS:
        before, after = getattr(old, name), getattr(new, name)
        sections.append({"name": name, "label": label, "changed": before != after,
                         "rows": text_diff(before, after) if before != after else []})
    return sections
