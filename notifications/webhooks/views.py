"""The owner's webhook pages (workspace settings → Webhooks): owners only, like the audit log
and API tokens, since an endpoint receives data about every engagement and holds a secret."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import get_for_workspace, owner_required

from ..models import WebhookDelivery, WebhookEndpoint
from . import selectors, services
from .events import EVENT_TYPES
from .forms import WebhookEndpointForm

PAGE_SIZE = 25


def _form_errors(form, exc):
    for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def _secret_page(request, endpoint, secret, *, rotated):
    """The only page that ever shows the secret: not cached, not redirected to."""
    response = render(request, "notifications/webhooks/secret.html",
                      {"endpoint": endpoint, "secret": secret, "rotated": rotated})
    response["Cache-Control"] = "no-store"
    return response


@owner_required
def endpoint_list(request):
    return render(request, "notifications/webhooks/list.html",
                  {"endpoints": selectors.workspace_endpoints(request.workspace), "catalogue": EVENT_TYPES})


@never_cache
@owner_required
def endpoint_create(request):
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.webhook_endpoint_create(workspace=request.workspace, actor=request.user,
                                                                **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        except services.WebhookConflict as exc:
            form.add_error(None, str(exc))
        else:
            return _secret_page(request, endpoint, secret, rotated=False)
    return render(request, "notifications/webhooks/form.html", {"form": form})


@owner_required
def endpoint_detail(request, pk):
    endpoint = get_for_workspace(request, WebhookEndpoint, pk=pk)
    page = Paginator(selectors.endpoint_deliveries(endpoint), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/webhooks/detail.html", {"endpoint": endpoint, "page": page})


@owner_required
def endpoint_edit(request, pk):
    endpoint = get_for_workspace(request, WebhookEndpoint, pk=pk)
    initial = {"url": endpoint.url, "description": endpoint.description, "events": endpoint.events}
    form = WebhookEndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_endpoint_update(endpoint=endpoint, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Endpoint saved.")
            return redirect("webhooks:detail", pk=endpoint.pk)
    return render(request, "notifications/webhooks/form.html", {"form": form, "endpoint": endpoint})


@never_cache
@require_POST
@owner_required
def endpoint_rotate(request, pk):
    endpoint = get_for_workspace(request, WebhookEndpoint, pk=pk)
    secret = services.webhook_endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
    return _secret_page(request, endpoint, secret, rotated=True)


@require_POST
@owner_required
def endpoint_toggle(request, pk):
    endpoint = get_for_workspace(request, WebhookEndpoint, pk=pk)
    services.webhook_endpoint_update(endpoint=endpoint, actor=request.user, active=not endpoint.active)
    messages.success(request, "Endpoint turned on." if endpoint.active else "Endpoint turned off.")
    return redirect("webhooks:detail", pk=endpoint.pk)


@require_POST
@owner_required
def endpoint_test(request, pk):
    endpoint = get_for_workspace(request, WebhookEndpoint, pk=pk)
    try:
        services.webhook_test_send(endpoint=endpoint, actor=request.user)
    except services.WebhookConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Test event queued; its delivery appears below.")
    return redirect("webhooks:detail", pk=endpoint.pk)


@require_POST
@owner_required
def endpoint_delete(request, pk):
    endpoint = get_for_workspace(request, WebhookEndpoint, pk=pk)
    services.webhook_endpoint_delete(endpoint=endpoint, actor=request.user)
    messages.success(request, "Endpoint deleted.")
    return redirect("webhooks:list")


@require_POST
@owner_required
def delivery_redeliver(request, pk):
    delivery = get_for_workspace(request, WebhookDelivery.objects.select_related("endpoint"), pk=pk,
                                 workspace_path="endpoint__workspace")
    try:
        services.webhook_delivery_redeliver(delivery=delivery, actor=request.user)
    except services.WebhookConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Redelivery queued.")
    return redirect("webhooks:detail", pk=delivery.endpoint_id)
