"""Sending a test's final marks to the e-journal: percent by the grading method, source "test",
refused while answers wait for a tutor, idempotent, audited; only the offering's tutors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from qashyq.academics.tests.factories import CourseOfferingFactory
from qashyq.accounts.tests.factories import UserFactory
from qashyq.assessments.models import Answer, Attempt
from qashyq.assessments.services import attempts as svc
from qashyq.assessments.services.gradebook_post import test_marks_post
from qashyq.core.errors import Conflict, PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry
from qashyq.gradebook.models import JournalRow, MarkChange
from qashyq.gradebook.selectors import journal_row

from .attempt_world import World

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


def objective_test(world, **fields):
    """Three questions worth 1 point each: single, true/false, short."""
    fields.setdefault("gradebook_column", "rk1")
    return world.test(
        questions=[world.questions[q] for q in ("single", "truefalse", "short")], **fields
    )


def rk1(world, student):
    return journal_row(world.offering, student.pk).cells["rk1"]


def test_the_final_mark_lands_in_the_journal_as_a_percent_with_the_source_test(world):
    test = objective_test(world)
    finished(test, world.students[0], {"single": "a", "truefalse": True, "short": "x"})  # 2/3
    finished(test, world.students[1], {"single": "a", "truefalse": True})  # 2/3, one blank
    finished(test, world.students[2], {"single": "b", "truefalse": False})  # 0/3
    result = test_marks_post(actor=world.tutor, test=test)
    assert len(result.changed) == 3 and result.unchanged == 0 and not result.skipped
    cell = rk1(world, world.students[0])
    assert cell.value == Decimal("66.67")
    assert cell.source == "test" and cell.source_ref == f"test:{test.pk}"
    assert rk1(world, world.students[2]).value == Decimal("0.00")
    assert set(Attempt.objects.filter(test=test).values_list("posted_to_gradebook", flat=True)) == {
        True
    }
    entry = AuditLogEntry.objects.get(action="assessments.test_marks_posted")
    assert entry.actor == world.tutor and entry.new_value["column"] == "rk1"
    assert {c["percent"] for c in entry.new_value["changed"]} == {"66.67", "0.00"}
    # the journal's own audit trail says where the mark came from
    change = MarkChange.objects.get(student=world.students[0], column="rk1")
    assert change.source == "test" and change.new_value == Decimal("66.67")


def test_posting_again_changes_nothing_and_a_regrade_then_repost_updates(world):
    test = objective_test(world)
    finished(test, world.student, {"single": "a", "truefalse": True, "short": "x"})
    test_marks_post(actor=world.tutor, test=test)
    changes, entries = MarkChange.objects.count(), AuditLogEntry.objects.count()
    again = test_marks_post(actor=world.tutor, test=test)
    assert again.changed == [] and again.unchanged == 1
    assert MarkChange.objects.count() == changes and AuditLogEntry.objects.count() == entries
    # a tutor corrects a mark by hand: the repost sends the new one
    short = Answer.objects.get(slot__attempt__test=test, slot__question_version__qtype="short")
    svc.answer_grade_manually(actor=world.tutor, answer=short, points=1)
    result = test_marks_post(actor=world.tutor, test=test)
    assert [c["percent"] for c in result.changed] == ["100.00"]
    assert rk1(world, world.student).value == Decimal("100.00")


@pytest.mark.parametrize(("method", "expected"), [("highest", "100.00"), ("last", "33.33")])
def test_the_mark_follows_the_grading_method(world, method, expected):
    test = objective_test(world, attempts_allowed=2, grading_method=method)
    finished(test, world.student, {"single": "a", "truefalse": True, "short": "SECRETANSWERastana"})
    finished(test, world.student, {"single": "a"})
    test_marks_post(actor=world.tutor, test=test)
    assert rk1(world, world.student).value == Decimal(expected)


def test_refused_while_answers_wait_for_manual_grading_and_nothing_changes(world):
    test = world.test(
        questions=[world.questions["single"], world.questions["essay"]], gradebook_column="rk1"
    )
    finished(test, world.students[0], {"single": "a", "essay": {"text": "Эссе"}})
    finished(test, world.students[1], {"single": "a", "essay": {"text": "Эссе"}})
    with pytest.raises(Conflict) as refused:
        test_marks_post(actor=world.tutor, test=test)
    assert refused.value.code == "grading_pending"
    assert "2 answers still await manual grading" in str(refused.value.message)
    assert not JournalRow.objects.exclude(rk1=None).exists()
    assert not Attempt.objects.filter(posted_to_gradebook=True).exists()
    for answer in Answer.objects.filter(slot__question_version__qtype="essay"):
        svc.answer_grade_manually(actor=world.tutor, answer=answer, points=1)
    test_marks_post(actor=world.tutor, test=test)
    assert rk1(world, world.students[0]).value == Decimal("100.00")


def test_a_test_without_a_column_is_refused(world):
    test = objective_test(world, gradebook_column="")
    finished(test, world.student, {"single": "a"})
    with pytest.raises(ValidationFailed) as refused:
        test_marks_post(actor=world.tutor, test=test)
    assert refused.value.code == "no_gradebook_column"
    assert not MarkChange.objects.exists()


def test_only_the_offerings_tutors_post_and_a_refusal_changes_nothing(client, world):
    test = objective_test(world)
    finished(test, world.student, {"single": "a"})
    other_tutor = UserFactory()
    CourseOfferingFactory(tutors=[other_tutor])
    url = reverse("assessments:test_marks_post", args=[test.pk])
    for user in (world.student, world.outsider, world.methodologist, other_tutor):
        with pytest.raises(PermissionDenied):
            test_marks_post(actor=user, test=test)
        client.force_login(user)
        assert client.post(url).status_code == 404
    assert not MarkChange.objects.exists()
    assert not Attempt.objects.filter(posted_to_gradebook=True).exists()
    assert not AuditLogEntry.objects.filter(action="assessments.test_marks_posted").exists()
    # the tutor's button
    client.force_login(world.tutor)
    assert client.get(url).status_code == 405
    response = client.post(url, {"back": "analysis"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("assessments:test_analysis", args=[test.pk])
    assert "Sent to the e-journal column MT1: 1 marks changed" in response.content.decode()
    assert rk1(world, world.student).value == Decimal("33.33")


def test_the_button_says_how_many_answers_wait(client, world):
    test = world.test(
        questions=[world.questions["single"], world.questions["essay"]], gradebook_column="rk1"
    )
    finished(test, world.student, {"single": "a", "essay": {"text": "Эссе"}})
    client.force_login(world.tutor)
    page = client.get(reverse("assessments:grading_queue", args=[test.pk])).content.decode()
    assert "Send the marks to the e-journal column MT1" in page
    assert "cannot be sent while 1 answer awaits manual grading" in page
    response = client.post(reverse("assessments:test_marks_post", args=[test.pk]), follow=True)
    assert "1 answer still awaits manual grading" in response.content.decode()
    assert not MarkChange.objects.exists()
