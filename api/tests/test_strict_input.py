"""Schema and server agree (schemathesis' negative_data_rejection and positive_data_acceptance):
what the schema forbids is refused with a 400 naming the problem, and the schema states every
limit the server enforces."""

import pytest

from engagements.tests.factories import EngagementFactory

SCHEMA_URL = "/api/v1/schema/"


@pytest.mark.parametrize("query", ["page_size=abc", "page_size=0", "page_size=101", "page=0", "page=x",
                                   "page_size=null&page_size=null"])
def test_a_bad_page_or_page_size_is_400_naming_it(owner_api, query):
    response = owner_api.get(f"/api/v1/notifications/?{query}")

    assert response.status_code == 400
    assert set(response.json()) & {"page", "page_size"}


@pytest.mark.parametrize("url", ["/api/v1/engagements/?status=", "/api/v1/invitations/?status=",
                                 "/api/v1/notifications/?status=", "/api/v1/freelancers/?timezone=",
                                 "/api/v1/freelancers/?status="])
def test_an_empty_filter_is_400_not_ignored(owner_api, url):
    response = owner_api.get(url)

    assert response.status_code == 400
    assert url.rsplit("?", 1)[1].rstrip("=") in response.json()


def test_a_number_is_not_a_string_nor_a_boolean(owner_api, workspace, owner):
    engagement = EngagementFactory(workspace=workspace, created_by=owner, status="active")

    message = owner_api.post(f"/api/v1/engagements/{engagement.pk}/messages/", {"body": 0}, format="json")
    patch = owner_api.patch(f"/api/v1/engagements/{engagement.pk}/", {"subcontracting_allowed": 0}, format="json")

    assert message.status_code == 400 and "body" in message.json()
    assert patch.status_code == 400 and "subcontracting_allowed" in patch.json()


def test_an_undeclared_method_is_405_whatever_the_role(owner_api):
    # A freelancer-only operation asked by an owner with a method it does not have: the method
    # is wrong before the role is.
    response = owner_api.generic("TRACE", "/api/v1/timesheets/1/submit/")

    assert response.status_code == 405


def test_the_schema_states_the_paging_bounds_and_every_length_limit(client, db):
    schema = client.get(SCHEMA_URL, {"format": "json"}).json()
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/notifications/"]["get"]["parameters"]}
    assert params["page"]["minimum"] == 1
    assert (params["page_size"]["minimum"], params["page_size"]["maximum"]) == (1, 100)
    days = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/agenda/"]["get"]["parameters"]}["days"]
    assert (days["minimum"], days["maximum"]) == (1, 60)

    unbounded = []
    for name, component in schema["components"]["schemas"].items():
        if not name.endswith("Request"):
            continue
        for field, prop in component.get("properties", {}).items():
            if prop.get("type") == "string" and not ({"maxLength", "enum"} & set(prop)) \
                    and prop.get("format") not in ("date", "date-time", "binary", "decimal"):
                unbounded.append(f"{name}.{field}")
    assert unbounded == []


def test_every_paginated_list_documents_its_400(client, db):
    schema = client.get(SCHEMA_URL, {"format": "json"}).json()
    undocumented = [path for path, ops in schema["paths"].items() for method, op in ops.items()
                    if isinstance(op, dict) and any(p.get("name") == "page" for p in op.get("parameters", []))
                    and "400" not in op["responses"]]
    assert undocumented == []


def test_a_string_longer_than_its_limit_is_refused_as_sent_not_after_trimming(owner_api, workspace):
    # Found by schemathesis: a name of 150 characters padded with spaces was over the schema's
    # maxLength, yet accepted (DRF measured it after trimming).
    padded = " " * 10 + "N" * 150
    response = owner_api.post("/api/v1/freelancers/", {"name": padded, "email": "pad@example.com"}, format="json")
    assert response.status_code == 400 and "name" in response.json()
    assert not workspace.freelancers.filter(email="pad@example.com").exists()
    fits = owner_api.post("/api/v1/freelancers/", {"name": "  " + "N" * 148, "email": "pad@example.com"},
                          format="json")
    assert fits.status_code == 201 and fits.json()["name"] == "N" * 148
