"""Read one raw RFC 5322 email from standard input and turn it into a message (a reply to a
missed-message email), for a mail server without a supported provider webhook, e.g. Postfix:
`reply: "|/srv/app/.venv/bin/python /srv/app/manage.py inbound_email"`.

Exit status, as mail servers read it: 0 when it became a message (or was seen before); 65
(EX_DATAERR) for an email too big or malformed; 77 (EX_NOPERM) for one refused (not a genuine
reply address, another sender, someone no longer in the thread). Every refusal is logged and
recorded (InboundEmail), so the server's bounce is not the only trace.
"""

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from engagements.models import InboundStatus
from engagements.services.inbound import inbound_email_receive


class Command(BaseCommand):
    help = "Read one raw email (RFC 5322) from standard input and post it as a reply in its conversation."

    def handle(self, *args, **options):
        # Read at most one byte past the limit: enough to know it is too big, no more.
        raw = sys.stdin.buffer.read(settings.INBOUND_EMAIL_MAX_BYTES + 1)
        row, created = inbound_email_receive(via="command", raw=raw)
        if row.status == InboundStatus.ACCEPTED:
            self.stdout.write(f"Posted as message {row.message_id}." if created else "Already received; nothing new.")
            return
        self.stderr.write(f"Refused: {row.reason}")
        data_error = row.reason.startswith(("too big", "malformed"))
        raise SystemExit(os.EX_DATAERR if data_error else os.EX_NOPERM)
