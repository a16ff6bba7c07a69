"""The inbound email webhooks, mounted at /inbound-email/ (outsourcing/urls.py): one per mail
provider django-anymail reads, at anymail's own path (`postmark/inbound/`, `mailgun/inbound/`…),
each anymail view wrapped so the email goes to `inbound_email_receive` (views/inbound.py)."""

from anymail import urls as anymail_urls
from django.urls import path, re_path

from .views.inbound import InboundToMessage


def _inbound_patterns():
    """One pattern per anymail inbound webhook, at anymail's own path, with its view class
    wrapped in InboundToMessage."""
    found = []
    for pattern in anymail_urls.urlpatterns:
        view_class = getattr(pattern.callback, "view_class", None)
        if not pattern.name or not pattern.name.endswith("_inbound_webhook") or view_class is None:
            continue
        wrapped = type(f"{view_class.__name__}ToMessage", (InboundToMessage, view_class), {})
        route = str(pattern.pattern)
        maker = re_path if route.startswith("^") else path
        found.append(maker(route, wrapped.as_view(), name=pattern.name.removesuffix("_webhook")))
    return found


app_name = "inbound_email"
urlpatterns = _inbound_patterns()
