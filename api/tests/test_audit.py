"""The audit log (API.md "Audit log"): who did what, when, from where; owner only; append-only;
never a token, password or secret."""

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.models import AuditEvent
from accounts.tests.factories import PASSWORD
from api.models import TokenRole
from api.tests.conftest import client_with, issue

URL = "/api/v1/audit-log/"


def actions(workspace):
    return list(AuditEvent.objects.filter(workspace=workspace).order_by("id").values_list("action", flat=True))


def test_sign_ins_failures_and_token_changes_are_recorded_without_secrets(api_client, owner, workspace):
    api_client.post("/api/v1/auth/token/", {"email": owner.email, "password": "wrong-horse"}, format="json",
                    REMOTE_ADDR="203.0.113.9")
    key = api_client.post("/api/v1/auth/token/", {"email": owner.email, "password": PASSWORD},
                          format="json").json()["token"]
    client_with(key).delete("/api/v1/auth/token/")

    assert actions(workspace) == ["login_failed", "token_created", "login", "token_revoked"]
    failed = AuditEvent.objects.get(action="login_failed")
    assert (failed.actor_email, failed.ip) == (owner.email, "203.0.113.9")
    dump = " ".join(str(v) for row in AuditEvent.objects.values() for v in row.values())
    for secret in (key, key[:8], PASSWORD, "wrong-horse"):
        assert secret not in dump


def test_the_owner_lists_and_filters_newest_first(owner_api, owner, workspace, outsider, outsider_workspace):
    issue(outsider, outsider_workspace, TokenRole.OWNER)
    owner_api.get("/api/v1/engagements/987654/")  # denied: not in this workspace

    body = owner_api.get(URL).json()
    first = body["results"][0]
    assert set(first) == {"at", "actor", "action", "object_type", "object_id", "ip", "detail"}
    assert first["action"] == "access_denied" and first["actor"] == owner.email
    assert all(row["action"] != "token_created" or row["actor"] != outsider.email for row in body["results"])
    only = owner_api.get(f"{URL}?action=access_denied").json()["results"]
    assert {row["action"] for row in only} == {"access_denied"}
    assert owner_api.get(f"{URL}?action=nonsense").status_code == 400


def test_managers_and_freelancers_get_404(manager_api, freelancer_api):
    assert manager_api.get(URL).status_code == 404
    assert freelancer_api.get(URL).status_code == 404
    assert manager_api.get("/api/v1/audit-log.csv").status_code == 404


def test_the_owner_exports_a_formula_safe_csv(owner_api, owner, workspace):
    from accounts.audit import audit_record

    audit_record(workspace=workspace, action="freelancer_do_not_hire", actor=owner, object_type="freelancer",
                 object_id=1, detail="=HYPERLINK(\"http://evil\")")

    response = owner_api.get("/api/v1/audit-log.csv")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "at,actor,action,object_type,object_id,ip,detail"
    assert "'=HYPERLINK" in text


@pytest.mark.postgres
def test_the_log_is_append_only_in_the_database(owner, workspace):
    from accounts.audit import audit_record

    event = audit_record(workspace=workspace, action="login", actor=owner)
    for sql in ("UPDATE accounts_auditevent SET detail = 'x' WHERE id = %s",
                "DELETE FROM accounts_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])


def test_money_actions_do_not_hire_and_password_changes_are_recorded(owner_client, owner, workspace):
    from freelancers.services.freelancer import freelancer_mark_do_not_hire
    from freelancers.tests.factories import FreelancerFactory

    freelancer = FreelancerFactory(workspace=workspace)
    freelancer_mark_do_not_hire(freelancer=freelancer, actor=owner, reason="No-show")
    owner_client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "a-new-Passw0rd!x",
                                              "new_password2": "a-new-Passw0rd!x"})

    assert {"freelancer_do_not_hire", "password_changed"} <= set(actions(workspace))
