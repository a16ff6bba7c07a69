"""A JSON body nested absurdly deep is a malformed request (400 with a JSON body saying so) on
every class of endpoint, never a server error: the unauthenticated token endpoint, ordinary JSON
endpoints, and the money actions under an Idempotency-Key (whose request fingerprint walks the
body). Nothing is written for such a request."""

import io
import json

import pytest
from django.test import RequestFactory
from rest_framework import exceptions
from rest_framework.parsers import JSONParser as PlainJSONParser
from rest_framework.request import Request

from api.idempotency import request_fingerprint
from api.models import IdempotencyKey
from api.parsers import MAX_JSON_DEPTH, JSONParser
from engagements.models import MilestoneState
from engagements.services.transitions import milestone_transition
from freelancers.models import Freelancer
from payments import services
from payments.models import Transaction
from payments.tests.factories import EngagementFactory, MilestoneFactory

pytestmark = pytest.mark.django_db

# ~3 KB: past the interpreter's recursion limit, so the stdlib decoder itself gives up.
DEEPER_THAN_THE_DECODER = 1_500
# ~2 KB: the stdlib decodes it, but a recursive walk over the result does not survive it.
DEEPER_THAN_A_RECURSIVE_WALK = 1_000


def nested(depth, leaf=None):
    return "[" * depth + json.dumps(leaf) + "]" * depth


def body_with(depth, **fields):
    """A plausible body with one field nested `depth` levels deep."""
    return "{" + "".join(f"{json.dumps(k)}: {json.dumps(v)}, " for k, v in fields.items()) + \
        f'"extra": {nested(depth - 1)}' + "}"


def post_raw(client, url, raw, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(f"/api/v1{url}", raw, content_type="application/json", **headers)


def assert_nesting_refused(response):
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert f"nested deeper than {MAX_JSON_DEPTH} levels" in response.json()["detail"]


@pytest.mark.parametrize("depth", [DEEPER_THAN_A_RECURSIVE_WALK, DEEPER_THAN_THE_DECODER])
def test_the_unauthenticated_token_endpoint_refuses_deep_json(api_client, depth):
    response = post_raw(api_client, "/auth/token/", nested(depth))

    assert_nesting_refused(response)


@pytest.mark.parametrize("depth", [DEEPER_THAN_A_RECURSIVE_WALK, DEEPER_THAN_THE_DECODER])
def test_an_ordinary_json_endpoint_refuses_deep_json_and_creates_nothing(owner_api, depth):
    response = post_raw(owner_api, "/freelancers/", body_with(depth, name="Deep Diver", email="d@example.com"))

    assert_nesting_refused(response)
    assert not Freelancer.objects.exists()


def test_the_submit_endpoint_with_its_own_parsers_refuses_deep_json(freelancer_api, freelancer, workspace, owner):
    engagement = EngagementFactory(workspace=workspace, freelancer=freelancer)
    milestone = MilestoneFactory(engagement=engagement)
    services.milestone_fund(milestone=milestone, actor=owner, idempotency_key="fund-1")

    response = post_raw(freelancer_api, f"/milestones/{milestone.pk}/submit/",
                        body_with(DEEPER_THAN_THE_DECODER, message="Done", attest_own_work=True))

    assert_nesting_refused(response)
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.FUNDED


@pytest.fixture
def money(workspace, freelancer, owner):
    """An engagement with one milestone in escrow and one submitted for review."""
    engagement = EngagementFactory(workspace=workspace, freelancer=freelancer)
    funded = MilestoneFactory(engagement=engagement, title="Funded")
    submitted = MilestoneFactory(engagement=engagement, title="Submitted")
    for i, milestone in enumerate((funded, submitted)):
        services.milestone_fund(milestone=milestone, actor=owner, idempotency_key=f"fund-{i}")
    milestone_transition(milestone_id=submitted.pk, to_state="submitted")
    services.review_clock_start(milestone_id=submitted.pk)
    return engagement, funded, submitted


@pytest.mark.parametrize("depth", [DEEPER_THAN_A_RECURSIVE_WALK, DEEPER_THAN_THE_DECODER])
def test_keyed_money_actions_refuse_deep_json_and_move_no_money(owner_api, money, depth):
    engagement, funded, submitted = money
    before = Transaction.objects.count()
    actions = [
        (f"/engagements/{engagement.pk}/bonuses/", {"amount": 5_000, "note": "Thanks"}),
        (f"/milestones/{submitted.pk}/release/", {}),
        (f"/milestones/{funded.pk}/refund/", {"reason": "Cancelled"}),
    ]
    for i, (url, fields) in enumerate(actions):
        response = post_raw(owner_api, url, body_with(depth, **fields), key=f"deep-{depth}-{i}")
        assert_nesting_refused(response)

    assert Transaction.objects.count() == before
    assert not IdempotencyKey.objects.exists()
    funded.refresh_from_db()
    submitted.refresh_from_db()
    assert (funded.state, submitted.state) == (MilestoneState.FUNDED, MilestoneState.SUBMITTED)


def test_a_body_at_the_limit_is_still_read(api_client):
    # Nested exactly as deep as allowed: the endpoint answers about the credentials, not nesting.
    response = post_raw(api_client, "/auth/token/",
                        body_with(MAX_JSON_DEPTH, email="nobody@example.com", password="wrong-password"))

    assert response.status_code == 400
    assert "nested" not in json.dumps(response.json())


def test_the_parser_refuses_one_level_more_than_the_limit():
    parser = JSONParser()
    for depth, ok in ((MAX_JSON_DEPTH, True), (MAX_JSON_DEPTH + 1, False)):
        stream = io.BytesIO(nested(depth).encode())
        if ok:
            parser.parse(stream)
        else:
            with pytest.raises(exceptions.ParseError):
                parser.parse(stream)


def test_the_fingerprint_refuses_deep_data_whatever_parsed_it(owner, workspace):
    # A view with its own parser list (the stdlib-backed one) hands the fingerprint deep data:
    # it answers 400, not RecursionError.
    django_request = RequestFactory().post("/api/v1/x/", nested(DEEPER_THAN_A_RECURSIVE_WALK),
                                           content_type="application/json")
    request = Request(django_request, parsers=[PlainJSONParser()])

    with pytest.raises(exceptions.ParseError, match=f"nested deeper than {MAX_JSON_DEPTH} levels"):
        request_fingerprint(request)
