"""The Idempotency-Key mechanism, through a test-only money-like action mounted by this module's
own urlconf (no production endpoint is faked). The action creates a Workspace row, so "ran
twice" and "rolled back" are visible in the database."""

import io
import json
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import path
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from accounts.models import Membership, Role, Workspace
from api.exceptions import Conflict
from api.idempotency import idempotent, request_fingerprint
from api.models import ApiToken, IdempotencyKey, TokenRole
from api.permissions import IsWorkspaceStaff
from api.tasks import purge_idempotency_keys
from api.tests.conftest import client_with, issue

URL = "/t/payouts/"


class PayoutSerializer(serializers.Serializer):
    reference = serializers.SlugField()
    amount = serializers.IntegerField(min_value=1)


class Behaviour:
    """Switches the test view reads: fail the next N calls; block until released."""

    failures_left = 0
    started = threading.Event()
    release = threading.Event()


class PayoutView(APIView):
    permission_classes = [IsWorkspaceStaff]

    @idempotent
    def post(self, request):
        payload = PayoutSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        created = Workspace.objects.create(name=f"Payout {data['reference']}", slug=data["reference"])
        if request.query_params.get("block"):
            Behaviour.started.set()
            assert Behaviour.release.wait(timeout=20)
        if Behaviour.failures_left:
            Behaviour.failures_left -= 1
            raise Conflict("The gateway refused the transfer.")
        return Response({"payout": created.pk, "amount": data["amount"], "at": timezone.now()},
                        status=status.HTTP_201_CREATED)


urlpatterns = [path(URL.strip("/") + "/", PayoutView.as_view())]

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def _reset_behaviour():
    Behaviour.failures_left = 0
    Behaviour.started = threading.Event()
    Behaviour.release = threading.Event()
    yield
    Behaviour.release.set()


def pay(client, key="key-1", reference="pay-1", amount=1500, raw=None, **extra):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    body = raw if raw is not None else json.dumps({"reference": reference, "amount": amount})
    return client.post(URL, body, content_type="application/json", **headers, **extra)


def payouts():
    return Workspace.objects.filter(name__startswith="Payout ").count()


def test_a_retry_with_the_same_key_and_body_replays_the_first_response_and_does_nothing(owner_api):
    first = pay(owner_api)
    assert first.status_code == 201
    assert payouts() == 1

    # Same body, other key order and spacing: the same request.
    again = pay(owner_api, raw='{ "amount": 1500,  "reference": "pay-1" }')

    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert payouts() == 1
    record = IdempotencyKey.objects.get()
    assert (record.key, record.method, record.path, record.response_status) == ("key-1", "POST", URL, 201)


def test_the_same_key_with_a_different_body_is_422(owner_api):
    pay(owner_api, amount=1500)

    response = pay(owner_api, amount=9999)

    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert payouts() == 1


def test_the_same_key_on_another_path_or_query_is_422(owner_api):
    pay(owner_api)

    assert pay(owner_api, QUERY_STRING="currency=EUR").status_code == 422


def test_a_missing_key_is_400_and_nothing_happens(owner_api):
    response = pay(owner_api, key=None)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert payouts() == 0
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["", "x" * 256, "clé-accentuée"])
def test_a_malformed_key_is_400(owner_api, key):
    response = pay(owner_api, key=key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert payouts() == 0


def test_a_key_of_255_characters_is_fine(owner_api):
    assert pay(owner_api, key="k" * 255).status_code == 201


def test_the_same_key_from_the_same_user_in_another_workspace_is_422(owner_api, owner, outsider_workspace):
    Membership.objects.create(user=owner, workspace=outsider_workspace, role=Role.MANAGER)
    elsewhere = client_with(issue(owner, outsider_workspace, TokenRole.MANAGER))
    assert pay(owner_api).status_code == 201

    assert pay(elsewhere).status_code == 422
    assert payouts() == 1


def test_keys_are_scoped_to_the_user(owner_api, manager_api):
    assert pay(owner_api, key="shared", reference="by-owner").status_code == 201

    response = pay(manager_api, key="shared", reference="by-manager")

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert payouts() == 2


def test_an_action_that_raises_leaves_no_marker_so_the_retry_runs(owner_api):
    Behaviour.failures_left = 1

    failed = pay(owner_api)

    assert failed.status_code == 409
    assert failed.json() == {"detail": "The gateway refused the transfer."}
    assert not IdempotencyKey.objects.exists()
    assert payouts() == 0  # the action's own writes were rolled back with it

    retry = pay(owner_api)
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert payouts() == 1


def test_invalid_input_is_not_remembered(owner_api):
    assert pay(owner_api, amount=0).status_code == 400
    assert not IdempotencyKey.objects.exists()

    assert pay(owner_api, amount=10).status_code == 201


def _fingerprint(user, amount=1500, reference="pay-1"):
    """The fingerprint the test client's request will have (as made with the user's token)."""
    raw = APIRequestFactory().post(URL, {"reference": reference, "amount": amount}, format="json")
    request = Request(raw, parsers=[JSONParser()])
    request.auth = ApiToken.objects.get(user=user)
    return request_fingerprint(request)


def test_a_fresh_in_flight_marker_answers_409(owner_api, owner):
    IdempotencyKey.objects.create(user=owner, key="key-1", method="POST", path=URL,
                                  request_hash=_fingerprint(owner))

    response = pay(owner_api)

    assert response.status_code == 409
    assert "still being processed" in response.json()["detail"]
    assert payouts() == 0


def test_an_abandoned_marker_is_taken_over(owner_api, owner):
    IdempotencyKey.objects.create(
        user=owner, key="key-1", method="POST", path=URL, request_hash=_fingerprint(owner),
        created_at=timezone.now() - timedelta(minutes=30),
    )

    response = pay(owner_api)

    assert response.status_code == 201
    assert payouts() == 1
    assert IdempotencyKey.objects.get().response_status == 201


def test_an_abandoned_marker_for_a_different_body_is_still_422(owner_api, owner):
    IdempotencyKey.objects.create(
        user=owner, key="key-1", method="POST", path=URL, request_hash=_fingerprint(owner, amount=1),
        created_at=timezone.now() - timedelta(minutes=30),
    )

    assert pay(owner_api).status_code == 422


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_request_with_the_same_key_gets_409_while_the_first_runs(workspace, owner):
    key = issue(owner, workspace, TokenRole.OWNER)
    results = {}

    def first_request():
        try:
            results["first"] = pay(client_with(key), QUERY_STRING="block=1")
        finally:
            connection.close()

    thread = threading.Thread(target=first_request)
    thread.start()
    try:
        assert Behaviour.started.wait(timeout=20), "the first request never started its action"
        # The first request's marker is committed, its action is running (uncommitted).
        concurrent = pay(client_with(key), QUERY_STRING="block=1")
        different = pay(client_with(key), amount=1, QUERY_STRING="block=1")
    finally:
        Behaviour.release.set()
        thread.join(timeout=30)

    assert concurrent.status_code == 409
    assert different.status_code == 422
    assert results["first"].status_code == 201
    replay = pay(client_with(key), QUERY_STRING="block=1")
    assert replay.status_code == 201
    assert replay.json() == results["first"].json()
    assert payouts() == 1


def test_housekeeping_forgets_keys_after_48_hours(owner):
    now = timezone.now()
    for hours in (1, 25, 47, 49, 100):
        IdempotencyKey.objects.create(user=owner, key=f"k{hours}", method="POST", path=URL,
                                      request_hash="x", created_at=now - timedelta(hours=hours))

    assert purge_idempotency_keys() == 2

    assert sorted(IdempotencyKey.objects.values_list("key", flat=True)) == ["k1", "k25", "k47"]


def test_the_purge_runs_from_beat_and_manage_py_sweep(owner):
    IdempotencyKey.objects.create(user=owner, key="old", method="POST", path=URL, request_hash="x",
                                  created_at=timezone.now() - timedelta(hours=72))
    out = io.StringIO()

    call_command("sweep", "purge-idempotency-keys", stdout=out)

    assert "purge-idempotency-keys: 1" in out.getvalue()
    assert not IdempotencyKey.objects.exists()


def test_the_schema_documents_the_header_and_its_errors():
    schema = SchemaGenerator(patterns=urlpatterns).get_schema(request=None, public=True)

    operation = schema["paths"][URL]["post"]
    header = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and header["required"] is True
    assert {"400", "401", "409", "422"} <= set(operation["responses"])
