"""Oversight: methodologists and heads of department read the independent work of the offerings in
their scope (tasks, drafts too, submissions, grades, similarity reports), on the pages and over
the API, and can change nothing: role × action matrix, every denied action leaves the data as it
was."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qashyq.accounts import services as account_services
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.assignments import policies, services
from qashyq.assignments.models import Grade, SimilarityReport, Submission, Task
from qashyq.assignments.tests.factories import TaskFactory, course
from qashyq.assignments.tests.test_similarity import KK_NEAR_COPY, KK_ORIGINAL
from qashyq.core.models import AuditLogEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API = "/api/v1"


@pytest.fixture(autouse=True)
def _staff_without_totp(settings, client):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


class World:
    def __init__(self, capture):
        self.offering, self.tutor, (self.student, self.classmate) = course(students=2)
        _other, self.other_tutor, (self.outsider,) = course(students=1)
        group = self.offering.groups.get()
        discipline_faculty = self.offering.discipline.department.faculty_id
        program_faculty = group.program.department.faculty_id
        self.users = {
            "tutor": self.tutor,
            "student": self.student,
            "other_student": self.outsider,
            "other_tutor": self.other_tutor,
            # methodologist of the faculty of the discipline's department
            "methodologist": user_with_role("methodologist", "faculty", discipline_faculty),
            # head of department of the faculty of the group's program
            "head_of_department": user_with_role("head_of_department", "faculty", program_faculty),
            "program_methodologist": user_with_role("methodologist", "program", group.program_id),
            "group_methodologist": user_with_role("methodologist", "group", group.pk),
            "course_methodologist": user_with_role("methodologist", "course", self.offering.pk),
            "site_head": user_with_role("head_of_department"),
            "other_methodologist": user_with_role(
                "methodologist", "faculty", _other.discipline.department.faculty_id
            ),
            # a program leader is not an oversight role of independent work
            "program_leader": user_with_role("program_leader", "faculty", discipline_faculty),
            "outsider": UserFactory(),
        }
        self.task = TaskFactory(offering=self.offering, created_by=self.tutor, title="Эссе")
        self.draft = TaskFactory(
            offering=self.offering, created_by=self.tutor, title="Жоба", published=False
        )
        with capture(execute=True):
            self.submission = services.submission_submit(
                actor=self.student,
                task=self.task,
                text=KK_ORIGINAL,
                uploads=[SimpleUploadedFile("essay.txt", "Эссе мәтіні".encode())],
            )
            self.copy = services.submission_submit(
                actor=self.classmate, task=self.task, text=KK_NEAR_COPY
            )
        self.grade = services.grade_submission(
            actor=self.tutor,
            submission=self.submission,
            points=Decimal("70"),
            feedback="Жасырын пікір",
            feedback_upload=SimpleUploadedFile("review.txt", "Пікір".encode()),
            released=False,
        )
        self.report = SimilarityReport.objects.get()


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    return World(django_capture_on_commit_callbacks)


OVERSEERS = [
    "methodologist",
    "head_of_department",
    "program_methodologist",
    "group_methodologist",
    "course_methodologist",
    "site_head",
]
NOT_ALLOWED = ["other_student", "other_tutor", "other_methodologist", "program_leader", "outsider"]


def snapshot(world) -> dict:
    """Everything a denied action must leave as it was."""
    grade = Grade.objects.get(pk=world.grade.pk)
    return {
        "grade": (grade.points, grade.feedback, grade.released, grade.graded_by_id),
        "submissions": sorted(Submission.objects.values_list("pk", "is_current", "text")),
        "reports": sorted(SimilarityReport.objects.values_list("pk", "computed_at")),
        "tasks": sorted(Task.objects.values_list("pk", "title", "published", "due_at")),
        "audit": AuditLogEntry.objects.count(),
    }


# --- the predicates -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", OVERSEERS)
def test_overseers_read_but_never_act(world, who):
    user = world.users[who]
    assert policies.can_list_tasks(user, world.offering)
    assert policies.can_view_task(user, world.draft)
    assert policies.can_view_submission(user, world.submission)
    assert policies.can_view_grade(user, world.submission)
    assert policies.can_view_similarity(user, world.task)
    assert not policies.can_manage_tasks(user, world.offering)
    assert not policies.can_grade(user, world.submission)
    assert not policies.can_run_similarity(user, world.task)
    assert not policies.can_submit(user, world.task)


@pytest.mark.parametrize("who", NOT_ALLOWED)
def test_others_read_nothing(world, who):
    user = world.users[who]
    assert not policies.can_list_tasks(user, world.offering)
    assert not policies.can_view_task(user, world.task)
    assert not policies.can_view_submission(user, world.submission)
    assert not policies.can_view_similarity(user, world.task)


# --- pages: reading -----------------------------------------------------------------------------

READ_PAGES = {
    "task_list": lambda w: reverse("assignments:task_list", args=[w.offering.pk]),
    "draft_task": lambda w: reverse("assignments:task_detail", args=[w.draft.pk]),
    "submissions": lambda w: reverse("assignments:submissions", args=[w.task.pk]),
    "similarity": lambda w: reverse("assignments:similarity", args=[w.task.pk]),
    "submitted_file": lambda w: reverse(
        "assignments:submission_file", args=[w.submission.files.get().pk]
    ),
    "feedback_file": lambda w: reverse("assignments:feedback_file", args=[w.submission.pk]),
}
PAGE_STATUS = {
    "tutor": 200,
    **dict.fromkeys(OVERSEERS, 200),
    **dict.fromkeys(NOT_ALLOWED, 403),
}


@pytest.mark.parametrize("page", READ_PAGES)
@pytest.mark.parametrize("who", PAGE_STATUS)
def test_read_pages_matrix(client, world, who, page):
    client.force_login(world.users[who])
    response = client.get(READ_PAGES[page](world))
    assert response.status_code == PAGE_STATUS[who]


def test_student_sees_neither_the_submissions_nor_the_report(client, world):
    client.force_login(world.student)
    for page in ("submissions", "similarity", "draft_task"):
        assert client.get(READ_PAGES[page](world)).status_code in {403, 404}


def test_overseer_pages_show_the_work_without_any_action(client, world):
    client.force_login(world.users["methodologist"])
    tasks = client.get(READ_PAGES["task_list"](world)).content.decode()
    assert "Жоба" in tasks and "Draft, not visible to students" in tasks
    assert reverse("assignments:task_create", args=[world.offering.pk]) not in tasks

    detail = client.get(reverse("assignments:task_detail", args=[world.task.pk])).content.decode()
    assert reverse("assignments:submissions", args=[world.task.pk]) in detail
    assert reverse("assignments:task_edit", args=[world.task.pk]) not in detail
    assert reverse("assignments:task_publish", args=[world.task.pk]) not in detail
    assert 'name="text"' not in detail  # no submit form

    listing = client.get(READ_PAGES["submissions"](world)).content.decode()
    assert world.student.full_name in listing and world.classmate.full_name in listing
    assert "70" in listing and "not released" in listing and "Жасырын пікір" in listing
    assert reverse("assignments:grade", args=[world.submission.pk]) not in listing
    assert "Change grade" not in listing

    report = client.get(READ_PAGES["similarity"](world)).content.decode()
    assert report.count("similarity-pair") == 1 and "<mark>" in report
    assert "Run the check again" not in report


def test_tutor_pages_keep_their_actions(client, world):
    client.force_login(world.tutor)
    listing = client.get(READ_PAGES["submissions"](world)).content.decode()
    assert reverse("assignments:grade", args=[world.submission.pk]) in listing
    report = client.get(READ_PAGES["similarity"](world)).content.decode()
    assert "Run the check again" in report


# --- pages: acting ------------------------------------------------------------------------------


def _page_actions(world):
    return {
        "grade": (
            reverse("assignments:grade", args=[world.submission.pk]),
            {"points": "5", "feedback": "x", "released": "1"},
        ),
        "grade_form": (reverse("assignments:grade", args=[world.copy.pk]), None),
        "run_similarity": (reverse("assignments:similarity", args=[world.task.pk]), {}),
        "submit": (
            reverse("assignments:task_detail", args=[world.task.pk]),
            {"text": "Бақылаушының жауабы"},
        ),
        "publish": (
            reverse("assignments:task_publish", args=[world.draft.pk]),
            {"published": "1"},
        ),
        "edit": (
            reverse("assignments:task_edit", args=[world.task.pk]),
            {"kind": "sro", "title": "Өзгертілді", "due_at": "2030-01-01T10:00"},
        ),
        "create": (
            reverse("assignments:task_create", args=[world.offering.pk]),
            {"kind": "sro", "title": "Жаңа", "due_at": "2030-01-01T10:00"},
        ),
    }


ACTIONS = ["grade", "grade_form", "run_similarity", "submit", "publish", "edit", "create"]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", [*OVERSEERS, "other_tutor", "outsider"])
def test_denied_page_actions_change_nothing(client, world, who, action):
    url, data = _page_actions(world)[action]
    before = snapshot(world)
    client.force_login(world.users[who])
    response = client.get(url) if data is None else client.post(url, data)
    assert response.status_code == 403
    assert snapshot(world) == before


# --- the API ------------------------------------------------------------------------------------


def _headers(user) -> dict:
    _token, key = account_services.api_token_create(actor=user, owner=user)
    return {"Authorization": f"Bearer {key}"}


API_STATUS = {
    "tutor": 200,
    "student": 200,
    **dict.fromkeys(OVERSEERS, 200),
    **dict.fromkeys(NOT_ALLOWED, 403),
}


@pytest.mark.parametrize("who", API_STATUS)
def test_api_read_matrix(client, world, who):
    headers = _headers(world.users[who])
    paths = [
        f"/courses/{world.offering.pk}/tasks",
        f"/tasks/{world.task.pk}",
        f"/tasks/{world.task.pk}/submissions",
        f"/submissions/{world.submission.pk}",
    ]
    for path in paths:
        assert client.get(API + path, headers=headers).status_code == API_STATUS[who], path
    similarity = client.get(API + f"/tasks/{world.task.pk}/similarity", headers=headers)
    expected = 403 if who == "student" else API_STATUS[who]
    assert similarity.status_code == expected


@pytest.mark.parametrize("who", OVERSEERS)
def test_api_overseer_reads_everything_the_tutor_reads(client, world, who):
    headers = _headers(world.users[who])
    tasks = client.get(API + f"/courses/{world.offering.pk}/tasks", headers=headers).json()
    assert {t["title"] for t in tasks["items"]} == {"Эссе", "Жоба"}
    assert {t["submission_count"] for t in tasks["items"]} == {2, 0}
    subs = client.get(API + f"/tasks/{world.task.pk}/submissions", headers=headers).json()
    assert {s["id"] for s in subs["items"]} == {world.submission.pk, world.copy.pk}
    graded = next(s for s in subs["items"] if s["id"] == world.submission.pk)
    assert graded["grade"]["points"] == 70.0 and graded["grade"]["released"] is False
    report = client.get(API + f"/tasks/{world.task.pk}/similarity", headers=headers).json()
    assert len(report) == 1 and report[0]["earlier_year"] is False


@pytest.mark.parametrize("who", [*OVERSEERS, "student", "other_tutor", "outsider"])
def test_api_denied_actions_change_nothing(client, world, who):
    headers = _headers(world.users[who])
    before = snapshot(world)
    grade = client.put(
        API + f"/submissions/{world.submission.pk}/grade",
        data={"points": 5, "feedback": "x", "released": True},
        content_type="application/json",
        headers=headers,
    )
    assert grade.status_code == 403 and grade.json()["code"] == "permission_denied"
    run = client.post(API + f"/tasks/{world.task.pk}/similarity", headers=headers)
    assert run.status_code == 403 and run.json()["code"] == "permission_denied"
    if who != "student":
        submit = client.post(
            API + f"/tasks/{world.task.pk}/submissions",
            data={"text": "Жауап"},
            content_type="application/json",
            headers=headers,
        )
        assert submit.status_code == 403 and submit.json()["code"] == "permission_denied"
    assert snapshot(world) == before


def test_overseer_list_query_count_is_bounded(client, world, django_assert_max_num_queries):
    for n in range(20):
        TaskFactory(offering=world.offering, created_by=world.tutor, title=f"Қосымша {n}")
    headers = _headers(world.users["methodologist"])
    with django_assert_max_num_queries(12):
        response = client.get(
            API + f"/courses/{world.offering.pk}/tasks?limit=100", headers=headers
        )
    assert len(response.json()["items"]) == 22
