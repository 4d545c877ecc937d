"""The attempt services: drawing questions, overrides, the sweep, grading methods, grading by
hand, regrading, and the test settings' validation."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from qashyq.assessments import services as bank_services
from qashyq.assessments import tasks
from qashyq.assessments.models import (
    Answer,
    Attempt,
    AttemptState,
    FinishedBy,
    Test,
    TestOverride,
)
from qashyq.assessments.services import attempts as svc
from qashyq.assessments.services import tests_admin
from qashyq.core.errors import Conflict, PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry

from .attempt_world import KEY, WRONG, World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def world(db):
    return World()


def question_ids(attempt):
    return [s.question_version.question_id for s in attempt.slots.order_by("number")]


def answer(attempt, qtype, response, seq=1):
    slot = attempt.slots.get(question_version__qtype=qtype)
    return svc.answer_save(
        actor=attempt.student, attempt=attempt, slot=slot.number, response=response, seq=seq
    )


def finished_attempt(world, test, student, responses):
    attempt, _ = svc.attempt_start_or_resume(actor=student, test=test)
    for qtype, response in responses.items():
        answer(attempt, qtype, response)
    return svc.attempt_submit(actor=student, attempt=attempt)


# --- drawing questions -----------------------------------------------------------------------


def test_n_random_questions_per_category_differ_between_students_and_stay_within_an_attempt(
    world,
):
    test = world.test(category="pool", count=5)
    draws = []
    for student in world.students:
        attempt, created = svc.attempt_start_or_resume(actor=student, test=test)
        assert created and attempt.slots.count() == 5
        ids = question_ids(attempt)
        assert len(set(ids)) == 5
        assert set(ids) <= {q.pk for q in world.pool_questions}
        # stable: resuming gives the same questions in the same order
        again, created = svc.attempt_start_or_resume(actor=student, test=test)
        assert not created and again.pk == attempt.pk and question_ids(again) == ids
        draws.append(ids)
    assert len({tuple(sorted(d)) for d in draws}) > 1  # 3 draws of 5 of 20: all equal ~1e-7
    # the draw is a function of the attempt id (rebuilt, it is the same)
    rng_a, rng_b = svc.attempt_random(41), svc.attempt_random(41)
    assert rng_a.random() == rng_b.random()
    assert svc.attempt_random(41).random() != svc.attempt_random(42).random()


def test_archived_questions_are_not_drawn_and_publish_checks_the_pool(world):
    for question in world.pool_questions[:17]:
        bank_services.question_archive(actor=world.tutor, question=question)
    test = tests_admin.test_create(actor=world.tutor, offering=world.offering, title="T")
    tests_admin.section_add(actor=world.tutor, test=test, category=world.pool, count=5)
    with pytest.raises(ValidationFailed) as error:
        tests_admin.test_publish(actor=world.tutor, test=test)
    assert error.value.code == "not_enough_questions"
    assert not Test.objects.get(pk=test.pk).published


def test_an_edited_question_keeps_the_version_the_attempt_showed(world):
    test = world.test()
    attempt, _ = svc.attempt_start_or_resume(actor=world.student, test=test)
    slot = attempt.slots.get(question_version__qtype="single")
    shown = slot.question_version_id
    bank_services.question_update(
        actor=world.tutor, question=world.questions["single"], text="Жаңа мәтін"
    )
    slot.refresh_from_db()
    assert slot.question_version_id == shown


# --- overrides ----------------------------------------------------------------------------------


def test_a_student_override_gives_extra_time_and_a_group_override_other_dates(world):
    test = world.test(time_limit=30, closes_at=timezone.now() + datetime.timedelta(hours=5))
    tests_admin.override_set(actor=world.tutor, test=test, student=world.student, time_limit=45)
    now = timezone.now()
    attempt, _ = svc.attempt_start_or_resume(actor=world.student, test=test, now=now)
    assert attempt.deadline == now + datetime.timedelta(minutes=45)
    other, _ = svc.attempt_start_or_resume(actor=world.students[1], test=test, now=now)
    assert other.deadline == now + datetime.timedelta(minutes=30)

    late = world.test(
        opens_at=now - datetime.timedelta(hours=3), closes_at=now - datetime.timedelta(hours=1)
    )
    with pytest.raises(PermissionDenied) as error:
        svc.attempt_start_or_resume(actor=world.student, test=late)
    assert error.value.code == "test_closed"
    tests_admin.override_set(
        actor=world.tutor, test=late, group=world.group, closes_at=now + datetime.timedelta(days=1)
    )
    attempt, created = svc.attempt_start_or_resume(actor=world.student, test=late)
    assert created and attempt.deadline == now + datetime.timedelta(days=1)
    # the student's own override wins over the group's
    tests_admin.override_set(
        actor=world.tutor,
        test=late,
        student=world.students[1],
        closes_at=now - datetime.timedelta(minutes=1),
    )
    with pytest.raises(PermissionDenied):
        svc.attempt_start_or_resume(actor=world.students[1], test=late)
    # every value None removes the override
    tests_admin.override_set(actor=world.tutor, test=late, student=world.students[1])
    assert not TestOverride.objects.filter(student=world.students[1]).exists()


def test_only_the_tutors_change_tests_and_bad_settings_change_nothing(world):
    with pytest.raises(PermissionDenied):
        tests_admin.test_create(actor=world.student, offering=world.offering, title="Мен")
    with pytest.raises(PermissionDenied):
        tests_admin.test_create(actor=world.methodologist, offering=world.offering, title="Мен")
    now = timezone.now()
    cases = [
        ({"title": "  "}, "title_required"),
        ({"title": "T", "allowed_ip_ranges": "10.0.0.0/8\nбір екі"}, "bad_ip_range"),
        ({"title": "T", "opens_at": now, "closes_at": now}, "closes_before_opening"),
        ({"title": "T", "time_limit": 0}, "bad_time_limit"),
        ({"title": "T", "attempts_allowed": -1}, "bad_attempts"),
        ({"title": "T", "grading_method": "median"}, "bad_grading_method"),
    ]
    for fields, code in cases:
        with pytest.raises(ValidationFailed) as error:
            tests_admin.test_create(actor=world.tutor, offering=world.offering, **fields)
        assert error.value.code == code
    assert not Test.objects.exists()
    test = world.test()
    with pytest.raises(ValidationFailed):
        tests_admin.test_update(actor=world.tutor, test=test, closes_at=test.opens_at)
    assert Test.objects.get(pk=test.pk).closes_at > test.opens_at


# --- the sweep ----------------------------------------------------------------------------------


def test_the_sweep_finishes_overdue_attempts_only(world):
    test = world.test(time_limit=10)
    now = timezone.now()
    overdue, _ = svc.attempt_start_or_resume(actor=world.student, test=test, now=now)
    answer(overdue, "single", "a")
    in_grace, _ = svc.attempt_start_or_resume(actor=world.students[1], test=test, now=now)
    running, _ = svc.attempt_start_or_resume(actor=world.students[2], test=test, now=now)
    Attempt.objects.filter(pk=overdue.pk).update(deadline=now - datetime.timedelta(minutes=2))
    Attempt.objects.filter(pk=in_grace.pk).update(deadline=now - datetime.timedelta(seconds=10))
    assert svc.attempts_finish_overdue(now=now) == 1
    assert svc.attempts_finish_overdue(now=now) == 0  # safe to run twice
    overdue.refresh_from_db()
    assert overdue.state == AttemptState.FINISHED and overdue.finished_by == FinishedBy.DEADLINE
    assert overdue.score == 1  # scored, with the answer saved before the deadline
    for attempt in (in_grace, running):
        attempt.refresh_from_db()
        assert attempt.state == AttemptState.IN_PROGRESS
    # the task and the command run the same sweep
    Attempt.objects.filter(pk=in_grace.pk).update(deadline=now - datetime.timedelta(minutes=1))
    assert tasks.finish_overdue_attempts.enqueue().return_value == 1
    Attempt.objects.filter(pk=running.pk).update(deadline=now - datetime.timedelta(minutes=1))
    out = StringIO()
    call_command("finish_overdue_attempts", stdout=out)
    assert "Finished 1 overdue attempt" in out.getvalue()
    assert not Attempt.objects.filter(state=AttemptState.IN_PROGRESS).exists()


# --- scoring and final marks --------------------------------------------------------------------


def test_submit_scores_objective_types_and_leaves_essays_for_a_tutor(world):
    test = world.test()
    attempt = finished_attempt(world, test, world.student, KEY)
    assert attempt.state == AttemptState.FINISHED
    # 8 objective questions, cloze worth 2: 9 of 11, the essay and the file wait
    assert attempt.score == Decimal("9") and attempt.max_score == Decimal("11")
    assert attempt.needs_grading
    wrong = finished_attempt(world, test, world.students[1], WRONG)
    assert wrong.score == 0


@pytest.mark.parametrize(
    ("method", "expected"),
    [("highest", "2.0000"), ("last", "0.0000"), ("first", "1.0000"), ("average", "1.0000")],
)
def test_the_final_mark_follows_the_grading_method(world, method, expected):
    questions = [world.questions["single"], world.questions["truefalse"]]
    test = world.test(questions=questions, attempts_allowed=0, grading_method=method)
    finished_attempt(world, test, world.student, {"single": "a", "truefalse": False})
    finished_attempt(world, test, world.student, {"single": "a", "truefalse": True})
    finished_attempt(world, test, world.student, {"single": "b", "truefalse": False})
    assert svc.test_final_mark(test, world.student) == Decimal(expected)
    assert svc.test_final_mark(test, world.students[1]) is None


def test_grading_by_hand_is_audited_and_completes_the_score(world):
    test = world.test()
    attempt = finished_attempt(world, test, world.student, KEY)
    essay = Answer.objects.get(slot__attempt=attempt, slot__question_version__qtype="essay")
    file = Answer.objects.get(slot__attempt=attempt, slot__question_version__qtype="file")
    with pytest.raises(PermissionDenied):
        svc.answer_grade_manually(actor=world.student, answer=essay, points=1)
    with pytest.raises(PermissionDenied):
        svc.answer_grade_manually(actor=world.methodologist, answer=essay, points=1)
    for bad in ("1.5", "-0.1", "NaN", "Infinity", "бір", True):
        with pytest.raises(ValidationFailed):
            svc.answer_grade_manually(actor=world.tutor, answer=essay, points=bad)
    assert Answer.objects.get(pk=essay.pk).manual_points is None
    svc.answer_grade_manually(actor=world.tutor, answer=essay, points="0.5", comment="Жақсы")
    attempt.refresh_from_db()
    assert attempt.score == Decimal("9.5") and attempt.needs_grading
    svc.answer_grade_manually(actor=world.tutor, answer=file, points=1)
    attempt.refresh_from_db()
    assert attempt.score == Decimal("10.5") and not attempt.needs_grading
    entries = AuditLogEntry.objects.filter(action="assessments.answer_graded").order_by("pk")
    assert entries.count() == 2
    assert entries[0].actor == world.tutor and entries[0].new_value["manual_points"] == "0.5000"
    assert entries[0].new_value["attempt_score"] == "9.5000"
    # an attempt in progress is not graded
    running, _ = svc.attempt_start_or_resume(actor=world.students[1], test=test)
    with pytest.raises(Conflict):
        svc.answer_grade_manually(
            actor=world.tutor,
            answer=Answer.objects.filter(slot__attempt=running).first(),
            points=0,
        )


def test_regrade_after_a_key_correction_reports_the_marks_that_changed(world):
    test = world.test(questions=[world.questions["single"], world.questions["truefalse"]])
    chose_b = finished_attempt(world, test, world.student, {"single": "b", "truefalse": True})
    chose_a = finished_attempt(world, test, world.students[1], {"single": "a", "truefalse": True})
    assert (chose_b.score, chose_a.score) == (1, 2)
    # against the versions shown, nothing changes
    assert svc.test_regrade(actor=world.tutor, test=test) == []
    # the key was wrong: "b" is right; the tutor regrades with the corrected version
    data = world.questions["single"].current_version.data
    corrected = {
        **data,
        "options": [{**o, "fraction": 1.0 if o["id"] == "b" else 0.0} for o in data["options"]],
    }
    bank_services.question_update(
        actor=world.tutor, question=world.questions["single"], data=corrected
    )
    with pytest.raises(PermissionDenied):
        svc.test_regrade(actor=world.student, test=test, use_current_versions=True)
    report = svc.test_regrade(actor=world.tutor, test=test, use_current_versions=True)
    by_attempt = {r["attempt"]: r for r in report}
    assert by_attempt[chose_b.pk]["old"] == "1.0000" and by_attempt[chose_b.pk]["new"] == "2.0000"
    assert by_attempt[chose_a.pk]["new"] == "1.0000"
    assert by_attempt[chose_a.pk]["student_id"] == world.students[1].pk
    assert len(by_attempt[chose_a.pk]["slots"]) == 1
    chose_b.refresh_from_db()
    assert chose_b.score == 2
    entry = AuditLogEntry.objects.get(
        action="assessments.test_regraded", new_value__use_current_versions=True
    )
    assert {c["attempt"] for c in entry.new_value["changed"]} == {chose_a.pk, chose_b.pk}
    # a second regrade changes nothing more
    assert svc.test_regrade(actor=world.tutor, test=test, use_current_versions=True) == []


def test_double_start_gives_one_attempt(world):
    test = world.test()
    first, created = svc.attempt_start_or_resume(actor=world.student, test=test)
    second, created_again = svc.attempt_start_or_resume(actor=world.student, test=test)
    assert created and not created_again and first.pk == second.pk
    assert Attempt.objects.count() == 1


def test_admin_shows_tests_and_attempts_read_only_without_secrets(client, world, settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    from django.urls import reverse

    from qashyq.accounts.tests.factories import user_with_role

    test = world.test(password="Құпия-сөз")
    attempt, _ = svc.attempt_start_or_resume(actor=world.student, test=test, password="Құпия-сөз")
    for _ in range(2):  # the second is stale: an answer event
        svc.answer_save(actor=world.student, attempt=attempt, slot=1, response=None, seq=1)
    client.force_login(user_with_role("admin"))
    for name, obj in [("test", test), ("attempt", attempt)]:
        assert client.get(reverse(f"admin:assessments_{name}_changelist")).status_code == 200
        page = client.get(reverse(f"admin:assessments_{name}_change", args=[obj.pk]))
        assert page.status_code == 200
        body = page.content.decode()
        assert "Құпия-сөз" not in body and attempt.offline_key not in body
        assert client.get(reverse(f"admin:assessments_{name}_add")).status_code == 403
    assert client.get(reverse("admin:assessments_answerevent_changelist")).status_code == 200
