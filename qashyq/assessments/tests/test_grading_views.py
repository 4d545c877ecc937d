"""The manual grading queue and the regrade pages: what a tutor sees and saves, what everybody
else is refused, bounded queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from qashyq.academics.models import Enrollment
from qashyq.academics.tests.factories import CourseOfferingFactory, StudentProfileFactory
from qashyq.accounts.tests.factories import UserFactory
from qashyq.assessments import services as bank_services
from qashyq.assessments.models import Answer, Attempt, AttemptFile
from qashyq.assessments.services import attempts as svc
from qashyq.core.models import AuditLogEntry

from .attempt_world import KEY, World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


@pytest.fixture
def world(db):
    return World()


def finished(test, student, responses):
    attempt, _ = svc.attempt_start_or_resume(actor=student, test=test)
    for qtype, response in responses.items():
        slot = attempt.slots.get(question_version__qtype=qtype)
        svc.answer_save(actor=student, attempt=attempt, slot=slot.number, response=response, seq=1)
    return svc.attempt_submit(actor=student, attempt=attempt)


def manual_test(world):
    return world.test(questions=[world.questions["single"], world.questions["essay"]])


def queue_url(test, **params):
    url = reverse("assessments:grading_queue", args=[test.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def grade_url(test, answer, **params):
    url = reverse("assessments:grading_answer", args=[test.pk, answer.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def essay_of(attempt):
    return Answer.objects.get(slot__attempt=attempt, slot__question_version__qtype="essay")


def test_the_queue_shows_the_question_the_sanitised_response_the_grader_info_and_files(
    client, world
):
    test = world.test()
    attempt, _ = svc.attempt_start_or_resume(actor=world.student, test=test)
    file_slot = attempt.slots.get(question_version__qtype="file")
    upload = AttemptFile.objects.create(
        attempt=attempt,
        slot=file_slot,
        file=ContentFile(b"\x89PNG\r\n", name="drawing.png"),
        original_name="домбыра.png",
        kind="image",
        mime_type="image/png",
        size=6,
        sha256="0" * 64,
        uploaded_at=timezone.now(),
    )
    essay_slot = attempt.slots.get(question_version__qtype="essay")
    svc.answer_save(
        actor=world.student,
        attempt=attempt,
        slot=essay_slot.number,
        response={"text": '<p>Абай — <b>ақын</b>.</p><script>alert("x")</script>'},
        seq=1,
    )
    svc.answer_save(
        actor=world.student,
        attempt=attempt,
        slot=file_slot.number,
        response={"files": [upload.pk]},
        seq=1,
    )
    svc.attempt_submit(actor=world.student, attempt=attempt)
    client.force_login(world.tutor)
    response = client.get(queue_url(test))
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 essay and file answers wait for a mark" in page
    assert "Абай туралы эссе жазыңыз" in page  # the essay's question
    assert "Суретіңізді жүктеңіз" in page  # the file question
    assert "<b>ақын</b>" in page and "alert(" not in page  # rich text kept, script gone
    assert "SECRET-GRADER-INFO" in page  # the grader information is for the tutor
    assert f"/api/v1/attempts/{attempt.pk}/files/{upload.pk}" in page
    assert "домбыра.png" in page
    assert "Points (0–1)" in page
    assert "Send the marks to the e-journal column" not in page  # no column on this test


def test_grading_one_by_one_until_the_score_is_final(client, world):
    test = world.test()
    attempt = finished(test, world.student, KEY)
    assert attempt.needs_grading and attempt.score == Decimal("9")
    client.force_login(world.tutor)
    page = client.get(queue_url(test, mode="one")).content.decode()
    assert page.count('class="panel grading-item"') == 1
    assert "1 of 2" in page
    essay = essay_of(attempt)
    response = client.post(
        grade_url(test, essay, mode="one"), {"points": "0,5", "comment": "Жақсы, бірақ қысқа"}
    )
    assert response.status_code == 302 and "mode=one" in response["Location"]
    essay.refresh_from_db()
    assert essay.manual_points == Decimal("0.5") and essay.comment == "Жақсы, бірақ қысқа"
    assert essay.graded_by == world.tutor
    attempt.refresh_from_db()
    assert attempt.needs_grading
    page = client.get(response["Location"]).content.decode()
    assert "Saved: 0.5 points" in page
    assert "1 essay or file answer waits for a mark" in page
    assert "Суретіңізді жүктеңіз" in page and "Абай туралы" not in page
    file_answer = Answer.objects.get(slot__attempt=attempt, slot__question_version__qtype="file")
    response = client.post(grade_url(test, file_answer, mode="one"), {"points": "1"}, follow=True)
    page = response.content.decode()
    attempt.refresh_from_db()
    assert not attempt.needs_grading and attempt.score == Decimal("10.5")
    assert "is final: 10.5 of 11" in page
    assert "No answer waits for a mark" in page
    assert AuditLogEntry.objects.filter(action="assessments.answer_graded").count() == 2
    # a graded answer can be corrected from the list of every hand-graded answer
    page = client.get(queue_url(test, show="all")).content.decode()
    assert 'value="0.5"' in page and "Marked by" in page


@pytest.mark.parametrize("points", ["", "1.5", "-1", "бір", "NaN"])
def test_bad_points_are_refused_with_a_message_and_change_nothing(client, world, points):
    test = manual_test(world)
    attempt = finished(test, world.student, {"single": "a", "essay": {"text": "Мәтін"}})
    essay = essay_of(attempt)
    client.force_login(world.tutor)
    response = client.post(grade_url(test, essay), {"points": points, "comment": "кейін"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and 'aria-invalid="true"' in page
    assert "кейін" in page  # the comment typed is kept in the form
    essay.refresh_from_db()
    assert essay.manual_points is None and essay.comment == ""
    assert not AuditLogEntry.objects.filter(action="assessments.answer_graded").exists()


def test_only_the_offerings_tutors_grade_and_a_refusal_changes_nothing(client, world):
    test = manual_test(world)
    attempt = finished(test, world.student, {"single": "a", "essay": {"text": "Мәтін"}})
    essay = essay_of(attempt)
    other_tutor = UserFactory()  # teaches another course
    CourseOfferingFactory(tutors=[other_tutor])
    for user in (
        world.student,
        world.students[1],
        world.outsider,
        world.methodologist,
        other_tutor,
    ):
        client.force_login(user)
        assert client.get(queue_url(test)).status_code == 404
        assert client.post(grade_url(test, essay), {"points": "1"}).status_code == 404
        assert client.get(reverse("assessments:test_regrade", args=[test.pk])).status_code == 404
        response = client.post(
            reverse("assessments:test_regrade", args=[test.pk]), {"versions": "current"}
        )
        assert response.status_code == 404
    essay.refresh_from_db()
    assert essay.manual_points is None
    assert not AuditLogEntry.objects.filter(
        action__in=["assessments.answer_graded", "assessments.test_regraded"]
    ).exists()
    client.logout()
    response = client.get(queue_url(test))
    assert response.status_code == 302 and "login" in response["Location"]
    # an answer of another test is not reachable through this test's address
    client.force_login(world.tutor)
    other = manual_test(world)
    assert client.post(grade_url(other, essay), {"points": "1"}).status_code == 404
    # GET is not a way to grade
    assert client.get(grade_url(test, essay)).status_code == 405


def _students(world, n):
    users = []
    for _ in range(n):
        user = StudentProfileFactory(group=world.group).user
        Enrollment.objects.get_or_create(
            offering=world.offering, student=user, defaults={"group": world.group}
        )
        users.append(user)
    return users


@pytest.mark.parametrize("count", [5, 30])
def test_the_queue_costs_the_same_queries_for_5_and_30_attempts(
    client, world, count, django_assert_max_num_queries
):
    test = manual_test(world)
    for user in _students(world, count):
        finished(test, user, {"single": "a", "essay": {"text": "Мәтін"}})
    client.force_login(world.tutor)
    with django_assert_max_num_queries(10):
        response = client.get(queue_url(test))
    assert response.status_code == 200
    assert response.content.decode().count('class="panel grading-item"') == min(count, 20)


def test_regrade_against_the_current_version_reports_old_and_new_marks(client, world):
    test = world.test(
        questions=[world.questions["single"], world.questions["truefalse"]],
        shuffle_questions=False,
    )
    chose_b = finished(test, world.student, {"single": "b", "truefalse": True})
    finished(test, world.students[1], {"single": "a", "truefalse": True})
    client.force_login(world.tutor)
    url = reverse("assessments:test_regrade", args=[test.pk])
    page = client.get(url).content.decode()
    assert "Every attempt shows the current version" in page
    data = world.questions["single"].current_version.data
    bank_services.question_update(
        actor=world.tutor,
        question=world.questions["single"],
        data={
            **data,
            "options": [{**o, "fraction": 1.0 if o["id"] == "b" else 0.0} for o in data["options"]],
        },
    )
    page = client.get(url).content.decode()
    assert "1 question shown in this test has a newer version in the bank" in page
    response = client.post(url, {"versions": "current"})
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:test_regrade_report", args=[test.pk])
    page = client.get(response["Location"]).content.decode()
    assert "The marks of 2 attempts changed" in page
    assert str(world.student) in page and str(world.students[1]) in page
    assert "question 1: 0 → 1" in page and "question 1: 1 → 0" in page
    chose_b.refresh_from_db()
    assert chose_b.score == 2
    assert AuditLogEntry.objects.filter(action="assessments.test_regraded").count() == 1
    # regrading again changes nothing and says so
    page = client.post(url, {"versions": "current"}, follow=True).content.decode()
    assert "No mark changed." in page
    assert Attempt.objects.get(pk=chose_b.pk).score == 2
