"""The referee's ladder: a requested reference is reminded every two days, at most twice, each
reminder with a fresh link (only hashes are stored, so the first email's link cannot be
repeated; earlier links keep working until the reference closes); after 14 days an unanswered
request expires and its links stop working.

The deadline column is `Reference.next_reminder_at` (NULL once the ladder is done), the step
`reminders_sent`. A batch is claimed with one conditional UPDATE (sweeps.run_ladder), so a
second sweep, or a late one after the beat was down, sends each step once: one reminder, and
the next two days later, never a burst. Each email's dedupe key names the step. Like every
reminder to a person it keeps to 08:00–20:00 (in the freelancer's zone: the referee's is unknown).
"""

from django.db.models import Q
from django.utils import timezone

from accounts.models import new_token
from notifications.sweeps import BATCH, drain, item, run_ladder

from ..emails import questionnaire_url, reference_context
from ..models import MAX_REMINDERS, REMINDER_EVERY, Reference, ReferenceLink, ReferenceStatus


def _decide(now):
    def decide(reference):
        step = reference.reminders_sent + 1
        expected = {"status": reference.status, "reminders_sent": reference.reminders_sent,
                    "next_reminder_at": reference.next_reminder_at}
        new = {"reminders_sent": step, "next_reminder_at": now + REMINDER_EVERY if step < MAX_REMINDERS else None}
        return expected, new, step
    return decide


def _compose(now, reminded):
    def compose(todo):
        tokens = {reference.pk: new_token() for reference, _ in todo}
        ReferenceLink.objects.bulk_create(
            [ReferenceLink(reference=reference, token_hash=tokens[reference.pk][1]) for reference, _ in todo])
        items = []
        for reference, step in todo:
            context = reference_context(reference, questionnaire_url(tokens[reference.pk][0]))
            # The referee's own zone is unknown; the freelancer's (whose client or colleague they
            # were) stands in, so a reminder does not land at 3 a.m. where they most likely are.
            items.append(item(
                kind="reference_reminder", email=reference.email, key=f"reference-reminder:{reference.pk}:{step}",
                workspace_id=reference.freelancer.workspace_id, tz=reference.freelancer.timezone, now=now,
                context={**context, "reminder": step, "last_reminder": step >= MAX_REMINDERS}))
            reminded.append(reference.pk)
        return items, {"reminded": len(items)}
    return compose


def _due(now, batch):
    # Rows another sweep has locked are skipped: each reminder adds a link row, which a second
    # sweep claiming the same step (the claim matches identical moves) must not add again.
    return list(
        Reference.objects.filter(status=ReferenceStatus.REQUESTED, next_reminder_at__lte=now, expires_at__gt=now)
        .select_related("freelancer", "requested_by").select_for_update(skip_locked=True, of=("self",))
        .order_by("next_reminder_at", "pk")[:batch]
    )


def references_remind(*, now=None, batch=BATCH):
    """Beat: remind every referee whose reminder is due. Returns the ids reminded."""
    now = now or timezone.now()
    reminded = []

    def one_batch(now, batch):
        return run_ladder(Reference, _due(now, batch), _decide(now), _compose(now, reminded), now=now,
                          counters=("reminded",))

    drain(one_batch, now=now, batch=batch)
    return reminded


def references_expire(*, now=None):
    """requested references past their 14 days become expired (their links stop working).
    Returns the ids expired."""
    now = now or timezone.now()
    due = Q(status=ReferenceStatus.REQUESTED, expires_at__lte=now)
    ids = list(Reference.objects.filter(due).values_list("pk", flat=True)[:1000])
    if ids:
        Reference.objects.filter(due, pk__in=ids).update(status=ReferenceStatus.EXPIRED, next_reminder_at=None)
    return ids


def referee_reminders(*, now=None):
    """Beat: expire references past their 14 days, then send the reminders that are due."""
    now = now or timezone.now()
    return {"expired": len(references_expire(now=now)), "reminded": len(references_remind(now=now))}
