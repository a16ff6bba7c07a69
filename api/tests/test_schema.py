import io
import re

import pytest
from django.core.management import call_command

SCHEMA_URL = "/api/v1/schema/"
DOCS_URL = "/api/v1/docs/"


def test_the_schema_generates_without_warnings_or_errors(tmp_path):
    # --fail-on-warn turns any warning drf-spectacular has (an unannotated view, a field it
    # cannot type) into an error; --validate checks the result against the OpenAPI 3 spec.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"),
                 stderr=io.StringIO())

    assert "openapi: 3." in (tmp_path / "schema.yaml").read_text()


def test_the_schema_endpoint_serves_openapi_3_with_every_endpoint(client, db):
    response = client.get(SCHEMA_URL, {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/auth/token/", "/api/v1/me/", "/api/v1/notifications/"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["Token"]["name"] == "Authorization"
    token = schema["paths"]["/api/v1/auth/token/"]
    assert token["post"].get("security") in (None, [], [{}])
    assert {"200", "400", "429"} <= set(token["post"]["responses"])
    assert {"200", "400", "401", "404"} <= set(schema["paths"]["/api/v1/notifications/"]["get"]["responses"])


def test_the_docs_page_uses_only_local_assets_under_a_csp_without_other_origins(client, db):
    response = client.get(DOCS_URL)

    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(src.startswith("/") for src in sources), sources
    assert "<script>" not in html  # the init script is a separate same-origin file
    csp = response["Content-Security-Policy"]
    assert "http:" not in csp and "https:" not in csp and "*" not in csp
    assert "script-src 'self'" in csp
    assert "unsafe-eval" not in csp

    script = client.get(DOCS_URL, {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert SCHEMA_URL in script.content.decode()


def live_server_schema_paths(base):
    import json
    from urllib.request import urlopen

    with urlopen(f"{base}{SCHEMA_URL}?format=json", timeout=30) as response:
        return set(json.load(response)["paths"])


@pytest.mark.browser
def test_the_docs_render_in_chromium_without_csp_violations(live_server, page):
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)

    page.goto(live_server.url + DOCS_URL)

    page.locator(".opblock").first.wait_for(timeout=15000)
    # Operations are drawn (the first ones, in the page's text) and the UI holds every path of the
    # schema. Past the size the schema has reached, Swagger UI draws the rest lazily, so the later
    # operations are asked of the loaded spec, not read from the page.
    assert "/api/v1/agenda/" in page.locator("#swagger-ui").inner_text()
    loaded = page.evaluate("() => ui.specSelectors.paths().keySeq().toArray()")
    served = live_server_schema_paths(live_server.url)
    assert {"/api/v1/auth/token/", "/api/v1/notifications/"} <= set(loaded) and set(loaded) == served
    assert page.locator("button.authorize").count() == 1
    assert violations == []


def test_every_list_is_documented_as_the_page_it_answers_with(client, db):
    # API.md: every list is paginated ({count, next, previous, results}); a schema that says
    # "array" for one is a contract clients would be built against and then broken by.
    schema = client.get(SCHEMA_URL, {"format": "json"}).json()
    bare_arrays = [path for path, ops in schema["paths"].items() if "get" in ops
                   for content in [ops["get"]["responses"].get("200", {}).get("content", {})]
                   if content.get("application/json", {}).get("schema", {}).get("type") == "array"]

    assert bare_arrays == []
    thread = schema["paths"]["/api/v1/engagements/{id}/messages/"]["get"]["responses"]["200"]
    assert thread["content"]["application/json"]["schema"]["$ref"].endswith("PaginatedThreadItemList")


def test_a_download_documents_every_type_a_file_is_served_as(client, db):
    from freelancers.uploads import ALLOWED

    schema = client.get(SCHEMA_URL, {"format": "json"}).json()
    served = schema["paths"]["/api/v1/attachments/{id}/"]["get"]["responses"]["200"]["content"]

    assert set(ALLOWED) | {"application/octet-stream"} <= set(served)


def test_free_text_is_documented_as_refusing_the_nul_the_server_refuses(owner_api, client, db):
    # Found by schemathesis' positive_data_acceptance: `q=%00` matched the schema yet answered 400.
    schema = client.get(SCHEMA_URL, {"format": "json"}).json()
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/freelancers/"]["get"]["parameters"]}
    body = schema["components"]["schemas"]["FreelancerWriteRequest"]["properties"]

    assert params["q"]["pattern"] == r"^[^\x00]*$"
    # A name is one line, and says so: no NUL and no line break (accounts/fields.py).
    name = body["name"]["pattern"]
    assert re.search(name, "Ana") and not re.search(name, "a\x00b") and not re.search(name, "Ana\r\nBcc: x")
    assert "pattern" not in params["status"] and body["email"]["format"] == "email"
    response = owner_api.get("/api/v1/freelancers/", {"q": "a\x00b"})
    assert response.status_code == 400 and "q" in response.json()
