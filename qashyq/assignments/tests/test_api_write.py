"""Writing through the tasks API: a text with several files as multipart (the web form's service
and rules: sniffing, size and count limits, cut-off; a refusal stores nothing), and grading by
points or rubric with feedback."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qashyq.accounts import services as account_services
from qashyq.assignments import services
from qashyq.assignments.models import Grade, Submission, SubmissionFile
from qashyq.assignments.tests.factories import TaskFactory, course
from qashyq.assignments.tests.test_services import RUBRIC, stored_files
from qashyq.core.models import AuditLogEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API = "/api/v1"


def _headers(user) -> dict:
    _token, key = account_services.api_token_create(actor=user, owner=user)
    return {"Authorization": f"Bearer {key}", "Accept-Language": "en"}


def txt(name="answer.txt", text="Менің жауабым: Арал теңізі тартылып жатыр."):
    return SimpleUploadedFile(name, text.encode())


EXE = b"MZ\x90\x00" + b"\x00" * 100


@pytest.fixture
def world():
    offering, tutor, (student, classmate) = course(students=2)
    _other, other_tutor, (outsider,) = course(students=1)
    task = TaskFactory(offering=offering, created_by=tutor, max_file_mb=1, max_files=3)

    class W:
        pass

    w = W()
    w.offering, w.tutor, w.student, w.classmate = offering, tutor, student, classmate
    w.other_tutor, w.outsider, w.task = other_tutor, outsider, task
    return w


def upload(client, user, task, data):
    return client.post(
        API + f"/tasks/{task.pk}/submissions/upload", data=data, headers=_headers(user)
    )


# --- multipart submissions ----------------------------------------------------------------------


def test_student_submits_text_and_two_files(client, world):
    response = upload(
        client,
        world.student,
        world.task,
        {"text": " Эссе ", "files": [txt("a.txt"), txt("b.txt", "Екінші файл")]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["text"] == "Эссе" and body["attempt"] == 1
    assert [f["name"] for f in body["files"]] == ["a.txt", "b.txt"]
    assert {f["mime_type"] for f in body["files"]} == {"text/plain"}
    assert len(stored_files()) == 2
    # The file URL serves the author the bytes they sent.
    client.force_login(world.student)
    assert b"".join(client.get(body["files"][1]["url"]).streaming_content) == "Екінші файл".encode()


def test_files_only_submission_without_text(client, world):
    response = upload(client, world.student, world.task, {"files": [txt()]})
    assert response.status_code == 201
    assert response.json()["text"] == ""


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ([txt("ok.txt"), SimpleUploadedFile("tool.exe", EXE)], "file_forbidden"),
        (
            [txt("ok.txt"), SimpleUploadedFile("big.txt", b"a" * (1024 * 1024 + 1))],
            "file_too_large",
        ),
        ([txt("1.txt"), txt("2.txt"), txt("3.txt"), txt("4.txt")], "too_many_files"),
        ([], "empty"),
    ],
)
def test_a_refused_upload_stores_nothing_and_keeps_the_earlier_attempt(client, world, files, code):
    first = services.submission_submit(actor=world.student, task=world.task, uploads=[txt()])
    before = sorted(stored_files())
    response = upload(client, world.student, world.task, {"text": "", "files": files})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    assert sorted(stored_files()) == before
    assert Submission.objects.get(is_current=True) == first
    assert SubmissionFile.objects.count() == 1


def test_forbidden_file_message_names_the_problem(client, world):
    response = upload(
        client, world.student, world.task, {"files": [SimpleUploadedFile("tool.exe", EXE)]}
    )
    assert response.status_code == 400
    assert ".exe" in response.json()["message"]
    assert not Submission.objects.exists() and stored_files() == []


def test_after_the_cut_off_nothing_is_stored(client, world):
    now = timezone.now()
    world.task.due_at = now - datetime.timedelta(days=2)
    world.task.cut_off_at = now - datetime.timedelta(days=1)
    world.task.save()
    response = upload(client, world.student, world.task, {"text": "Кеш", "files": [txt()]})
    assert response.status_code == 400 and response.json()["code"] == "after_cut_off"
    assert not Submission.objects.exists() and stored_files() == []


def test_text_only_task_refuses_files(client, world):
    world.task.allow_files = False
    world.task.save()
    response = upload(client, world.student, world.task, {"text": "Жауап", "files": [txt()]})
    assert response.json()["code"] == "files_not_allowed"
    assert stored_files() == []


def test_group_task_names_members(client, world):
    world.task.group_task = True
    world.task.save()
    response = upload(
        client, world.student, world.task, {"text": "Бірге", "members": [world.classmate.pk]}
    )
    assert response.status_code == 201
    assert [m["id"] for m in response.json()["group_members"]] == [world.classmate.pk]
    refused = upload(
        client, world.student, world.task, {"text": "Бірге", "members": [world.outsider.pk]}
    )
    assert refused.json()["code"] == "member_not_enrolled"


@pytest.mark.parametrize("who", ["tutor", "other_tutor", "outsider"])
def test_only_enrolled_students_upload(client, world, who):
    response = upload(client, getattr(world, who), world.task, {"text": "x", "files": [txt()]})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Submission.objects.exists() and stored_files() == []


def test_upload_needs_authentication_and_csrf_with_a_session(client, world):
    anonymous = client.post(API + f"/tasks/{world.task.pk}/submissions/upload", {"text": "x"})
    assert anonymous.status_code == 401
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.student)
    response = browser.post(
        API + f"/tasks/{world.task.pk}/submissions/upload", {"text": "x", "files": [txt()]}
    )
    assert response.status_code == 403
    assert not Submission.objects.exists() and stored_files() == []


# --- grading ------------------------------------------------------------------------------------


def grade(client, user, submission, payload):
    return client.put(
        API + f"/submissions/{submission.pk}/grade",
        data=payload,
        content_type="application/json",
        headers=_headers(user),
    )


@pytest.fixture
def submitted(world):
    return services.submission_submit(actor=world.student, task=world.task, text="Жауап")


def test_tutor_grades_by_points_and_the_student_sees_it_once_released(client, world, submitted):
    response = grade(client, world.tutor, submitted, {"points": 87, "feedback": "Жақсы **жұмыс**"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["points"] == 87.0 and body["released"] is False
    assert body["feedback_html"] == "<p>Жақсы <strong>жұмыс</strong></p>\n"
    student_view = client.get(API + f"/submissions/{submitted.pk}", headers=_headers(world.student))
    assert student_view.json()["grade"] is None

    grade(client, world.tutor, submitted, {"points": 90, "feedback": "Жақсы", "released": True})
    student_view = client.get(API + f"/submissions/{submitted.pk}", headers=_headers(world.student))
    assert student_view.json()["grade"]["points"] == 90.0
    entries = AuditLogEntry.objects.filter(action="assignment.grade")
    assert entries.count() == 2


def test_tutor_grades_by_rubric(client, world, submitted):
    services._set_rubric(world.task, RUBRIC)
    levels = {lv.title: lv.pk for c in world.task.criteria.all() for lv in c.levels.all()}
    response = grade(
        client, world.tutor, submitted, {"level_ids": [levels["Толық"], levels["Әлсіз"]]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["points"] == 70.0
    assert sorted(body["level_ids"]) == sorted([levels["Толық"], levels["Әлсіз"]])


def test_late_penalty_applies_through_the_api(client, world):
    now = timezone.now()
    world.task.due_at = now - datetime.timedelta(hours=30)
    world.task.cut_off_at = now + datetime.timedelta(days=2)
    world.task.late_policy = "penalty_percent_per_day"
    world.task.late_penalty_percent = 10
    world.task.save()
    late = services.submission_submit(actor=world.student, task=world.task, text="Кеш")
    body = grade(client, world.tutor, late, {"points": 50}).json()
    assert body["raw_points"] == 50.0 and body["penalty_percent"] == 20.0
    assert body["points"] == 40.0


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({}, "no_points"),
        ({"points": 101}, "bad_points"),
        ({"points": -1}, "bad_points"),
        ({"level_ids": [999999]}, "bad_level"),
    ],
)
def test_bad_grades_are_refused_and_change_nothing(client, world, submitted, payload, code):
    if code == "bad_level":
        services._set_rubric(world.task, RUBRIC)
    services.grade_submission(actor=world.tutor, submission=submitted, points=Decimal("60"))
    response = grade(client, world.tutor, submitted, payload)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert Grade.objects.get().points == Decimal("60")


def test_rubric_needs_every_criterion(client, world, submitted):
    services._set_rubric(world.task, RUBRIC)
    first_level = world.task.criteria.first().levels.first()
    response = grade(client, world.tutor, submitted, {"level_ids": [first_level.pk]})
    assert response.json()["code"] == "missing_level"
    assert not Grade.objects.exists()


def test_malformed_grade_body_is_422(client, world, submitted):
    response = grade(client, world.tutor, submitted, {"points": "many"})
    assert response.status_code == 422
    assert not Grade.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("student", 403), ("classmate", 403), ("other_tutor", 403), ("outsider", 403)],
)
def test_only_the_courses_tutors_grade(client, world, submitted, who, status):
    response = grade(client, getattr(world, who), submitted, {"points": 100, "released": True})
    assert response.status_code == status
    assert response.json()["code"] == "permission_denied"
    assert not Grade.objects.exists()
    assert not AuditLogEntry.objects.filter(action="assignment.grade").exists()


def test_grading_a_missing_submission_is_404(client, world):
    response = client.put(
        API + "/submissions/999999/grade",
        data={"points": 1},
        content_type="application/json",
        headers=_headers(world.tutor),
    )
    assert response.status_code == 404


def test_openapi_documents_the_write_endpoints(client):
    paths = client.get(API + "/openapi.json").json()["paths"]
    upload_op = paths["/api/v1/tasks/{task_id}/submissions/upload"]["post"]
    assert "multipart/form-data" in upload_op["requestBody"]["content"]
    assert "put" in paths["/api/v1/submissions/{submission_id}/grade"]
    assert set(paths["/api/v1/tasks/{task_id}/similarity"]) == {"get", "post"}
