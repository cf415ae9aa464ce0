"""The OpenAPI schema: it validates without warnings, tells every answer an operation may give, and is
served only behind a login."""

import pytest
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from projects.models import ApiToken

UNSAFE = {"post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    GENERATOR_STATS.reset()  # warnings are counted per process: only this generation's count
    generated = SchemaGenerator().get_schema(request=None, public=True)
    warnings = dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache)
    return generated, warnings


def test_the_schema_validates_without_warnings(schema):
    generated, (warnings, errors) = schema
    assert not warnings, warnings
    assert not errors, errors
    validate_schema(generated)


def _operations(generated):
    for path, operations in generated["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_every_operation_tells_its_refusals(schema):
    """403 and 429 everywhere, 404 with an object in the path, 400 for a body, each with its body."""
    generated, _warnings = schema
    missing = []
    for path, method, operation in _operations(generated):
        expected = {"403", "429"}
        if "{" in path:
            expected.add("404")
        if method in UNSAFE and "requestBody" in operation:
            expected.add("400")
        for status in sorted(expected):
            response = operation["responses"].get(status)
            if not response or not response.get("content"):
                missing.append(f"{method.upper()} {path}: {status}")
        if "Retry-After" not in operation["responses"]["429"].get("headers", {}):
            missing.append(f"{method.upper()} {path}: 429 without Retry-After")
    assert not missing, "\n".join(missing)


def test_operations_that_take_a_version_tell_their_409(schema):
    generated, _warnings = schema
    components = generated["components"]["schemas"]
    missing = []
    for path, method, operation in _operations(generated):
        for content in operation.get("requestBody", {}).get("content", {}).values():
            name = content["schema"].get("$ref", "").rsplit("/", 1)[-1]
            fields = set(components.get(name, {}).get("properties", {}))
            takes_version = {"version", "expected_state"} & fields
            if takes_version and "409" not in operation["responses"]:
                missing.append(f"{method.upper()} {path}")
    assert not missing, "\n".join(missing)


def test_uploads_are_files_and_the_token_header_is_described(schema):
    generated, _warnings = schema
    components = generated["components"]
    assert components["schemas"]["PhotoUploadRequest"]["properties"]["image"]["format"] == "binary"
    token = components["securitySchemes"]["tokenAuth"]
    assert (token["type"], token["in"], token["name"]) == ("apiKey", "header", "Authorization")
    security = generated["paths"]["/api/v1/projects/"]["get"]["security"]
    assert {"tokenAuth": []} in security


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("Dwelling", "installer"),
        ("Dwelling", "technician"),
        ("Dwelling", "housing_association"),
        ("Package", "installer"),
        ("Package", "agreement"),
        ("Tender", "agreement"),
        ("Message", "campaign"),
        ("Message", "person"),
        ("Slot", "dwelling"),
        ("GovernanceLogEntry", "actor"),
    ],
)
def test_what_may_be_empty_is_nullable(schema, component, field):
    """The fuzz run met these as null in answers whose schema said a string or a number."""
    generated, _warnings = schema
    assert generated["components"]["schemas"][component]["properties"][field].get("nullable") is True


def test_answers_are_described_as_they_come(schema):
    """The fuzz run met these answers unlike their schema: a list described as a page of results, the
    governance log described as a project, a plan's PDF described as JSON."""
    generated = schema[0]
    paths = generated["paths"]

    def body(path, method="get", status="200", media="application/json"):
        return paths[path][method]["responses"][status]["content"][media]["schema"]

    assert body("/api/v1/projects/{slug}/advisories/")["type"] == "array"
    assert body("/api/v1/dwellings/{id}/timeline/")["type"] == "array"
    log = body("/api/v1/projects/{slug}/governance-log/")["$ref"].rsplit("/", 1)[1]
    assert generated["components"]["schemas"][log]["properties"]["results"]["items"]["$ref"].endswith(
        "/GovernanceLogEntry"
    )
    assert body("/api/v1/plans/{id}/file/", media="application/pdf")["format"] == "binary"
    for path, method in [
        ("/api/v1/installations/{id}/report/", "post"),
        ("/api/v1/installations/{id}/review/", "post"),
        ("/api/v1/slots/{id}/book/", "post"),
        ("/api/v1/tenders/{id}/bid/", "post"),
        ("/api/v1/tenders/{id}/award/", "post"),
    ]:
        assert "409" in paths[path][method]["responses"], path
    assert "400" in paths["/api/v1/installations/{id}/photos/{client_id}/"]["delete"]["responses"]


@pytest.mark.django_db
class TestServedBehindALogin:
    URL = "/api/schema/"

    def test_nobody_gets_no_schema_and_no_documentation(self, client):
        assert client.get(self.URL).status_code in (401, 403)
        assert client.get(self.URL, HTTP_AUTHORIZATION="Token " + "0" * 64).status_code in (401, 403)
        docs = client.get(reverse("api-docs"))
        assert docs.status_code == 302
        assert docs.url.startswith(reverse("login"))

    def test_a_person_gets_it_with_their_session_or_token(self, client, lead_user):
        _token, key = ApiToken.objects.create(user=lead_user, name="GIS")
        by_token = client.get(self.URL, HTTP_AUTHORIZATION=f"Token {key}")
        assert by_token.status_code == 200
        assert b"/api/v1/dwellings/" in by_token.content
        client.force_login(lead_user)
        assert client.get(self.URL).status_code == 200
        assert client.get(reverse("api-docs")).status_code == 200

    def test_a_deactivated_persons_token_gets_no_schema(self, client, lead_user):
        _token, key = ApiToken.objects.create(user=lead_user, name="GIS")
        lead_user.is_active = False
        lead_user.save(update_fields=["is_active"])
        assert client.get(self.URL, HTTP_AUTHORIZATION=f"Token {key}").status_code in (401, 403)
