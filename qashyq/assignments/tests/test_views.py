"""The pages: role × action matrix, forms, files, the similarity report."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from qashyq.accounts.tests.factories import UserFactory
from qashyq.assignments import services
from qashyq.assignments.models import Grade, SimilarityReport, Submission, Task
from qashyq.assignments.tests.factories import TaskFactory, course
from qashyq.assignments.tests.test_services import RUBRIC
from qashyq.assignments.tests.test_similarity import KK_INDEPENDENT, KK_NEAR_COPY, KK_ORIGINAL

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture(autouse=True)
def _english_staff_without_totp(settings, client):
    # The staff TOTP rule has its own tests in accounts; here staff reach the pages directly.
    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def world():
    offering, tutor, students = course(3)
    other_offering, other_tutor, outsiders = course(1)
    task = TaskFactory(offering=offering)
    services._set_rubric(task, RUBRIC)
    draft = TaskFactory(offering=offering, published=False, title="Жоба")
    return {
        "offering": offering,
        "tutor": tutor,
        "students": students,
        "other_tutor": other_tutor,
        "outsider": outsiders[0],
        "stranger": UserFactory(),
        "task": task,
        "draft": draft,
    }


def login(client, user):
    client.force_login(user)
    return client


def test_student_task_list_shows_published_tasks_with_state(client, world, english):
    student = world["students"][0]
    services.submission_submit(actor=student, task=world["task"], text="Жауап")
    late_open = TaskFactory(
        offering=world["offering"],
        title="Кеш тапсырма",
        due_at=NOW - datetime.timedelta(days=1),
        cut_off_at=NOW + datetime.timedelta(days=1),
    )
    page = login(client, student).get(reverse("assignments:task_list", args=[world["offering"].pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert world["task"].title in body and late_open.title in body
    assert "Submitted" in body and "Overdue: late submission possible" in body
    assert world["draft"].title not in body


def test_tutor_task_list_shows_drafts(client, world, english):
    page = login(client, world["tutor"]).get(
        reverse("assignments:task_list", args=[world["offering"].pk])
    )
    assert world["draft"].title in page.content.decode()
    assert "Draft, not visible to students" in page.content.decode()


@pytest.mark.parametrize("who", ["outsider", "other_tutor", "stranger"])
def test_people_outside_the_course_get_403(client, world, who, english):
    c = login(client, world[who])
    task = world["task"]
    for url in (
        reverse("assignments:task_list", args=[world["offering"].pk]),
        reverse("assignments:task_detail", args=[task.pk]),
        reverse("assignments:submissions", args=[task.pk]),
        reverse("assignments:similarity", args=[task.pk]),
        reverse("assignments:task_edit", args=[task.pk]),
    ):
        response = c.get(url)
        assert response.status_code == 403, url
        assert "Access denied" in response.content.decode()
    response = c.post(reverse("assignments:task_detail", args=[task.pk]), {"text": "Жауап"})
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_student_cannot_open_draft_nor_tutor_pages_nor_change_anything(client, world):
    student = world["students"][0]
    sub = services.submission_submit(actor=world["students"][1], task=world["task"], text="Жауап")
    c = login(client, student)
    assert c.get(reverse("assignments:task_detail", args=[world["draft"].pk])).status_code == 403
    assert c.get(reverse("assignments:submissions", args=[world["task"].pk])).status_code == 403
    assert c.post(reverse("assignments:grade", args=[sub.pk]), {"points": "99"}).status_code == 403
    assert (
        c.post(
            reverse("assignments:task_publish", args=[world["draft"].pk]), {"published": "1"}
        ).status_code
        == 403
    )
    assert (
        c.post(
            reverse("assignments:task_create", args=[world["offering"].pk]),
            {"title": "X", "due_at": "2030-01-01T10:00"},
        ).status_code
        == 403
    )
    assert not Grade.objects.exists()
    assert not Task.objects.get(pk=world["draft"].pk).published
    assert Task.objects.count() == 2


def test_tutor_creates_and_publishes_task_through_the_form(client, world):
    c = login(client, world["tutor"])
    response = c.post(
        reverse("assignments:task_create", args=[world["offering"].pk]),
        {
            "kind": "srop",
            "title": "Жаңа СӨЖ",
            "instructions": "**Оқыңыз**",
            "due_at": "2030-01-10T18:00",
            "cut_off_at": "2030-01-12T18:00",
            "late_policy": "penalty_percent_per_day",
            "late_penalty_percent": "10",
            "late_penalty_cap": "50",
            "max_points": "100",
            "allow_text": "on",
            "allow_files": "on",
            "max_files": "3",
            "max_file_mb": "10",
            "rubric": "Мазмұны: толық = 70; жартылай = 35\nТілі: жақсы = 30; әлсіз = 10",
        },
    )
    task = Task.objects.get(title="Жаңа СӨЖ")
    assert response.status_code == 302
    assert [c.title for c in task.criteria.all()] == ["Мазмұны", "Тілі"]
    assert task.cut_off_at - task.due_at == datetime.timedelta(days=2)
    c.post(reverse("assignments:task_publish", args=[task.pk]), {"published": "1"})
    assert Task.objects.get(pk=task.pk).published
    page = c.get(reverse("assignments:task_edit", args=[task.pk]))
    assert "толық = 70" in page.content.decode()


def test_task_form_errors_are_shown(client, world, english):
    response = login(client, world["tutor"]).post(
        reverse("assignments:task_create", args=[world["offering"].pk]),
        {
            "kind": "sro",
            "title": "Қате",
            "due_at": "2030-01-10T18:00",
            "cut_off_at": "2030-01-09T18:00",
            "late_policy": "none",
            "late_penalty_percent": "0",
            "late_penalty_cap": "100",
            "max_points": "100",
            "allow_text": "on",
            "max_files": "3",
            "max_file_mb": "10",
            "rubric": "бұзық жол",
        },
    )
    assert response.status_code == 400
    assert "Rubric line 1" in response.content.decode()
    assert not Task.objects.filter(title="Қате").exists()


def test_student_submits_through_the_page_and_sees_errors(client, world, english):
    student = world["students"][0]
    c = login(client, student)
    url = reverse("assignments:task_detail", args=[world["task"].pk])
    page = c.get(url)
    assert "Up to 5 files, each at most 20 MB" in page.content.decode()
    empty = c.post(url, {"text": "  "})
    assert empty.status_code == 400
    assert "The submission is empty" in empty.content.decode()
    bad = c.post(url, {"text": "Жауап", "files": [SimpleUploadedFile("x.exe", b"MZ" + b"\0" * 50)]})
    assert bad.status_code == 400 and not Submission.objects.exists()
    ok = c.post(
        url,
        {"text": "Менің жауабым", "files": [SimpleUploadedFile("a.txt", "мәтін".encode())]},
    )
    assert ok.status_code == 302
    page = c.get(url).content.decode()
    assert "Менің жауабым" in page and "a.txt" in page


def test_files_are_served_only_to_author_and_tutor(client, world):
    student, classmate = world["students"][0], world["students"][1]
    sub = services.submission_submit(
        actor=student, task=world["task"], uploads=[SimpleUploadedFile("a.txt", b"hello world")]
    )
    file_url = reverse("assignments:submission_file", args=[sub.files.get().pk])
    response = login(client, student).get(file_url, HTTP_RANGE="bytes=0-4")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == b"hello"
    assert login(client, world["tutor"]).get(file_url).status_code == 200
    for user in (classmate, world["other_tutor"], world["outsider"]):
        assert login(client, user).get(file_url).status_code == 403


def test_rubric_grading_page_and_released_feedback(client, world, english):
    student = world["students"][0]
    sub = services.submission_submit(actor=student, task=world["task"], text="Жауап")
    levels = {lv.title: lv for c in world["task"].criteria.all() for lv in c.levels.all()}
    c = login(client, world["tutor"])
    page = c.get(reverse("assignments:grade", args=[sub.pk])).content.decode()
    assert 'type="radio"' in page
    data = {
        f"criterion-{levels['Толық'].criterion_id}": levels["Толық"].pk,
        f"criterion-{levels['Әлсіз'].criterion_id}": levels["Әлсіз"].pk,
        "feedback": "Құрылымы әлсіз",
    }
    assert c.post(reverse("assignments:grade", args=[sub.pk]), data).status_code == 302
    assert Grade.objects.get().points == 70
    student_page = login(client, student).get(
        reverse("assignments:task_detail", args=[world["task"].pk])
    )
    assert "Құрылымы әлсіз" not in student_page.content.decode()  # not released yet
    login(client, world["tutor"]).post(
        reverse("assignments:grade", args=[sub.pk]), data | {"released": "1"}
    )
    student_page = login(client, student).get(
        reverse("assignments:task_detail", args=[world["task"].pk])
    )
    assert "Құрылымы әлсіз" in student_page.content.decode()
    assert "70" in student_page.content.decode()


def test_submissions_list_query_count_is_bounded(client, world, django_assert_max_num_queries):
    for student in world["students"]:
        services.submission_submit(
            actor=student,
            task=world["task"],
            text="Жауап",
            uploads=[SimpleUploadedFile("a.txt", b"text")],
        )
    c = login(client, world["tutor"])
    url = reverse("assignments:submissions", args=[world["task"].pk])
    c.get(url)
    with django_assert_max_num_queries(14):
        response = c.get(url)
    assert response.content.decode().count("a.txt") == 3


def test_similarity_page_marks_passages_side_by_side_escaped(
    client, world, django_capture_on_commit_callbacks
):
    s1, s2, s3 = world["students"]
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_submit(actor=s1, task=world["task"], text="<b>x</b> " + KK_ORIGINAL)
        services.submission_submit(actor=s2, task=world["task"], text=KK_NEAR_COPY)
        services.submission_submit(actor=s3, task=world["task"], text=KK_INDEPENDENT)
    assert SimilarityReport.objects.count() == 1
    page = login(client, world["tutor"]).get(
        reverse("assignments:similarity", args=[world["task"].pk])
    )
    body = page.content.decode()
    assert body.count("similarity-pair") == 1
    assert "<mark>" in body and "&lt;b&gt;x&lt;/b&gt;" in body and "<b>x</b>" not in body
    assert s1.full_name in body and s2.full_name in body and s3.full_name not in body
