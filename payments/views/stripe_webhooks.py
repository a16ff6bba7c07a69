"""Stripe's webhooks in: `POST /webhooks/stripe/` (the platform's own events) and
`/webhooks/stripe/connect/` (events on the freelancers' connected accounts).

No login and no CSRF token: the `Stripe-Signature` over the raw body is the authentication,
checked against every active secret (a secret being rolled is listed beside the new one), with
a 300-second tolerance. Missing, bad or stale: 400. Valid: the event is stored by its id and
200 answered at once, also for a duplicate or a type we do not act on; the work is a task's
(payments.services.provider_events). Off the platform, or without a secret for the endpoint,
there is no such endpoint: 404.
"""


import stripe
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..providers import payments_provider, stripe_enabled
from ..services.provider_events import provider_event_store

MAX_BODY = 512 * 1024


def _receive(request, *, connect):
    if not stripe_enabled():
        raise Http404
    provider = payments_provider()
    if not (provider.connect_webhook_secrets if connect else provider.webhook_secrets):
        raise Http404
    if len(request.body) > MAX_BODY:
        return JsonResponse({"detail": "The body is too large for a Stripe event."}, status=400)
    try:
        event = provider.event_verify(payload=request.body, header=request.headers.get("Stripe-Signature"),
                                      connect=connect)
    except stripe.SignatureVerificationError:
        return JsonResponse({"detail": "The Stripe-Signature is missing, does not match, or is too old."}, status=400)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"detail": "The body is not a JSON event."}, status=400)
    if not isinstance(event, dict) or not event.get("id") or event.get("object") != "event":
        return JsonResponse({"detail": "The body is not a Stripe event."}, status=400)
    _, created = provider_event_store(event=event, connect=connect)
    return JsonResponse({"received": True, "duplicate": not created})


@csrf_exempt
@require_POST
def stripe_events(request):
    return _receive(request, connect=False)


@csrf_exempt
@require_POST
def stripe_connect_events(request):
    return _receive(request, connect=True)


