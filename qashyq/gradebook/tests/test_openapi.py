"""The journal endpoints are in the OpenAPI document."""

import pytest

pytestmark = pytest.mark.django_db


def test_journal_endpoints_are_documented(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "get" in paths["/api/v1/courses/{course_id}/journal"]
    patch = paths["/api/v1/courses/{course_id}/journal/{student_id}"]["patch"]
    assert {"200", "400", "403", "404"} <= set(patch["responses"])
