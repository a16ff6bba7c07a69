"""The owner's attention statement is compiled once per connection and shape (how many rows each
kind reads) and then read with each request's workspace, user and time (accounts.together.Param):
every later read gives exactly what a freshly compiled statement gives for the same request, and
never another workspace's, user's or moment's items."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts import together
from engagements.services.attention import attention_snooze
from payments.selectors.attention import owner_attention_page

from .test_home_dashboard import _populate

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _fresh(workspace, user, now):
    """The page as a statement compiled for this request alone."""
    kept = connection.__dict__.pop("_together_kept", None)
    try:
        return owner_attention_page(workspace, user=user, now=now, limit=15)
    finally:
        connection.__dict__["_together_kept"] = kept or {}


def test_a_kept_statement_reads_each_workspace_user_and_moment_its_own_items(workspace, owner, outsider,
                                                                             monkeypatch):
    theirs = outsider.memberships.get().workspace
    _populate(workspace, 3, start=0)
    _populate(theirs, 2, start=3)
    now = timezone.now()
    connection.__dict__.pop("_together_kept", None)
    mine = owner_attention_page(workspace, user=owner, now=now, limit=15)  # compiled and kept
    attention_snooze(user=owner, workspace=workspace, key=mine[0][0].key)

    def no_compiling(*args, **kwargs):
        raise AssertionError("a kept statement was compiled again")

    monkeypatch.setattr(together, "_compile", no_compiling)
    reads = {(theirs, outsider, now): owner_attention_page(theirs, user=outsider, now=now, limit=15),
             (workspace, owner, now + timedelta(hours=5)):
                 owner_attention_page(workspace, user=owner, now=now + timedelta(hours=5), limit=15)}
    monkeypatch.undo()

    other_items, other_total = reads[(theirs, outsider, now)]
    assert other_items and {i.engagement for i in other_items if i.engagement} <= set(
        theirs.engagements.values_list("pk", flat=True))
    later_items, _ = reads[(workspace, owner, now + timedelta(hours=5))]
    assert mine[0][0].key not in {i.key for i in later_items}  # snoozed for a day, read through the kept statement
    assert {i.key for i in later_items} != {i.key for i in other_items}
    for (ws, user, at), read in reads.items():
        assert read == _fresh(ws, user, at)
