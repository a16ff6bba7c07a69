"""Inbound email webhooks: a provider posts each email sent to a reply address here, in its own
shape. django-anymail's inbound webhook views read every shape it supports (Amazon SES, Brevo,
MailerSend, Mailgun, Mailjet, Mailtrap, Postal, Postmark, Resend, SendGrid, SparkPost…) into one
normalised message and check the provider's authentication (HTTP basic auth with
INBOUND_EMAIL_WEBHOOK_SECRET, Mailgun's signature); instead of anymail's signal, each view here
hands the message straight to the one action, `inbound_email_receive`.

Without a configured secret every webhook answers 404 (fail closed). An email too big for
INBOUND_EMAIL_MAX_BYTES answers 413 so the provider bounces it; an email that is refused for
what it says (forged address, sender no longer in the thread…) is recorded and logged and
answers 200, since sending it again cannot change the answer.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse

from ..services.inbound import inbound_email_receive

log = logging.getLogger(__name__)


class InboundToMessage:
    """Mixed in before an anymail inbound webhook view: the same validation and parsing, then
    one call to the action per email, no signal."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.INBOUND_EMAIL_WEBHOOK_SECRET:
            raise Http404("Inbound email is not configured")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        # Base64 and JSON wrapping make a provider's post bigger than the email, never twice as big;
        # an email within that but over the limit is refused (and recorded) by the action.
        if length > settings.INBOUND_EMAIL_MAX_BYTES * 2:
            log.warning("Inbound email via %s refused: %s bytes posted", self.esp_name, length)
            return HttpResponse("Too big", status=413)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.run_validators(request)
        try:
            events = self.parse_events(request)
        except RequestDataTooBig:
            log.warning("Inbound email via %s refused: too big to read", self.esp_name)
            return HttpResponse("Too big", status=413)
        for event in events:
            inbound_email_receive(via=self.esp_name, message=event.message)
        return HttpResponse()
