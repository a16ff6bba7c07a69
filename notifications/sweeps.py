"""What every reminder sweep shares: the batch claim and the notification item.

A sweep reads a batch of due rows with one indexed query, decides for each row what its
reminder ladder moves to, and claims the whole batch with ONE conditional UPDATE: each row
moves from exactly what the sweep read to its new step, unless something changed it in between
(a new status update, a second sweep). Then it inserts the batch's notifications with one
statement (`notify_many`), each under a dedupe key naming the reminder and its window. So the
number of queries of a sweep grows with its batches, not with its rows, and a sweep that runs
twice or concurrently sends each reminder once.
"""

from datetime import UTC, datetime

from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce

from .quiet import decent_not_before

# Stand-ins for NULL in the claim's comparison (NULL = NULL is not true in SQL).
_NULL_STANDS_IN = {
    "DateTimeField": datetime(1970, 1, 1, tzinfo=UTC),
    "PositiveSmallIntegerField": -1,
    "PositiveIntegerField": -1,
    "IntegerField": -1,
    "BooleanField": False,
    "DateField": datetime(1970, 1, 1).date(),
    "CharField": "",
    "PositiveBigIntegerField": -1,
    "BigIntegerField": -1,
}


def _case(model, field, values, default=None):
    output = model._meta.get_field(field)
    whens = [When(pk=pk, then=Value(value, output_field=output)) for pk, value in values.items()]
    return Case(*whens, default=default, output_field=output)


def claim(model, plan):
    """`plan` = {pk: (expected, new)}: two dicts of field values. One UPDATE moves every row
    that still holds `expected` to `new`. Returns the pks whose row now holds `new`: those this
    call moved (or that a concurrent sweep moved identically, which the dedupe keys make
    harmless). A row someone else changed meanwhile is left alone and not returned."""
    if not plan:
        return set()
    pks = list(plan)
    qs = model.objects.filter(pk__in=pks)
    expected_fields = sorted({f for expected, _ in plan.values() for f in expected})
    for field in expected_fields:
        stand_in = _NULL_STANDS_IN[model._meta.get_field(field).get_internal_type()]
        output = model._meta.get_field(field)
        wanted = {pk: expected[field] if expected[field] is not None else stand_in
                  for pk, (expected, _) in plan.items()}
        qs = qs.alias(
            **{f"_have_{field}": Coalesce(F(field), Value(stand_in, output_field=output), output_field=output)}
        ).filter(**{f"_have_{field}": _case(model, field, wanted)})
    new_fields = sorted({f for _, new in plan.values() for f in new})
    updates = {}
    for field in new_fields:
        values = {pk: new[field] for pk, (_, new) in plan.items() if field in new}
        updates[field] = _case(model, field, values, default=F(field))
    qs.update(**updates)
    after = model.objects.filter(pk__in=pks).values("pk", *new_fields)
    return {
        row["pk"] for row in after
        if all(row[f] == plan[row["pk"]][1][f] for f in plan[row["pk"]][1])
    }


def item(*, kind, email, key, context, workspace_id, tz, now, user_id=None, engagement_id=None, decent=True):
    """One row for `notify_many`, held until 08:00 in `tz` when `now` is outside decent hours."""
    return {
        "kind": kind, "recipient_email": email, "dedupe_key": key, "context": context,
        "workspace_id": workspace_id, "recipient_user_id": user_id, "engagement_id": engagement_id,
        "not_before": decent_not_before(now, tz) if decent else None,
    }
