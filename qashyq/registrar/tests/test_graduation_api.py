"""``GET /api/v1/students/{id}/graduation``: readers and what they read."""

import pytest

from qashyq.accounts import services as account_services
from qashyq.registrar.models import FinalAttestationResult

from .fixtures_graduation import make_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def gw(db):
    return make_world()


def url(student_id):
    return f"/api/v1/students/{student_id}/graduation"


def headers(user):
    _token, key = account_services.api_token_create(actor=user, owner=user)
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("student", 200),
        ("registrar", 200),
        ("faculty_registrar", 200),
        ("other_faculty_registrar", 403),
        ("admin", 200),
        ("leader", 200),
        ("other_leader", 403),
        ("tutor", 403),
        ("parent", 403),
        ("outsider", 403),
    ],
)
def test_readers(client, gw, who, status):
    user = getattr(gw, who)
    response = client.get(url(gw.student.pk), headers=headers(user))
    assert response.status_code == status
    if status == 403:
        assert response.json()["code"] == "permission_denied"
        assert "Үсенова" not in response.content.decode()
    else:
        assert response.json()["eligible"] is True


def test_fields_and_reasons(client, gw):
    FinalAttestationResult.objects.filter(event=gw.exam).update(letter="FX", passed=False)
    in_english = {**headers(gw.student), "Accept-Language": "en"}
    data = client.get(url(gw.student.pk), headers=in_english).json()
    assert data["eligible"] is False
    assert (data["credits_passed"], data["credits_required"]) == (20, 20)
    assert data["academic_year"] == "2026-2027" and data["program_code"] == "6B09901"
    conditions = {c["code"]: c for c in data["conditions"]}
    assert [c["ok"] for c in data["conditions"]] == [True, True, True, False]
    assert conditions["attestation"]["reasons"] == ["Comprehensive state exam: FX, not passed"]
    assert [d["code"] for d in data["disciplines"] if d["practice"]] == ["PRA404"]
    exam = next(a for a in data["attestation"] if a["kind"] == "state_exam")
    assert (exam["format"], exam["percent"], exam["passed"]) == ("distance", 85.0, False)


def test_anonymous_gets_401_and_a_missing_student_403_or_404(client, gw):
    assert client.get(url(gw.student.pk)).status_code == 401
    missing = gw.student.pk + 10_000
    assert client.get(url(missing), headers=headers(gw.student)).status_code == 403
    assert client.get(url(missing), headers=headers(gw.registrar)).status_code == 404
