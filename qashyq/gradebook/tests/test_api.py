"""The journal API: who reads which rows, PATCH with any of the five columns, JSON errors that
change nothing, and the query count of a journal whatever its size."""

import pytest

from qashyq.academics.models import Enrollment
from qashyq.academics.tests.factories import StudentProfileFactory
from qashyq.accounts import services as account_services
from qashyq.gradebook import services
from qashyq.gradebook.models import MarkChange

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API = "/api/v1"


def _headers(user) -> dict:
    if user is None:
        return {}
    _token, key = account_services.api_token_create(actor=user, owner=user)
    return {"Authorization": f"Bearer {key}"}


def get(client, user, path):
    return client.get(API + path, headers=_headers(user))


def patch(client, user, path, body):
    return client.patch(
        API + path, data=body, content_type="application/json", headers=_headers(user)
    )


def fill(world):
    services.marks_set(
        actor=world.tutor,
        offering=world.offering,
        student=world.student,
        values={"tk1": 90, "rk1": 90, "tk2": 90, "rk2": 90, "exam": "88.75"},
    )
    services.mark_post_from_source(
        actor=None,
        offering=world.offering,
        student=world.students[1],
        column="rk1",
        value=40,
        source="test",
        source_ref="attempt:9",
    )


@pytest.mark.parametrize(
    ("who", "status", "rows"),
    [
        (None, 401, None),
        ("tutor", 200, 3),
        ("registrar", 200, 3),
        ("faculty_registrar", 200, 3),
        ("methodologist", 200, 3),
        ("admin", 200, 3),
        ("curator", 200, 3),
        ("student", 200, 1),
        ("parent", 200, 1),
        ("other_tutor", 403, None),
        ("outsider", 403, None),
        ("other_faculty_registrar", 403, None),
    ],
)
def test_who_reads_which_rows(client, world, who, status, rows):
    fill(world)
    user = getattr(world, who) if who else None
    response = get(client, user, f"/courses/{world.offering.pk}/journal")
    assert response.status_code == status, response.content
    if status != 200:
        assert response.json()["code"] in ("not_authenticated", "permission_denied")
        return
    data = response.json()
    assert len(data["rows"]) == rows
    if rows == 1:
        assert data["rows"][0]["student"]["id"] == world.student.pk
    assert data["can_edit"] is (who in ("tutor", "registrar", "faculty_registrar"))


def test_journal_rows_carry_computed_values_and_sources(client, world):
    fill(world)
    data = get(client, world.tutor, f"/courses/{world.offering.pk}/journal").json()
    assert data["scheme"]["version"] == 1
    assert data["scheme"]["scale"][0] == {
        "letter": "A",
        "points": 4.0,
        "min_percent": 95.0,
        "max_percent": 100.0,
    }
    rows = {row["student"]["id"]: row for row in data["rows"]}
    full = rows[world.student.pk]
    assert full["tk1"] == 90.0 and full["exam"] == 88.75
    assert (full["r1"], full["r2"], full["admission_rating"]) == (90.0, 90.0, 90.0)
    assert full["admitted"] is True
    assert (full["final_percent"], full["letter"], full["points"]) == (90.0, "A-", 3.67)
    assert full["sources"]["exam"] == {"source": "manual", "source_ref": ""}
    posted = rows[world.students[1].pk]
    assert posted["rk1"] == 40.0
    assert posted["sources"]["rk1"] == {"source": "test", "source_ref": "attempt:9"}
    assert posted["r1"] is None and posted["admission_rating"] is None
    assert posted["letter"] is None and posted["final_percent"] is None


def test_unknown_course_is_404(client, world):
    response = get(client, world.tutor, "/courses/999999/journal")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_tutor_patches_a_row(client, world):
    path = f"/courses/{world.offering.pk}/journal/{world.student.pk}"
    response = patch(client, world.tutor, path, {"tk1": 80, "rk1": 61, "tk2": 71, "rk2": 90})
    assert response.status_code == 200, response.content
    row = response.json()
    assert (row["r1"], row["r2"], row["admission_rating"]) == (70.5, 80.5, 75.5)
    assert row["admitted"] is True and row["final_percent"] is None and row["letter"] is None
    row = patch(client, world.tutor, path, {"exam": 49, "reason": "Exam checked"}).json()
    # only the exam changed; 0.6 x 75.5 + 0.4 x 49 = 64.9 -> 65, but exam < 50 -> FX
    assert row["tk1"] == 80.0 and row["exam"] == 49.0
    assert (row["final_percent"], row["letter"], row["points"]) == (65.0, "FX", 0.5)
    assert MarkChange.objects.get(column="exam").reason == "Exam checked"
    row = patch(client, world.tutor, path, {"exam": None}).json()
    assert row["exam"] is None and row["letter"] is None
    assert row["sources"]["exam"] == {"source": "", "source_ref": ""}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"tk1": 70, "rk1": 101}, 400, "mark_out_of_range"),
        ({"tk1": -0.5}, 400, "mark_out_of_range"),
        ({"tk1": 70.123}, 400, "mark_too_precise"),
        ({"tk1": "seventy"}, 422, "validation_failed"),
        ({"tk1": [70]}, 422, "validation_failed"),
        ({}, 400, "nothing_to_change"),
        ({"r1": 70}, 400, "nothing_to_change"),
    ],
)
def test_bad_patches_change_nothing(client, world, body, status, code):
    path = f"/courses/{world.offering.pk}/journal/{world.student.pk}"
    response = patch(client, world.tutor, path, body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not MarkChange.objects.exists()


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("other_tutor", 403, "permission_denied"),
        ("student", 403, "permission_denied"),
        ("parent", 403, "permission_denied"),
        ("methodologist", 403, "permission_denied"),
        ("admin", 403, "permission_denied"),
        ("curator", 403, "permission_denied"),
        (None, 401, "not_authenticated"),
    ],
)
def test_patch_denied(client, world, who, status, code):
    path = f"/courses/{world.offering.pk}/journal/{world.student.pk}"
    response = patch(client, getattr(world, who) if who else None, path, {"exam": 100})
    assert response.status_code == status
    assert response.json()["code"] == code
    assert not MarkChange.objects.exists()


def test_patch_a_student_outside_the_course(client, world):
    path = f"/courses/{world.offering.pk}/journal/{world.outsider.pk}"
    response = patch(client, world.tutor, path, {"exam": 100})
    assert response.status_code == 404 and response.json()["code"] == "not_enrolled"


def _enrol(world, count):
    for _ in range(count):
        profile = StudentProfileFactory(group=world.group)
        Enrollment.objects.create(offering=world.offering, student=profile.user, group=world.group)
        for column, value in (("tk1", 70), ("rk1", 80), ("w8", 90), ("w9", 60)):
            services.mark_set(
                actor=world.tutor,
                offering=world.offering,
                student=profile.user,
                column=column,
                value=value,
            )


def test_journal_query_count_does_not_grow_with_students(
    client, world, django_assert_max_num_queries
):
    headers = _headers(world.tutor)
    path = f"{API}/courses/{world.offering.pk}/journal"
    _enrol(world, 2)  # 5 students
    with django_assert_max_num_queries(10) as small:
        assert len(client.get(path, headers=headers).json()["rows"]) == 5
    _enrol(world, 45)  # 50 students
    with django_assert_max_num_queries(10) as large:
        data = client.get(path, headers=headers).json()
    assert len(data["rows"]) == 50
    assert len(large.captured_queries) <= len(small.captured_queries)
    filled = [row for row in data["rows"] if row["rk1"] == 80.0]
    assert len(filled) == 47
    assert all(
        row["tk2"] == 75.0 and row["sources"]["tk2"]["source"] == "aggregated" for row in filled
    )
    assert all(row["r1"] == 75.0 for row in filled)
