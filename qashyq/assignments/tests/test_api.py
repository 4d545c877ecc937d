"""The tasks API: who sees which task and submission, submitting a text answer with the
service's rules and error codes, grades hidden until released, pagination and query counts."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from qashyq.accounts import services as account_services
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.assignments import services
from qashyq.assignments.models import Submission
from qashyq.assignments.tests.factories import TaskFactory, course

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _headers(user) -> dict:
    if user is None:
        return {}
    _token, key = account_services.api_token_create(actor=user, owner=user)
    return {"Authorization": f"Bearer {key}"}


def get(client, user, path, **kwargs):
    return client.get(API + path, headers=_headers(user), **kwargs)


def submit(client, user, task, text):
    return client.post(
        API + f"/tasks/{task.pk}/submissions",
        data={"text": text},
        content_type="application/json",
        headers=_headers(user),
    )


class World:
    def __init__(self):
        self.offering, self.tutor, (self.student, self.classmate) = course(students=2)
        _other, self.other_tutor, (self.other_student,) = course(students=1)
        self.methodologist = user_with_role(
            "methodologist", "faculty", self.offering.discipline.department.faculty_id
        )
        self.task = TaskFactory(offering=self.offering, created_by=self.tutor, title="Эссе")
        self.hidden = TaskFactory(
            offering=self.offering, created_by=self.tutor, title="Жасырын", published=False
        )

    def user(self, caller):
        return {
            "anonymous": None,
            "student": self.student,
            "other_student": self.other_student,
            "tutor": self.tutor,
            "other_tutor": self.other_tutor,
            "methodologist": self.methodologist,
            "outsider": UserFactory(),
        }[caller]


@pytest.fixture
def world():
    return World()


MATRIX = {
    "anonymous": 401,
    "student": 200,
    "other_student": 403,
    "tutor": 200,
    "other_tutor": 403,
    # read-only oversight of the offerings in their scope (assignments.policies.can_oversee)
    "methodologist": 200,
}


# --- tasks --------------------------------------------------------------------------------------


@pytest.mark.parametrize("caller", MATRIX)
def test_task_list_matrix(client, world, caller):
    response = get(client, world.user(caller), f"/courses/{world.offering.pk}/tasks")
    assert response.status_code == MATRIX[caller]
    if response.status_code != 200:
        assert response.json()["code"] in {"not_authenticated", "permission_denied"}


def test_students_see_only_published_tasks_and_no_submission_counts(client, world):
    body = get(client, world.student, f"/courses/{world.offering.pk}/tasks").json()
    assert [t["title"] for t in body["items"]] == ["Эссе"]
    assert body["items"][0]["submission_count"] is None
    assert body["items"][0]["course_id"] == world.offering.pk


def test_tutors_see_every_task_with_counts(client, world):
    services.submission_submit(actor=world.student, task=world.task, text="Жауап")
    body = get(client, world.tutor, f"/courses/{world.offering.pk}/tasks").json()
    by_title = {t["title"]: t for t in body["items"]}
    assert set(by_title) == {"Эссе", "Жасырын"}
    assert by_title["Эссе"]["submission_count"] == 1


def test_my_submission_is_shown_in_the_list(client, world):
    submission = services.submission_submit(actor=world.student, task=world.task, text="Жауап")
    body = get(client, world.student, f"/courses/{world.offering.pk}/tasks").json()
    assert body["items"][0]["my_submission"]["id"] == submission.pk


@pytest.mark.parametrize("caller", MATRIX)
def test_task_detail_matrix(client, world, caller):
    response = get(client, world.user(caller), f"/tasks/{world.task.pk}")
    assert response.status_code == MATRIX[caller]


def test_an_unpublished_task_is_not_found_for_students_but_shown_to_tutors(client, world):
    assert get(client, world.student, f"/tasks/{world.hidden.pk}").status_code == 404
    assert get(client, world.other_student, f"/tasks/{world.hidden.pk}").status_code == 403
    body = get(client, world.tutor, f"/tasks/{world.hidden.pk}").json()
    assert body["published"] is False


def test_missing_task_and_course_are_404(client, world):
    assert get(client, world.student, "/tasks/999999").json()["code"] == "not_found"
    assert get(client, world.student, "/courses/999999/tasks").status_code == 404


# --- submitting ---------------------------------------------------------------------------------


def test_student_submits_a_text_answer(client, world):
    response = submit(client, world.student, world.task, "  Арал теңізі туралы эссе  ")
    assert response.status_code == 201
    body = response.json()
    assert body["text"] == "Арал теңізі туралы эссе"
    assert body["attempt"] == 1 and body["is_current"] is True and body["is_late"] is False
    assert body["student"]["id"] == world.student.pk
    assert Submission.objects.get(pk=body["id"]).task == world.task


def test_a_resubmission_keeps_the_first_attempt(client, world):
    submit(client, world.student, world.task, "Бірінші")
    second = submit(client, world.student, world.task, "Екінші").json()
    assert second["attempt"] == 2
    attempts = get(client, world.student, f"/tasks/{world.task.pk}/submissions").json()
    assert [a["text"] for a in attempts["items"]] == ["Екінші", "Бірінші"]


def test_empty_answer_is_refused_with_its_code(client, world):
    response = submit(client, world.student, world.task, "   ")
    assert response.status_code == 400
    assert response.json()["code"] == "empty"
    assert not Submission.objects.exists()


def test_after_cut_off_is_refused_with_its_code(client, world):
    now = timezone.now()
    world.task.due_at = now - datetime.timedelta(days=3)
    world.task.cut_off_at = now - datetime.timedelta(days=1)
    world.task.save()
    response = submit(client, world.student, world.task, "Кеш")
    assert response.status_code == 400
    assert response.json()["code"] == "after_cut_off"
    assert not Submission.objects.exists()


def test_late_answer_before_cut_off_is_accepted_and_marked_late(client, world):
    now = timezone.now()
    world.task.due_at = now - datetime.timedelta(days=1)
    world.task.cut_off_at = now + datetime.timedelta(days=1)
    world.task.save()
    response = submit(client, world.student, world.task, "Кеш жауап")
    assert response.status_code == 201
    assert response.json()["is_late"] is True


def test_files_only_task_refuses_text(client, world):
    world.task.allow_text = False
    world.task.save()
    response = submit(client, world.student, world.task, "Мәтін")
    assert response.json()["code"] == "text_not_allowed"


def test_missing_text_field_is_a_422(client, world):
    response = client.post(
        API + f"/tasks/{world.task.pk}/submissions",
        data={},
        content_type="application/json",
        headers=_headers(world.student),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


@pytest.mark.parametrize(
    ("caller", "status", "code"),
    [
        ("anonymous", 401, "not_authenticated"),
        ("other_student", 403, "permission_denied"),
        ("tutor", 403, "permission_denied"),
    ],
)
def test_only_enrolled_students_submit(client, world, caller, status, code):
    response = submit(client, world.user(caller), world.task, "Жауап")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert not Submission.objects.exists()


def test_students_cannot_submit_to_an_unpublished_task(client, world):
    response = submit(client, world.student, world.hidden, "Жауап")
    assert response.status_code == 404
    assert not Submission.objects.exists()


def test_session_submit_needs_the_csrf_token(world):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.student)
    response = browser.post(
        API + f"/tasks/{world.task.pk}/submissions",
        data={"text": "Жауап"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Submission.objects.exists()


# --- reading submissions and grades -------------------------------------------------------------


def _graded(world, *, released: bool):
    submission = services.submission_submit(actor=world.student, task=world.task, text="Жауап")
    services.grade_submission(
        actor=world.tutor,
        submission=submission,
        points=Decimal("87"),
        feedback="Жақсы **жұмыс**",
        released=released,
    )
    return submission


def test_submission_list_tutor_sees_everyones_current_student_only_own(client, world):
    mine = services.submission_submit(actor=world.student, task=world.task, text="Менікі")
    theirs = services.submission_submit(actor=world.classmate, task=world.task, text="Оныкі")
    tutor = get(client, world.tutor, f"/tasks/{world.task.pk}/submissions").json()
    assert {s["id"] for s in tutor["items"]} == {mine.pk, theirs.pk}
    student = get(client, world.student, f"/tasks/{world.task.pk}/submissions").json()
    assert [s["id"] for s in student["items"]] == [mine.pk]
    other = get(client, world.other_student, f"/tasks/{world.task.pk}/submissions")
    assert other.status_code == 403
    assert get(client, None, f"/tasks/{world.task.pk}/submissions").status_code == 401


def test_unreleased_grade_is_hidden_from_the_student(client, world):
    submission = _graded(world, released=False)
    body = get(client, world.student, f"/submissions/{submission.pk}").json()
    assert body["grade"] is None
    assert "raw_points" not in str(body) and "Жақсы" not in str(body)
    listed = get(client, world.student, f"/tasks/{world.task.pk}/submissions").json()
    assert listed["items"][0]["grade"] is None
    tutor = get(client, world.tutor, f"/submissions/{submission.pk}").json()
    assert tutor["grade"]["points"] == 87.0
    assert tutor["grade"]["released"] is False


def test_released_grade_is_shown_to_the_student(client, world):
    submission = _graded(world, released=True)
    body = get(client, world.student, f"/submissions/{submission.pk}").json()
    assert body["grade"]["points"] == 87.0
    assert body["grade"]["feedback_html"] == "<p>Жақсы <strong>жұмыс</strong></p>\n"


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("anonymous", 401),
        ("student", 200),
        ("other_student", 403),
        ("tutor", 200),
        ("other_tutor", 403),
        ("methodologist", 200),
    ],
)
def test_submission_detail_matrix(client, world, caller, status):
    submission = services.submission_submit(actor=world.student, task=world.task, text="Жауап")
    assert get(client, world.user(caller), f"/submissions/{submission.pk}").status_code == status


def test_classmate_cannot_read_anothers_submission(client, world):
    submission = services.submission_submit(actor=world.student, task=world.task, text="Жауап")
    response = get(client, world.classmate, f"/submissions/{submission.pk}")
    assert response.status_code == 403
    assert get(client, world.student, "/submissions/999999").status_code == 404


# --- pagination and query counts ----------------------------------------------------------------


@pytest.fixture
def crowd():
    offering, tutor, students = course(students=25)
    tasks = [TaskFactory(offering=offering, created_by=tutor) for _n in range(22)]
    for student in students:
        submission = services.submission_submit(actor=student, task=tasks[0], text="Жауап")
        services.grade_submission(
            actor=tutor, submission=submission, points=Decimal("50"), released=True
        )
    return offering, tutor, students, tasks


def test_task_list_pagination(client, crowd):
    offering, tutor, _students, _tasks = crowd
    page = get(client, tutor, f"/courses/{offering.pk}/tasks?limit=5&offset=20").json()
    assert page["total"] == 22 and page["limit"] == 5 and len(page["items"]) == 2


LIST_BUDGET = 12


@pytest.mark.parametrize("who", ["tutor", "student"])
def test_task_list_query_count_does_not_grow(client, crowd, who, django_assert_max_num_queries):
    offering, tutor, students, _tasks = crowd
    headers = _headers(tutor if who == "tutor" else students[0])
    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(API + f"/courses/{offering.pk}/tasks?limit=100", headers=headers)
    assert len(response.json()["items"]) == 22


def test_submission_list_query_count_does_not_grow(client, crowd, django_assert_max_num_queries):
    _offering, tutor, _students, tasks = crowd
    headers = _headers(tutor)
    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(API + f"/tasks/{tasks[0].pk}/submissions?limit=100", headers=headers)
    items = response.json()["items"]
    assert len(items) == 25
    assert all(item["grade"]["points"] == 50.0 for item in items)


def test_openapi_lists_the_task_paths(client):
    schema = client.get(API + "/openapi.json").json()
    paths = schema["paths"]
    assert {
        "/api/v1/courses/{course_id}/tasks",
        "/api/v1/tasks/{task_id}",
        "/api/v1/tasks/{task_id}/submissions",
        "/api/v1/submissions/{submission_id}",
    } <= set(paths)
    assert set(paths["/api/v1/tasks/{task_id}/submissions"]) == {"get", "post"}
