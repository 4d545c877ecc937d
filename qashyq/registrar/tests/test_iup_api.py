"""``GET /api/v1/students/{id}/iup?year=``: readers, the plan's numbers, errors."""

import pytest

from qashyq.accounts import services as account_services
from qashyq.registrar.services import iup as services

from . import fixtures_iup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
iup = fixtures_iup.iup  # the fixture

API = "/api/v1"


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def _headers(user):
    _token, key = account_services.api_token_create(actor=user, owner=user)
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def plan(iup):
    plan = services.iup_start(
        actor=iup.student,
        student=iup.student,
        academic_year=iup.year,
        program=iup.program,
        year_of_study=2,
    )
    services.iup_set_electives(actor=iup.student, plan=plan, entries=[iup.entries["ELA402"]])
    services.iup_submit(actor=iup.student, plan=plan)
    return plan


READERS = [
    ("student", 200),
    ("leader", 200),
    ("site_leader", 200),
    ("registrar", 200),
    ("faculty_registrar", 200),
    ("admin", 200),
    ("mate", 403),
    ("parent", 403),
    ("course_tutor", 403),
    ("other_leader", 403),
    ("other_faculty_registrar", 403),
    ("methodologist", 403),
]


@pytest.mark.parametrize(("who", "expected"), READERS)
def test_readers(client, iup, plan, who, expected):
    response = client.get(
        f"{API}/students/{iup.student.pk}/iup?year=2026-2027",
        headers=_headers(getattr(iup, who)),
    )
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["code"] == "permission_denied"
        assert "MAN301" not in response.content.decode()


def test_the_plan_with_totals(client, iup, plan):
    in_english = {**_headers(iup.student), "Accept-Language": "en"}
    data = client.get(f"{API}/students/{iup.student.pk}/iup", headers=in_english).json()
    assert data["status"] == "submitted"
    assert data["status_label"] == "Awaiting approval"
    assert data["academic_year"] == "2026-2027"
    assert data["total_credits"] == 21
    assert data["under_minimum"] is True
    assert data["limits"] == {
        "max_credits_per_semester": 20,
        "max_credits_per_year": 35,
        "min_credits_per_year": 30,
    }
    assert data["semesters"] == [
        {"semester": "semester_1", "credits": 11, "limit": 20},
        {"semester": "semester_2", "credits": 10, "limit": 20},
    ]
    assert [(i["discipline_code"], i["component"]) for i in data["items"]] == [
        ("MAN301", "mandatory"),
        ("UNI302", "university"),
        ("ELA402", "elective"),
        ("MAN401", "mandatory"),
    ]


def test_errors(client, iup, plan):
    path = f"{API}/students/{iup.student.pk}/iup"
    assert client.get(path).status_code == 401
    assert client.get(f"{path}?year=1999-2000", headers=_headers(iup.student)).status_code == 404
    # no plan for the mate: the mate gets 404, the leader 404, someone out of scope 403
    mate_path = f"{API}/students/{iup.mate.pk}/iup"
    assert client.get(mate_path, headers=_headers(iup.mate)).status_code == 404
    assert client.get(mate_path, headers=_headers(iup.leader)).status_code == 404
    response = client.get(mate_path, headers=_headers(iup.other_leader))
    assert response.status_code == 403
    assert client.get(f"{API}/students/99999/iup", headers=_headers(iup.student)).status_code == 403
