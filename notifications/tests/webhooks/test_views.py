"""The owner's webhook pages: add an endpoint (secret shown once), the delivery log with
redeliver, rotate, test, turn off; owners only, another workspace's endpoints 404."""

from django.urls import reverse

from notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from notifications.webhooks.services import webhook_emit, webhook_endpoint_create

PUBLIC = "https://hooks.example.invalid/x"


def test_adding_an_endpoint_shows_its_secret_once(owner_client):
    response = owner_client.post(reverse("webhooks:create"), {
        "url": PUBLIC, "description": "CRM", "events": ["milestone.funded", "milestone.released"]})

    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    secret = response.context["secret"]
    assert secret.startswith("whsec_") and secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert endpoint.events == ["milestone.funded", "milestone.released"]
    for page in (reverse("webhooks:list"), reverse("webhooks:detail", args=[endpoint.pk]),
                 reverse("webhooks:edit", args=[endpoint.pk])):
        assert secret not in owner_client.get(page).content.decode()


def test_a_loopback_target_is_refused_on_the_form(owner_client):
    response = owner_client.post(reverse("webhooks:create"), {"url": "https://127.0.0.1/x",
                                                              "events": ["milestone.funded"]})

    assert response.status_code == 200
    assert "private, loopback" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_shows_deliveries_and_redeliver_queues_one_again(owner_client, workspace, owner):
    endpoint, _ = webhook_endpoint_create(workspace=workspace, actor=owner, url=PUBLIC, events=["milestone.funded"])
    event = webhook_emit(workspace_id=workspace.pk, type="milestone.funded", data={})
    delivery = event.deliveries.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, last_error="Answered 500.")

    page = owner_client.get(reverse("webhooks:detail", args=[endpoint.pk]))
    assert event.uid in page.content.decode() and "Answered 500." in page.content.decode()

    response = owner_client.post(reverse("webhooks:redeliver", args=[delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING


def test_rotate_test_and_turn_off(owner_client, workspace, owner):
    endpoint, first = webhook_endpoint_create(workspace=workspace, actor=owner, url=PUBLIC,
                                              events=["milestone.funded"])

    rotated = owner_client.post(reverse("webhooks:rotate", args=[endpoint.pk]))
    assert rotated.context["secret"] != first and rotated.context["rotated"]
    owner_client.post(reverse("webhooks:test", args=[endpoint.pk]))
    assert endpoint.deliveries.get().event.type == "webhook.test"
    owner_client.post(reverse("webhooks:toggle", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert not endpoint.active


def test_managers_get_404_and_another_workspaces_endpoint_is_404(manager_client, workspace, owner, outsider,
                                                                   client):
    endpoint, _ = webhook_endpoint_create(workspace=workspace, actor=owner, url=PUBLIC, events=["milestone.funded"])
    assert manager_client.get(reverse("webhooks:list")).status_code == 404
    assert manager_client.get(reverse("webhooks:detail", args=[endpoint.pk])).status_code == 404

    client.force_login(outsider)
    for name in ("detail", "edit"):
        assert client.get(reverse(f"webhooks:{name}", args=[endpoint.pk])).status_code == 404
    for name in ("rotate", "toggle", "test", "delete"):
        assert client.post(reverse(f"webhooks:{name}", args=[endpoint.pk])).status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).exists()


def test_the_workspace_settings_lead_the_owner_to_webhooks(owner_client):
    page = owner_client.get(reverse("accounts:workspace_settings")).content.decode()

    assert reverse("webhooks:list") in page
