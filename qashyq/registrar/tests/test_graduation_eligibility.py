"""Eligibility to graduate: each condition at its boundary, and why it fails."""

import pytest

from qashyq.academics.tests.factories import DisciplineFactory
from qashyq.registrar.models import FinalAttestationEvent, FinalAttestationResult
from qashyq.registrar.selectors import graduation as selectors

from .fixtures_graduation import final_year_student, make_grade, make_result, make_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def gw(db):
    return make_world()


def check(gw):
    return selectors.graduation_check(gw.student.pk)


def failing(eligibility):
    return {c.code for c in eligibility.conditions if not c.ok}


def test_a_student_who_meets_every_condition_is_eligible(gw):
    e = check(gw)
    assert e.eligible and failing(e) == set()
    assert (e.credits_passed, e.credits_required) == (20, 20)
    assert [d.discipline.code for d in e.disciplines] == ["ART401", "ART402", "ART403", "PRA404"]
    assert [d.discipline.code for d in e.practice] == ["PRA404"]
    assert all(a.passed for a in e.attestation) and len(e.attestation) == 2


# --- 1. every plan discipline passed --------------------------------------------------------


@pytest.mark.parametrize(
    ("letter", "passes"), [("D", True), ("FX", False), ("F", False), ("", False)]
)
def test_the_latest_result_of_a_plan_discipline_must_pass(gw, letter, passes):
    art = gw.disciplines[0]
    # a later attempt (an FX re-sit in the same period) decides, whatever came before
    make_grade(gw.student, art, gw.sem1, letter, "1.0", "50", kind="fx_resit")
    e = check(gw)
    assert e.condition("disciplines").ok is passes
    assert e.eligible is passes
    if not passes:
        reasons = " ".join(e.condition("disciplines").reasons)
        assert "ART401" in reasons
        assert [d.discipline.code for d in e.missing + e.failed] == ["ART401"]


def test_a_discipline_without_any_result_is_listed_as_missing(gw):
    extra = DisciplineFactory(code="ART405", credits=5)
    gw.plan.items.create(discipline=extra, period_kind="semester_2", credits=5)
    e = check(gw)
    assert not e.condition("disciplines").ok
    assert [d.discipline.code for d in e.missing] == ["ART405"]
    assert "ART405" in e.condition("disciplines").reasons[0]
    assert "no result yet" in e.condition("disciplines").reasons[0]


def test_a_retake_that_passes_clears_an_earlier_f(gw):
    art = gw.disciplines[1]
    art.final_grades.filter(student=gw.student).delete()
    make_grade(gw.student, art, gw.sem1, "F", "0", "20")
    assert not check(gw).condition("disciplines").ok
    make_grade(gw.student, art, gw.sem1, "C", "2.0", "66", kind="retake")
    assert check(gw).eligible


def test_only_approved_plans_count(gw):
    gw.plan.status = "submitted"
    gw.plan.save()
    e = check(gw)
    assert not e.condition("disciplines").ok
    assert "No approved individual study plan" in e.condition("disciplines").reasons[0]


# --- 2. credits -------------------------------------------------------------------------------


def test_credits_must_reach_the_program_total(gw):
    program = gw.program
    program.total_credits = 21  # one more than passed
    program.save()
    e = check(gw)
    assert not e.condition("credits").ok and e.condition("disciplines").ok
    assert (e.credits_passed, e.credits_required) == (20, 21)
    assert "20 credits passed of the 21" in e.condition("credits").reasons[0]
    program.total_credits = 20  # exactly reached
    program.save()
    assert check(gw).condition("credits").ok


def test_credits_count_only_passed_latest_results(gw):
    make_grade(gw.student, gw.disciplines[2], gw.sem1, "FX", "0.5", "40", kind="fx_resit")
    e = check(gw)
    assert e.credits_passed == 15 and not e.condition("credits").ok


# --- 3. practice ------------------------------------------------------------------------------


def test_practice_must_be_passed(gw):
    make_grade(gw.student, gw.disciplines[3], gw.sem1, "FX", "0.5", "45", kind="fx_resit")
    e = check(gw)
    assert not e.condition("practice").ok
    assert "PRA404" in e.condition("practice").reasons[0]


def test_with_no_practice_in_the_plans_the_condition_holds(gw):
    gw.plan.items.filter(discipline=gw.disciplines[3]).delete()
    gw.program.total_credits = 15
    gw.program.save()
    e = check(gw)
    assert e.practice == [] and e.condition("practice").ok and e.eligible


# --- 4. final attestation ---------------------------------------------------------------------


@pytest.mark.parametrize(("letter", "passed"), [("D", True), ("FX", False), ("F", False)])
def test_every_attestation_event_needs_a_passing_result(gw, letter, passed):
    FinalAttestationResult.objects.filter(event=gw.thesis, student=gw.student).update(
        letter=letter, passed=passed
    )
    e = check(gw)
    assert e.condition("attestation").ok is passed
    if not passed:
        assert f"{letter}, not passed" in e.condition("attestation").reasons[0]


def test_an_event_without_a_result_fails_the_attestation(gw):
    FinalAttestationResult.objects.filter(event=gw.thesis, student=gw.student).delete()
    e = check(gw)
    assert not e.condition("attestation").ok
    assert "no result yet" in e.condition("attestation").reasons[0]


def test_no_event_in_the_year_fails_the_attestation(gw):
    FinalAttestationResult.objects.all().delete()
    FinalAttestationEvent.objects.all().delete()
    e = check(gw)
    assert not e.condition("attestation").ok
    assert "No final attestation event" in e.condition("attestation").reasons[0]


def test_events_of_another_program_do_not_count(gw):
    FinalAttestationEvent.objects.create(
        program=gw.other_program,
        academic_year=gw.year,
        kind="state_exam",
        format="onsite",
        starts_at=gw.exam.starts_at,
    )
    assert check(gw).eligible


def test_list_and_single_check_agree(gw):
    failing_student = final_year_student(gw)
    make_result(gw.exam, failing_student.user, "40", "FX", False, "0.5")
    rows = {row.profile.user_id: row for row in selectors.graduates(gw.program, gw.year)}
    assert set(rows) == {gw.student.pk, failing_student.user_id}  # the junior is not listed
    for student_id, row in rows.items():
        single = selectors.graduation_check(student_id)
        assert row.eligible == single.eligible
        assert [c.reasons for c in row.eligibility.conditions] == [
            c.reasons for c in single.conditions
        ]
    assert rows[gw.student.pk].eligible and not rows[failing_student.user_id].eligible
