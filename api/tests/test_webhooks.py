"""The webhook API: owner tokens only (managers and freelancers 404), another workspace's
endpoints 404, the secret in the creation answer only, SSRF targets refused with 400."""

import logging

import pytest

from notifications.models import WebhookEndpoint
from notifications.webhooks.services import webhook_emit, webhook_endpoint_create

URL = "/api/v1/webhook-endpoints/"
PUBLIC = "https://hooks.example.invalid/x"  # .invalid never resolves: nothing leaves the machine


def create(api, url=PUBLIC, events=("milestone.funded",), **extra):
    return api.post(URL, {"url": url, "events": list(events), **extra}, format="json")


def test_the_secret_is_in_the_creation_answer_only(owner_api, caplog):
    caplog.set_level(logging.DEBUG)
    created = create(owner_api, description="Our CRM")

    assert created.status_code == 201, created.json()
    secret = created.json()["secret"]
    assert secret.startswith("whsec_") and created["Cache-Control"] == "no-store"
    pk = created.json()["id"]
    for response in (owner_api.get(URL), owner_api.get(f"{URL}{pk}/"),
                     owner_api.patch(f"{URL}{pk}/", {"description": "CRM"}, format="json")):
        assert response.status_code == 200
        assert "secret" not in response.content.decode().replace("previous_secret_expires_at", "")
        assert secret not in response.content.decode()
    stored = WebhookEndpoint.objects.get(pk=pk)
    assert secret not in stored.secret_encrypted
    assert secret not in caplog.text


def test_rotating_answers_a_new_secret_and_when_the_old_one_stops_signing(owner_api):
    pk = create(owner_api).json()["id"]

    rotated = owner_api.post(f"{URL}{pk}/rotate-secret/")

    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_")
    assert owner_api.get(f"{URL}{pk}/").json()["previous_secret_expires_at"] == \
        rotated.json()["previous_secret_expires_at"]


@pytest.mark.parametrize("target", ["https://127.0.0.1/x", "https://10.0.0.1/x", "https://169.254.169.254/x",
                                    "https://[::1]/x", "https://localhost/x", "http://hooks.example.com/x"])
def test_a_private_or_plain_http_target_is_a_400_on_url(owner_api, target):
    response = create(owner_api, url=target)

    assert response.status_code == 400
    assert "url" in response.json()
    assert not WebhookEndpoint.objects.exists()


def test_unknown_or_no_event_types_are_refused(owner_api):
    assert "events" in create(owner_api, events=["milestone.eaten"]).json()
    assert "events" in create(owner_api, events=[]).json()


def test_managers_and_freelancers_get_404(manager_api, freelancer_api, workspace, owner):
    endpoint, _ = webhook_endpoint_create(workspace=workspace, actor=owner, url=PUBLIC, events=["milestone.funded"])
    for api in (manager_api, freelancer_api):
        assert api.get(URL).status_code == 404
        assert create(api).status_code == 404
        assert api.get(f"{URL}{endpoint.pk}/").status_code == 404


def test_another_workspaces_endpoints_and_deliveries_are_404(owner_api, outsider_api):
    pk = create(owner_api).json()["id"]
    test = owner_api.post(f"{URL}{pk}/test/")
    assert test.status_code == 202
    delivery = test.json()["id"]

    assert outsider_api.get(URL).json()["count"] == 0
    for method, path in [("get", f"{URL}{pk}/"), ("patch", f"{URL}{pk}/"), ("delete", f"{URL}{pk}/"),
                         ("post", f"{URL}{pk}/rotate-secret/"), ("post", f"{URL}{pk}/test/"),
                         ("get", f"{URL}{pk}/deliveries/"),
                         ("post", f"/api/v1/webhook-deliveries/{delivery}/redeliver/")]:
        assert getattr(outsider_api, method)(path, {}, format="json").status_code == 404, path
    assert WebhookEndpoint.objects.filter(pk=pk).exists()


def test_the_delivery_log_lists_attempts_and_redeliver_queues_it_again(owner_api, workspace):
    pk = create(owner_api).json()["id"]
    event = webhook_emit(workspace_id=workspace.pk, type="milestone.funded", data={"milestone": {"id": 1}})

    log = owner_api.get(f"{URL}{pk}/deliveries/")

    assert log.status_code == 200 and log.json()["count"] == 1
    row = log.json()["results"][0]
    assert row["event_id"] == event.uid and row["event_type"] == "milestone.funded"
    assert row["status"] == "pending" and row["attempt"] == 0 and row["log"] == []
    again = owner_api.post(f"/api/v1/webhook-deliveries/{row['id']}/redeliver/")
    assert again.status_code == 202 and again.json()["status"] == "pending"


def test_turning_an_endpoint_off_stops_tests_and_redeliveries(owner_api):
    pk = create(owner_api).json()["id"]

    off = owner_api.patch(f"{URL}{pk}/", {"active": False}, format="json")

    assert off.status_code == 200 and off.json()["active"] is False
    assert off.json()["disabled_reason"] == "Turned off by its owner."
    assert owner_api.post(f"{URL}{pk}/test/").status_code == 409
    assert owner_api.delete(f"{URL}{pk}/").status_code == 204
    assert owner_api.get(f"{URL}{pk}/").status_code == 404


def test_a_workspace_holds_at_most_twenty_endpoints(owner_api):
    for _ in range(20):
        assert create(owner_api).status_code == 201

    refused = create(owner_api)

    assert refused.status_code == 409
    assert "at most 20" in refused.json()["detail"]
