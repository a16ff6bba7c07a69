"""JSON bodies with a nesting limit, so depth is a 400 and never a server error.

Python's JSON decoder recurses once per level: about 1,500 levels (3 KB of brackets) exhaust the
interpreter's recursion limit and the decoder raises `RecursionError`, which DRF's parser does
not turn into a parse error; about 1,000 levels decode, but then anything walking the result
recursively (the Idempotency-Key fingerprint, serializers, the JSON encoder) fails the same
way. No body this API accepts is deeper than a few levels, so anything past `MAX_JSON_DEPTH`
is refused as malformed, both when the decoder gives up and when it succeeds. The depth is
measured without recursion.
"""

from rest_framework import exceptions, parsers

# Far beyond any body the API documents (the deepest is three levels), far below the
# interpreter's recursion limit.
MAX_JSON_DEPTH = 32


class TooDeep(exceptions.ParseError):
    default_code = "nested_too_deep"


def too_deep():
    return TooDeep(f"JSON parse error - the body is nested deeper than {MAX_JSON_DEPTH} levels.")


def json_depth(value, *, stop_after=MAX_JSON_DEPTH):
    """How many lists/objects deep `value` is (a scalar is 0), counting no further than
    `stop_after` + 1. Iterative, so any depth is safe to measure."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > stop_after:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def ensure_shallow(value):
    """Raise the 400 for data nested deeper than MAX_JSON_DEPTH."""
    if json_depth(value) > MAX_JSON_DEPTH:
        raise too_deep()
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the nesting limit (settings' DEFAULT_PARSER_CLASSES)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # the decoder's own depth limit: raised before any data exists
            raise too_deep() from None
        return ensure_shallow(data)
