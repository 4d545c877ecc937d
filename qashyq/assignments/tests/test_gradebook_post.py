"""Sending the released marks of a task to its e-journal column (issue 3, item 7)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from qashyq.academics.tests.factories import AcademicPeriodFactory
from qashyq.accounts import services as account_services
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.assignments import services
from qashyq.assignments.models import Grade
from qashyq.assignments.tests.factories import TaskFactory, course
from qashyq.core.errors import PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry
from qashyq.gradebook import services as gradebook_services
from qashyq.gradebook.models import LateEditRequest, MarkChange
from qashyq.gradebook.selectors import journal_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API = "/api/v1"
# The period starts on 2026-09-01; "today" is 2026-10-20: weeks 1-6 are closed, week 7 is open
# (the e-journal's default: a week closes 7 days after its last day).
PERIOD_START = datetime.date(2026, 9, 1)
TODAY = datetime.date(2026, 10, 20)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch, settings, client):
    monkeypatch.setattr(gradebook_services, "today", lambda: TODAY)
    # The staff TOTP rule has its own tests in accounts; here staff reach the pages directly.
    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _headers(user) -> dict:
    _token, key = account_services.api_token_create(actor=user, owner=user)
    return {"Authorization": f"Bearer {key}", "Accept-Language": "en"}


class World:
    pass


@pytest.fixture
def world():
    AcademicPeriodFactory(starts_on=PERIOD_START)
    offering, tutor, students = course(students=4)
    w = World()
    w.offering, w.tutor, w.students = offering, tutor, students
    w.task = TaskFactory(offering=offering, created_by=tutor, max_points=20, gradebook_column="rk1")
    return w


def submit_and_grade(w, student, points, *, released=True, task=None):
    task = task or w.task
    submission = services.submission_submit(actor=student, task=task, text="Жауап")
    return services.grade_submission(
        actor=w.tutor, submission=submission, points=points, released=released
    )


def cell(w, student, column="rk1"):
    return journal_row(w.offering, student.pk).cells[column]


# --- posting ------------------------------------------------------------------------------------


def test_released_marks_go_to_the_journal_as_percent_with_source_assignment(world, client):
    a, b, c, d = world.students
    grade_a = submit_and_grade(world, a, 17)  # 85 %
    submit_and_grade(world, b, "12.5")  # 62.5 %
    submit_and_grade(world, c, 20, released=False)  # not released: stays here
    # d never submitted

    result = services.grades_post_to_gradebook(actor=world.tutor, task=world.task)

    assert result.posted == 2 and result.cells_changed == 2 and result.skipped == []
    assert cell(world, a).value == Decimal("85.00")
    assert cell(world, a).source == "assignment"
    assert cell(world, a).source_ref == f"task:{world.task.pk} submission:{grade_a.submission_id}"
    assert cell(world, b).value == Decimal("62.50")
    assert cell(world, c).value is None
    assert cell(world, d).value is None
    assert set(Grade.objects.filter(posted_to_gradebook=True).values_list("pk", flat=True)) == {
        grade_a.pk,
        Grade.objects.get(submission__student=b).pk,
    }
    # The student sees it in their own journal row, marked as coming from the task.
    response = client.get(API + f"/courses/{world.offering.pk}/journal", headers=_headers(a))
    assert response.status_code == 200, response.content
    (row,) = response.json()["rows"]
    assert row["rk1"] == 85.0
    assert row["sources"]["rk1"]["source"] == "assignment"


def test_posting_twice_sends_nothing_new_and_audits_each_change_once(world):
    a, b, *_ = world.students
    submit_and_grade(world, a, 17)
    services.grades_post_to_gradebook(actor=world.tutor, task=world.task)
    changes = MarkChange.objects.count()
    again = services.grades_post_to_gradebook(actor=world.tutor, task=world.task)
    assert again.posted == 0 and again.cells_changed == 0
    assert MarkChange.objects.count() == changes == 1
    assert AuditLogEntry.objects.filter(action="assignment.gradebook_post").count() == 1
    assert AuditLogEntry.objects.filter(action="gradebook.mark_change").count() == 1
    change = MarkChange.objects.get()
    assert change.source == "assignment" and change.new_value == Decimal("85.00")

    # A later released grade is sent alone; the first mark is not sent again.
    submit_and_grade(world, b, 10)
    third = services.grades_post_to_gradebook(actor=world.tutor, task=world.task)
    assert third.posted == 1
    assert MarkChange.objects.count() == 2


def test_releasing_later_sends_the_mark_then(world):
    a = world.students[0]
    grade = submit_and_grade(world, a, 15, released=False)
    assert services.grades_post_to_gradebook(actor=world.tutor, task=world.task).posted == 0
    assert cell(world, a).value is None
    services.grade_submission(
        actor=world.tutor, submission=grade.submission, points=15, released=True
    )
    assert services.grades_post_to_gradebook(actor=world.tutor, task=world.task).posted == 1
    assert cell(world, a).value == Decimal("75.00")


def test_regrade_after_posting_is_sent_again(world):
    a = world.students[0]
    grade = submit_and_grade(world, a, 17)
    services.grades_post_to_gradebook(actor=world.tutor, task=world.task)
    # Changing only the feedback keeps the mark in the journal as it is.
    services.grade_submission(
        actor=world.tutor, submission=grade.submission, points=17, released=True, feedback="Жақсы"
    )
    grade.refresh_from_db()
    assert grade.posted_to_gradebook is True
    # A new mark is not in the journal until the tutor sends it.
    services.grade_submission(
        actor=world.tutor, submission=grade.submission, points=19, released=True
    )
    grade.refresh_from_db()
    assert grade.posted_to_gradebook is False
    assert cell(world, a).value == Decimal("85.00")
    assert services.grades_post_to_gradebook(actor=world.tutor, task=world.task).posted == 1
    assert cell(world, a).value == Decimal("95.00")
    change = MarkChange.objects.order_by("pk").last()
    assert (change.old_value, change.new_value) == (Decimal("85.00"), Decimal("95.00"))


def test_grade_of_an_earlier_attempt_is_not_sent(world):
    a = world.students[0]
    submit_and_grade(world, a, 17)
    services.submission_submit(actor=a, task=world.task, text="Екінші нұсқа")  # ungraded now
    result = services.grades_post_to_gradebook(actor=world.tutor, task=world.task)
    assert result.posted == 0
    assert cell(world, a).value is None


def test_changing_the_column_sends_the_marks_to_the_new_column(world):
    a = world.students[0]
    submit_and_grade(world, a, 17)
    services.grades_post_to_gradebook(actor=world.tutor, task=world.task)
    services.task_update(actor=world.tutor, task=world.task, gradebook_column="rk2")
    assert services.grades_post_to_gradebook(actor=world.tutor, task=world.task).posted == 1
    assert cell(world, a, "rk2").value == Decimal("85.00")
    assert cell(world, a, "rk1").value == Decimal("85.00")  # the old cell is the tutor's to clear


def test_group_task_mark_goes_to_every_member(world):
    a, b, *_ = world.students
    task = TaskFactory(
        offering=world.offering, created_by=world.tutor, group_task=True, gradebook_column="tk1"
    )
    submission = services.submission_submit(actor=a, task=task, text="Бірге", group_members=[b])
    services.grade_submission(actor=world.tutor, submission=submission, points=80, released=True)
    result = services.grades_post_to_gradebook(actor=world.tutor, task=task)
    assert result.posted == 1 and result.cells_changed == 2
    assert cell(world, a, "tk1").value == cell(world, b, "tk1").value == Decimal("80.00")


# --- refusals -----------------------------------------------------------------------------------


def test_task_without_column_is_refused_with_a_clear_message(world):
    task = TaskFactory(offering=world.offering, created_by=world.tutor)
    submission = services.submission_submit(actor=world.students[0], task=task, text="Жауап")
    services.grade_submission(actor=world.tutor, submission=submission, points=50, released=True)
    with pytest.raises(ValidationFailed) as exc:
        services.grades_post_to_gradebook(actor=world.tutor, task=task)
    assert exc.value.code == "no_gradebook_column"
    assert "column" in str(exc.value.message)
    assert not MarkChange.objects.exists()
    assert Grade.objects.get().posted_to_gradebook is False


def test_a_column_the_journal_lacks_is_refused_on_save(world):
    with pytest.raises(ValidationFailed) as exc:
        services.task_update(actor=world.tutor, task=world.task, gradebook_column="w16")
    assert exc.value.code == "unknown_gradebook_column"  # the default scheme has 15 weeks
    world.task.refresh_from_db()
    assert world.task.gradebook_column == "rk1"


@pytest.mark.parametrize("who", ["student", "other_tutor", "methodologist", "registrar", "anon"])
def test_only_the_course_tutors_may_send(world, who):
    submit_and_grade(world, world.students[0], 17)
    faculty = world.offering.discipline.department.faculty_id
    actor = {
        "student": world.students[0],
        "other_tutor": course(students=1)[1],
        "methodologist": user_with_role("methodologist", "faculty", faculty),
        "registrar": user_with_role("registrar"),
        "anon": UserFactory(is_active=False),
    }[who]
    with pytest.raises(PermissionDenied):
        services.grades_post_to_gradebook(actor=actor, task=world.task)
    assert not MarkChange.objects.exists()
    assert Grade.objects.get().posted_to_gradebook is False


# --- weekly columns and the closed-week rule ----------------------------------------------------


def test_open_week_gets_the_weekly_mark(world):
    a = world.students[0]
    task = TaskFactory(offering=world.offering, created_by=world.tutor, gradebook_column="w7")
    submit_and_grade(world, a, 64, task=task)
    result = services.grades_post_to_gradebook(actor=world.tutor, task=task)
    assert result.posted == 1 and result.late_requests == 0
    weekly = journal_row(world.offering, a.pk).weekly
    assert weekly[7].value == Decimal("64.00") and weekly[7].source == "assignment"


def test_closed_week_goes_to_the_registrar_not_into_the_journal(world):
    a = world.students[0]
    task = TaskFactory(offering=world.offering, created_by=world.tutor, gradebook_column="w3")
    submit_and_grade(world, a, 70, task=task)
    result = services.grades_post_to_gradebook(actor=world.tutor, task=task)
    assert result.posted == 1 and result.late_requests == 1 and result.cells_changed == 0
    assert 3 not in journal_row(world.offering, a.pk).weekly
    request = LateEditRequest.objects.get()
    assert (request.week, request.value, request.source) == (3, Decimal("70.00"), "assignment")
    # Sending again files no second request.
    services.grades_post_to_gradebook(actor=world.tutor, task=task)
    assert LateEditRequest.objects.count() == 1


# --- the page and the API -----------------------------------------------------------------------


def test_submissions_page_button_sends_the_marks(world, client):
    a = world.students[0]
    submit_and_grade(world, a, 17)
    client.force_login(world.tutor)
    page = client.get(reverse("assignments:submissions", args=[world.task.pk]))
    html = page.content.decode()
    assert page.status_code == 200, (page.status_code, page.get("Location"))
    assert "Send released marks to the e-journal (column MT1 (midterm 1))" in html
    assert "1 released mark is not in the e-journal yet." in html
    response = client.post(reverse("assignments:gradebook_post", args=[world.task.pk]), follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "1 mark is sent to the e-journal" in text
    assert "0 released marks are not in the e-journal yet." in text
    assert cell(world, a).value == Decimal("85.00")


def test_submissions_page_says_when_there_is_no_column(world, client):
    task = TaskFactory(offering=world.offering, created_by=world.tutor)
    client.force_login(world.tutor)
    html = client.get(reverse("assignments:submissions", args=[task.pk])).content.decode()
    assert "This task has no e-journal column" in html
    assert "Send released marks" not in html
    response = client.post(reverse("assignments:gradebook_post", args=[task.pk]), follow=True)
    assert "Choose the e-journal column of this task first" in response.content.decode()


def test_student_cannot_post_through_the_page(world, client):
    submit_and_grade(world, world.students[0], 17)
    client.force_login(world.students[0])
    response = client.post(reverse("assignments:gradebook_post", args=[world.task.pk]))
    assert response.status_code == 403
    assert not MarkChange.objects.exists()


def test_task_form_offers_the_journal_columns_and_saves_the_choice(world, client):
    client.force_login(world.tutor)
    url = reverse("assignments:task_edit", args=[world.task.pk])
    html = client.get(url).content.decode()
    assert 'value="rk1" selected' in html
    assert 'value="w15"' in html and 'value="w16"' not in html
    data = {
        "kind": "sro",
        "title": world.task.title,
        "due_at": "2030-01-10T10:00",
        "late_policy": "none",
        "late_penalty_percent": 0,
        "late_penalty_cap": 100,
        "max_points": 20,
        "allow_text": "on",
        "max_files": 5,
        "max_file_mb": 20,
        "gradebook_column": "w5",
    }
    assert client.post(url, data).status_code == 302
    world.task.refresh_from_db()
    assert world.task.gradebook_column == "w5"


def test_api_posts_and_is_idempotent(world, client):
    submit_and_grade(world, world.students[0], 17)
    url = API + f"/tasks/{world.task.pk}/gradebook-post"
    first = client.post(url, headers=_headers(world.tutor))
    assert first.status_code == 200, first.content
    assert first.json() | {} == {
        "column": "rk1",
        "posted": 1,
        "cells_changed": 1,
        "late_requests": 0,
        "skipped": [],
        "unsent": 0,
    }
    second = client.post(url, headers=_headers(world.tutor))
    assert second.json()["posted"] == 0 and second.json()["cells_changed"] == 0
    detail = client.get(API + f"/tasks/{world.task.pk}", headers=_headers(world.tutor))
    assert detail.json()["gradebook_column"] == "rk1"


def test_api_refusals(world, client):
    submit_and_grade(world, world.students[0], 17)
    url = API + f"/tasks/{world.task.pk}/gradebook-post"
    denied = client.post(url, headers=_headers(world.students[0]))
    assert denied.status_code == 403
    task = TaskFactory(offering=world.offering, created_by=world.tutor)
    no_column = client.post(API + f"/tasks/{task.pk}/gradebook-post", headers=_headers(world.tutor))
    assert no_column.status_code == 400
    assert no_column.json()["code"] == "no_gradebook_column"
    assert not MarkChange.objects.exists()
