"""The owner's audit log page: newest first, filtered by action, exported as CSV; owners only."""

import pytest

from accounts.audit import audit_record

pytestmark = pytest.mark.django_db
URL = "/accounts/workspace/audit-log/"


def test_the_owner_sees_and_exports_the_log(owner_client, owner, workspace, outsider):
    audit_record(workspace=workspace, action="token_created", actor=owner, object_type="apitoken", object_id=7)
    owner_client.get("/freelancers/987654/")  # denied: recorded

    page = owner_client.get(URL).content.decode()
    assert "access_denied" in page and "token_created" in page and owner.email in page
    assert page.index("access_denied") < page.index("<code>token_created")  # newest first
    filtered = owner_client.get(URL, {"action": "token_created"}).content.decode()
    assert "<code>access_denied" not in filtered
    csv = owner_client.get(URL, {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and "token_created" in csv.content.decode("utf-8-sig")


def test_a_manager_gets_404(manager_client):
    assert manager_client.get(URL).status_code == 404


def test_the_profile_links_to_it_for_the_owner(owner_client):
    assert URL in owner_client.get("/accounts/profile/").content.decode()
