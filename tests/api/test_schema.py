"""/api/schema/ is valid OpenAPI 3 and lists every resource of the API; /api/docs/ serves Swagger UI
from the sidecar package's static files."""

import pytest
import yaml
from openapi_spec_validator import validate

from tests.conftest import login

pytestmark = pytest.mark.django_db

RESOURCES = [
    "/api/v1/requests/",
    "/api/v1/requests/{number}/",
    *(
        f"/api/v1/requests/{{number}}/{step}/"
        for step in (
            "approve",
            "reject",
            "return",
            "add-approver",
            "forward",
            "accept",
            "assign",
            "progress",
            "hold",
            "resume",
            "submit",
            "confirm",
            "reopen",
            "urge",
            "comment",
            "attach",
        )
    ),
    "/api/v1/request-types/",
    "/api/v1/request-types/{code}/",
    "/api/v1/documents/",
    "/api/v1/documents/{id}/",
    "/api/v1/documents/{id}/docx/",
    "/api/v1/departments/",
    "/api/v1/departments/{code}/",
    "/api/v1/people/",
    "/api/v1/people/{username}/",
    "/api/v1/teams/",
    "/api/v1/teams/{id}/",
    "/api/v1/teams/{id}/meetings/",
    "/api/v1/teams/{id}/action-items/",
    "/api/v1/teams/{id}/readings/",
    "/api/v1/teams/{id}/meetings/new/",
    "/api/v1/teams/{id}/meetings/{meeting_pk}/record/",
    "/api/v1/teams/{id}/meetings/{meeting_pk}/action-items/",
    "/api/v1/teams/{id}/action-items/{action_pk}/done/",
    "/api/v1/conflicts/",
    "/api/v1/conflicts/{id}/",
    *(
        f"/api/v1/conflicts/{{id}}/{step}/"
        for step in ("position", "propose", "agree", "escalate", "decide", "withdraw")
    ),
    "/api/v1/notifications/",
    "/api/v1/notifications/read/",
]


@pytest.fixture
def schema(org, client):
    login(client, org.requester)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate(schema)  # raises on an invalid document


def test_the_schema_lists_every_resource(schema):
    missing = [path for path in RESOURCES if path not in schema["paths"]]
    assert not missing, missing
    assert "post" in schema["paths"]["/api/v1/requests/"]
    assert "post" in schema["paths"]["/api/v1/conflicts/"]
    decide = schema["paths"]["/api/v1/conflicts/{id}/decide/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(decide["responses"])
    assert schema["components"]["securitySchemes"]["personalAccessToken"]["scheme"] == "bearer"


def test_anonymous_gets_no_schema(client):
    assert client.get("/api/schema/").status_code == 401


def test_the_docs_page_uses_the_sidecar_and_no_inline_script(org, client):
    login(client, org.requester)
    page = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "<script>" not in page and "<style>" not in page and "//cdn" not in page
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and b"/api/schema/" in script.content
