"""A skipped check reported as passing is a defect. Under REQUIRE_SERVICES=1 (CI) a test whose
service is missing must fail, so the suite has one way to skip: the root conftest's service
markers and its `service_missing`, both of which turn into a failure there. Nothing else in the
suite may call pytest.skip: an app that always exists is no reason to skip."""

import ast
from pathlib import Path

import pytest

from conftest import service_missing

ROOT = Path(__file__).resolve().parents[2]
# Where the root conftest skips, each guarded by REQUIRE_SERVICES.
GUARDED = {("conftest.py", "service_missing"), ("conftest.py", "pytest_collection_modifyitems")}
SKIPPING = {"skip", "skipif", "importorskip"}


def _test_sources():
    yield ROOT / "conftest.py"
    for app in sorted(p for p in ROOT.iterdir() if (p / "__init__.py").exists()):
        yield from sorted(app.glob("**/tests/**/*.py"))


def _skips(path):
    """(function, line) of every pytest.skip / skipif / importorskip in `path`."""
    found = []

    def skips(node):  # pytest.skip(…), pytest.mark.skipif(…), and a bare @pytest.mark.skip
        target = node.func if isinstance(node, ast.Call) else node
        return isinstance(target, ast.Attribute) and target.attr in SKIPPING

    def visit(node, function):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.extend((node.name, d.lineno) for d in node.decorator_list if skips(d))
            for statement in node.body:
                visit(statement, node.name)
            return
        if isinstance(node, ast.Call) and skips(node):
            found.append((function, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(path.read_text(), filename=str(path)), "<module>")
    return found


def test_no_test_skips_around_the_service_guard():
    escaping = [
        f"{path.relative_to(ROOT)}:{line} in {function}"
        for path in _test_sources()
        for function, line in _skips(path)
        if (str(path.relative_to(ROOT)), function) not in GUARDED
    ]
    assert escaping == []


def test_a_missing_service_fails_when_services_are_required(monkeypatch):
    monkeypatch.setenv("REQUIRE_SERVICES", "1")
    with pytest.raises(pytest.fail.Exception, match="needs a thing"):
        service_missing("needs a thing")


def test_a_missing_service_skips_with_its_reason_otherwise(monkeypatch):
    monkeypatch.delenv("REQUIRE_SERVICES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="needs a thing"):
        service_missing("needs a thing")
