"""Grading through the API with a feedback file (``POST /submissions/{id}/grade/upload``,
multipart): the web grading form's service and checks; a refusal stores nothing and keeps the
earlier grade. And the similarity fingerprints in the admin, read-only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from qashyq.accounts import services as account_services
from qashyq.accounts.tests.factories import user_with_role
from qashyq.assignments import services
from qashyq.assignments.models import Grade, SubmissionFingerprint
from qashyq.assignments.tests.factories import TaskFactory, course
from qashyq.assignments.tests.test_services import RUBRIC, stored_files
from qashyq.core.models import AuditLogEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API = "/api/v1"
NOTES = "Пікір: кіріспе әлсіз, қорытынды жақсы.".encode()
EXE = b"MZ\x90\x00" + b"\x00" * 100


def _headers(user) -> dict:
    _token, key = account_services.api_token_create(actor=user, owner=user)
    return {"Authorization": f"Bearer {key}", "Accept-Language": "en"}


def notes(name="пікір.txt", data=NOTES):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def world():
    offering, tutor, (student, classmate) = course(students=2)
    _other, other_tutor, _students = course(students=1)
    task = TaskFactory(offering=offering, created_by=tutor)

    class W:
        pass

    w = W()
    w.tutor, w.student, w.classmate, w.other_tutor, w.task = (
        tutor,
        student,
        classmate,
        other_tutor,
        task,
    )
    w.submission = services.submission_submit(actor=student, task=task, text="Жауап")
    return w


def grade_upload(client, user, submission, data):
    return client.post(
        API + f"/submissions/{submission.pk}/grade/upload", data=data, headers=_headers(user)
    )


def test_tutor_grades_with_a_feedback_file_that_the_student_downloads_once_released(client, world):
    response = grade_upload(
        client,
        world.tutor,
        world.submission,
        {"points": "87", "feedback": "Жақсы **жұмыс**", "feedback_file": notes()},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["points"] == 87.0 and body["released"] is False
    assert body["feedback_html"] == "<p>Жақсы <strong>жұмыс</strong></p>\n"
    file_url = reverse("assignments:feedback_file", args=[world.submission.pk])
    assert body["feedback_file_url"] == file_url
    grade = Grade.objects.get(submission=world.submission)
    assert grade.feedback_file_name == "пікір.txt"
    assert grade.feedback_file_mime.startswith("text/plain")
    assert AuditLogEntry.objects.filter(action="assignment.grade").count() == 1

    client.force_login(world.student)
    assert client.get(file_url).status_code == 403  # not released yet

    # released without a new file: the earlier file stays
    response = grade_upload(
        client, world.tutor, world.submission, {"points": "90", "released": "true"}
    )
    assert response.json()["feedback_file_url"] == file_url
    student_view = client.get(
        API + f"/submissions/{world.submission.pk}", headers=_headers(world.student)
    ).json()
    assert student_view["grade"]["points"] == 90.0
    download = client.get(file_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == NOTES


def test_grading_by_rubric_with_an_audio_feedback(client, world):
    services._set_rubric(world.task, RUBRIC)
    levels = {lv.title: lv.pk for c in world.task.criteria.all() for lv in c.levels.all()}
    wav = (
        b"RIFF" + (36).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
        + b"\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00"
        + b"data" + (0).to_bytes(4, "little")
    )  # fmt: skip
    response = grade_upload(
        client,
        world.tutor,
        world.submission,
        {
            "level_ids": [levels["Толық"], levels["Әлсіз"]],
            "feedback_file": notes("пікір.wav", wav),
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["points"] == 70.0
    assert sorted(response.json()["level_ids"]) == sorted([levels["Толық"], levels["Әлсіз"]])
    assert Grade.objects.get().feedback_file_mime.startswith("audio/")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (lambda: {"points": "80", "feedback_file": notes("tool.exe", EXE)}, "file_forbidden"),
        (lambda: {"points": "80", "feedback_file": notes("empty.txt", b"")}, "file_empty"),
        (lambda: {"points": "80", "feedback_file": notes(data=NOTES * 10)}, "file_too_large"),
        (lambda: {"points": "101", "feedback_file": notes()}, "bad_points"),
        (lambda: {"feedback_file": notes()}, "no_points"),
    ],
    ids=["program", "empty", "too-large", "bad-points", "no-points"],
)
def test_a_refusal_stores_nothing_and_keeps_the_earlier_grade(
    client, world, monkeypatch, data, code
):
    services.grade_submission(
        actor=world.tutor,
        submission=world.submission,
        points=Decimal("60"),
        feedback="Бұрынғы",
        feedback_upload=notes("бұрынғы.txt"),
    )
    before = stored_files()
    monkeypatch.setattr(services, "FEEDBACK_MAX_BYTES", len(NOTES) * 2)
    response = grade_upload(client, world.tutor, world.submission, data())
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    grade = Grade.objects.get()
    assert (grade.points, grade.feedback, grade.feedback_file_name) == (
        Decimal("60"),
        "Бұрынғы",
        "бұрынғы.txt",
    )
    assert stored_files() == before
    assert AuditLogEntry.objects.filter(action="assignment.grade").count() == 1


@pytest.mark.parametrize("who", ["student", "classmate", "other_tutor"])
def test_only_the_courses_tutors_grade_and_a_refusal_stores_no_file(client, world, who):
    response = grade_upload(
        client,
        getattr(world, who),
        world.submission,
        {"points": "100", "released": "true", "feedback_file": notes()},
    )
    assert response.status_code == 403
    assert not Grade.objects.exists()
    assert stored_files() == []
    assert not AuditLogEntry.objects.filter(action="assignment.grade").exists()


def test_malformed_points_are_422_and_unknown_submission_404(client, world):
    response = grade_upload(client, world.tutor, world.submission, {"points": "many"})
    assert response.status_code == 422
    assert not Grade.objects.exists()
    response = client.post(
        API + "/submissions/999999/grade/upload", {"points": "1"}, headers=_headers(world.tutor)
    )
    assert response.status_code == 404


def test_the_endpoint_is_in_the_openapi_schema(client):
    paths = client.get(API + "/openapi.json").json()["paths"]
    operation = paths["/api/v1/submissions/{submission_id}/grade/upload"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]


# --- the admin ------------------------------------------------------------------------------------


@pytest.fixture
def fingerprint(world):
    return SubmissionFingerprint.objects.create(
        submission=world.submission,
        scheme="test-1",
        text="Жауап",
        shingles=b"\x00\x01",
        computed_at=timezone.now(),
    )


def test_fingerprints_are_read_only_in_the_admin(client, settings, fingerprint):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    client.force_login(user_with_role("admin"))
    base = "/admin/assignments/submissionfingerprint/"
    listing = client.get(base)
    assert listing.status_code == 200
    assert "test-1" in listing.content.decode()
    change = client.get(f"{base}{fingerprint.pk}/change/")
    assert change.status_code == 200
    assert "Жауап" in change.content.decode()
    assert client.get(f"{base}add/").status_code == 403
    client.post(f"{base}{fingerprint.pk}/change/", {"scheme": "changed", "text": "x"})
    assert client.post(f"{base}{fingerprint.pk}/delete/", {"post": "yes"}).status_code == 403
    fingerprint.refresh_from_db()
    assert (fingerprint.scheme, fingerprint.text) == ("test-1", "Жауап")
