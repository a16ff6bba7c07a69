"""Money back after a release through the API: the owner asks (`refund-request`), the
freelancer gives (`refund-released`, an Idempotency-Key money action); other tokens get 404."""

import pytest

from payments.models import RefundRequest, ReleasedRefund, Transaction

from .conftest import post

pytestmark = pytest.mark.django_db


def test_the_owner_asks_and_the_freelancer_gives_part_back(owner_api, freelancer_api, released):
    ask = post(owner_api, f"/milestones/{released.pk}/refund-request/", {"reason": "Half the pages", "amount": 75_000},
               key=None)
    assert ask.status_code == 200, ask.json()
    assert ask.json()["status"] == "open" and ask.json()["amount"] == 75_000

    given = post(freelancer_api, f"/milestones/{released.pk}/refund-released/", {"amount": 75_000, "reason": "OK"},
                 key="give-1")
    assert given.status_code == 200, given.json()
    body = given.json()
    assert body["refund"]["status"] == "refunded" and body["refund"]["from_payable"] == 75_000
    assert body["milestone"]["state"] == "released" and body["refund"]["transaction"]
    again = post(freelancer_api, f"/milestones/{released.pk}/refund-released/", {"amount": 75_000, "reason": "OK"},
                 key="give-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert Transaction.objects.filter(kind="refund_released").count() == 1
    assert RefundRequest.objects.get().status == "refunded"


def test_too_much_is_409_naming_what_is_left_and_bad_input_400(freelancer_api, released):
    too_much = post(freelancer_api, f"/milestones/{released.pk}/refund-released/", {"amount": 150_001}, key="a")
    assert too_much.status_code == 409 and "At most 1,500.00 USD is left" in too_much.json()["detail"]
    bad = post(freelancer_api, f"/milestones/{released.pk}/refund-released/", {"amount": 0}, key="b")
    assert bad.status_code == 400 and "amount" in bad.json()
    no_key = post(freelancer_api, f"/milestones/{released.pk}/refund-released/", {"amount": 10}, key=None)
    assert no_key.status_code == 400
    assert not ReleasedRefund.objects.exists() and not Transaction.objects.filter(kind="refund_released").exists()


def test_others_get_404(owner_api, manager_api, outsider_api, freelancer_api, released):
    # The owner cannot give the freelancer's money back for them; another workspace sees nothing.
    for client in (owner_api, manager_api, outsider_api):
        answer = post(client, f"/milestones/{released.pk}/refund-released/", {"amount": 10}, key="x")
        assert answer.status_code == 404
    assert post(outsider_api, f"/milestones/{released.pk}/refund-request/", {"reason": "Mine"},
                key=None).status_code == 404
    assert post(freelancer_api, f"/milestones/{released.pk}/refund-request/", {"reason": "Mine"},
                key=None).status_code == 404
    assert not ReleasedRefund.objects.exists() and not RefundRequest.objects.exists()
