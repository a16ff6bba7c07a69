"""Reminders and nudges about engagements, one module per ladder: status updates (a ladder that
escalates to the owner), the silence detector, check-ins, messages missed in the app, milestone due dates, briefs and
playbook documents waiting for acknowledgement, and the owners' daily digest.

The mechanism is the one in DESIGN.md, the same for every reminder:
- the next moment something is due is a column with a partial index (`update_reminder_at`,
  `quiet_check_at`, `checkin_nudge_at`, `CheckIn.nudge_at`, `Milestone.due_reminder_at`,
  `Brief.ack_nudge_at`, `PlaybookAckRequest.nudge_at`), armed by the services whenever its row
  changes (services/ladders.py) and NULL once its ladder is done, so finished rows drop out of
  the index;
- a sweep (beat, every minute) reads up to a batch of due rows with one indexed query, decides
  what each row's ladder moves to, claims the batch with one conditional UPDATE (only rows still
  exactly as read move), and inserts the claimed rows' emails with one statement under dedupe
  keys naming the reminder and its window (`status-overdue:<engagement>:<due iso>:1`) — the
  shared frame `notifications.sweeps.run_ladder`, drained batch by batch by `sweeps.drain`, so
  each module here holds only its decision and its email;
- sending is the outbox's separate task. Emails to a person wait for 08:00–20:00 in their time
  zone (`not_before`); each person's choices (on, off, digest only) apply when it is sent.

A sweep that runs twice, or two at once, claims each row once and inserts each email once.
The beat's entry points are handed on here (engagements/tasks.py calls them).
"""

from .acknowledgements import acknowledgement_nudges
from .checkins import checkin_nudges
from .digest import owner_digests
from .messages import missed_message_emails
from .milestones import milestone_reminders
from .silence import silence_detector
from .status_updates import status_update_reminders

__all__ = ["acknowledgement_nudges", "checkin_nudges", "milestone_reminders", "missed_message_emails", "owner_digests",
           "silence_detector", "status_update_reminders"]
