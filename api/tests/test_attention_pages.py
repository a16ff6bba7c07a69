"""`GET /api/v1/attention/` reads a page without building the whole list: the pages, put end to
end, are the whole list (most urgent first, snoozed items left out), the count that of all."""

from django.utils import timezone

from engagements.services.attention import attention_snooze
from outsourcing.tests.test_home_dashboard import _populate
from payments.selectors.attention import owner_attention


def test_the_attention_pages_are_the_whole_list_cut_in_pages_snoozes_left_out(owner_api, workspace, owner):
    _populate(workspace, 12)
    now = timezone.now()
    snoozed = [i.key for i in owner_attention(workspace, user=owner, now=now)[3:30:4]]
    for key in snoozed:
        attention_snooze(user=owner, workspace=workspace, key=key)
    whole = [i.key for i in owner_attention(workspace, user=owner, now=timezone.now())]
    assert len(whole) == 72 - len(snoozed) and not set(snoozed) & set(whole)

    pages, url = [], "/api/v1/attention/?page_size=10"
    while url:
        body = owner_api.get(url).json()
        assert body["count"] == len(whole)
        pages += [item["key"] for item in body["results"]]
        url = body["next"]
    assert pages == whole


def test_a_page_number_past_any_list_is_404_not_an_error(owner_api):
    response = owner_api.get("/api/v1/attention/", {"page": "76899104314337091649536"})
    assert response.status_code == 404 and response.json()["detail"]
