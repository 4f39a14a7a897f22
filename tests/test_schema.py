"""The OpenAPI schema describes every endpoint with its errors, and the docs page serves it."""

import pytest
import yaml

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api, manager):
    response = api.as_user(manager).get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_every_operation_documents_auth_permission_and_throttle_errors(schema):
    for path, method, operation in operations(schema):
        missing = {"401", "403", "429"} - set(map(str, operation["responses"]))
        assert not missing, f"{method.upper()} {path} does not document {missing}"


def test_every_stage_action_documents_the_409_conflict(schema):
    actions = [
        (path, op)
        for path, method, op in operations(schema)
        if method == "post" and path.startswith("/api/v1/contacts/{id}/")
    ]
    assert len(actions) >= 10
    for path, operation in actions:
        assert {"400", "404", "409"} <= set(map(str, operation["responses"])), path


def test_the_docs_page_is_served_from_own_static_files(client, manager):
    client.force_login(manager)
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    assert b"swagger-ui" in page.content
    assert b"cdn" not in page.content.lower()
