"""The study-plan pages as the student, the program leader and the registrar use them, in kk,
ru and en, with the approval queue's query count."""

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from qashyq.academics.models import Enrollment
from qashyq.academics.tests.factories import StudentProfileFactory
from qashyq.registrar.models import IndividualPlan, PlanStatus
from qashyq.registrar.services import iup as services

from . import fixtures_iup

pytestmark = pytest.mark.django_db
iup = fixtures_iup.iup  # the fixture


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False  # accounts and tests/e2e cover the MFA rule


def _in(client, user, lang="en"):
    client.force_login(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def _start(w, student=None):
    student = student or w.student
    return services.iup_start(
        actor=student, student=student, academic_year=w.year, program=w.program, year_of_study=2
    )


def _submitted(w, student=None):
    student = student or w.student
    plan = _start(w, student)
    services.iup_set_electives(actor=student, plan=plan, entries=[w.entries["ELA402"]])
    services.iup_submit(actor=student, plan=plan)
    return plan


def _text(response):
    return response.content.decode()


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_student_draws_up_and_submits_a_plan_in_each_language(client, iup, lang):
    _in(client, iup.student, lang)
    page = client.get(reverse("registrar:iup_mine"))
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in _text(page)
    response = client.post(reverse("registrar:iup_start"), {"year": iup.year.pk})
    plan = IndividualPlan.objects.get(student=iup.student)
    assert response.status_code == 302
    assert response["Location"] == reverse("registrar:iup_plan", args=[plan.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = _text(page)
    assert f'<html lang="{lang}">' in body
    assert "MAN301" in body and "ELA402" in body  # a prefilled discipline, an elective to pick
    assert 'name="csrfmiddlewaretoken"' in body
    response = client.post(
        reverse("registrar:iup_electives", args=[plan.pk]),
        {"entries": [iup.entries["ELA402"].pk]},
    )
    assert response.status_code == 302
    response = client.post(reverse("registrar:iup_submit", args=[plan.pk]), follow=True)
    assert response.status_code == 200
    assert IndividualPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED
    assert 'id="under-minimum"' in _text(response)  # 21 < 30: a warning, not a refusal
    schedule = client.get(reverse("registrar:iup_schedule", args=[plan.pk]))
    assert schedule.status_code == 200
    assert f'<html lang="{lang}">' in _text(schedule)


def test_the_plan_page_shows_the_numbers_and_the_warning(client, iup):
    plan = _start(iup)
    body = _text(_in(client, iup.student).get(reverse("registrar:iup_plan", args=[plan.pk])))
    assert "11 / 20" in body  # semester 1: MAN301 + UNI302 of at most 20
    assert "5 / 20" in body
    assert "The plan has 16 credits, fewer than the 30 expected in a year." in body
    assert "Submit for approval" in body
    assert '<label for="entry-' in body  # every checkbox is labelled


def test_over_the_cap_the_page_says_why_and_nothing_changes(client, iup):
    plan = _start(iup)
    _in(client, iup.student)
    response = client.post(
        reverse("registrar:iup_electives", args=[plan.pk]),
        {"entries": [iup.entries["BIG304"].pk, iup.entries["FRE303"].pk]},
    )
    assert response.status_code == 400
    assert "Semester 1 would have 24 credits; at most 20 are allowed in a semester." in _text(
        response
    )
    assert plan.items.count() == 3


def test_an_elective_of_another_program_is_refused(client, iup):
    plan = _start(iup)
    other = iup.entries["ELA402"].__class__.objects.create(
        program=iup.other_program,
        discipline=iup.disciplines["OLD101"],
        term=4,
        component="elective",
    )
    _in(client, iup.student)
    response = client.post(
        reverse("registrar:iup_electives", args=[plan.pk]), {"entries": [other.pk]}
    )
    assert response.status_code == 400
    assert plan.items.count() == 3


def test_submitting_without_the_group_credits_shows_the_error(client, iup):
    plan = _start(iup)
    _in(client, iup.student)
    response = client.post(reverse("registrar:iup_submit", args=[plan.pk]))
    assert response.status_code == 400
    assert "Elective group КВ-4.1 (Semester 2): choose at least 5 credits; 0 chosen." in _text(
        response
    )
    assert IndividualPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


# who, plan page, schedule, queue, enrolment page, program study plan
PAGES = [
    ("student", 200, 200, 403, 403, 200),
    ("mate", 403, 403, 403, 403, 200),
    ("outsider", 403, 403, 403, 403, 403),
    ("parent", 403, 403, 403, 403, 403),
    ("course_tutor", 403, 403, 403, 403, 403),
    ("leader", 200, 200, 200, 403, 200),
    ("other_leader", 403, 403, 200, 403, 403),
    ("site_leader", 200, 200, 200, 403, 200),
    ("registrar", 200, 200, 200, 200, 200),
    ("faculty_registrar", 200, 200, 200, 200, 200),
    ("other_faculty_registrar", 403, 403, 200, 200, 403),
    ("methodologist", 403, 403, 403, 403, 200),
    ("admission", 403, 403, 403, 403, 200),
    ("admin", 200, 200, 200, 200, 200),
]


@pytest.mark.parametrize(("who", "plan_page", "schedule", "queue", "enrol", "study"), PAGES)
def test_page_matrix(client, iup, who, plan_page, schedule, queue, enrol, study):
    plan = _submitted(iup)
    _in(client, getattr(iup, who))
    pages = {
        reverse("registrar:iup_plan", args=[plan.pk]): plan_page,
        reverse("registrar:iup_schedule", args=[plan.pk]): schedule,
        reverse("registrar:iup_queue"): queue,
        reverse("registrar:iup_enrol_program"): enrol,
        reverse("registrar:iup_program_plan", args=[iup.program.pk]): study,
    }
    for path, expected in pages.items():
        response = client.get(path)
        assert response.status_code == expected, path
        if expected == 403 and who != "student":  # the student's name is in their header
            assert "Жұмабаева" not in _text(response)


def test_anonymous_is_sent_to_log_in(client, iup):
    plan = _start(iup)
    response = client.get(reverse("registrar:iup_plan", args=[plan.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_no_such_plan_is_the_same_403(client, iup):
    response = _in(client, iup.leader).get(reverse("registrar:iup_plan", args=[99999]))
    assert response.status_code == 403


def test_queue_lists_plans_in_scope_only(client, iup):
    plan = _submitted(iup)
    outsider = _submitted_other_program(iup)
    body = _text(_in(client, iup.leader).get(reverse("registrar:iup_queue")))
    assert f'id="plan-{plan.pk}"' in body
    assert f'id="plan-{outsider.pk}"' not in body
    body = _text(_in(client, iup.other_leader).get(reverse("registrar:iup_queue")))
    assert f'id="plan-{plan.pk}"' not in body
    assert f'id="plan-{outsider.pk}"' in body
    body = _text(_in(client, iup.registrar).get(reverse("registrar:iup_queue")))
    assert f'id="plan-{plan.pk}"' in body and f'id="plan-{outsider.pk}"' in body


def _submitted_other_program(w):
    return services.iup_start(
        actor=w.outsider,
        student=w.outsider,
        academic_year=w.year,
        program=w.other_program,
        year_of_study=2,
    ) and _submit_empty_program_plan(w)


def _submit_empty_program_plan(w):
    # the other program has no study plan: give the outsider one discipline and submit
    from qashyq.registrar.models import IndividualPlanItem

    plan = IndividualPlan.objects.get(student=w.outsider)
    IndividualPlanItem.objects.create(
        plan=plan, discipline=w.disciplines["OLD101"], period_kind="semester_1", credits=5
    )
    services.iup_submit(actor=w.outsider, plan=plan)
    return plan


def test_queue_query_count_does_not_grow_with_rows(client, iup, django_assert_max_num_queries):
    _submitted(iup)
    _in(client, iup.registrar)
    client.get(reverse("registrar:iup_queue"))  # warm the session
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("registrar:iup_queue"))
    for _ in range(6):
        _submitted(iup, StudentProfileFactory(group=iup.group, year_of_study=2).user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("registrar:iup_queue"))
    assert _text(response).count('id="plan-') == 7


def test_leader_approves_from_the_queue_and_the_student_is_enrolled(client, iup):
    plan = _submitted(iup)
    _in(client, iup.leader)
    response = client.post(
        reverse("registrar:iup_decide", args=[plan.pk]),
        {"decision": "approve", "note": "", "next": "queue"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("registrar:iup_queue")
    assert "The plan is approved; enrolled in 4 course(s)." in _text(response)
    assert IndividualPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED
    assert Enrollment.objects.filter(student=iup.student).count() == 4
    # read-only to the student now
    body = _text(_in(client, iup.student).get(reverse("registrar:iup_plan", args=[plan.pk])))
    assert "Submit for approval" not in body
    assert "can no longer be changed" in body
    response = client.post(
        reverse("registrar:iup_electives", args=[plan.pk]),
        {"entries": [iup.entries["ELB403"].pk]},
    )
    assert response.status_code == 403
    assert not plan.items.filter(discipline__code="ELB403").exists()


def test_return_without_a_note_says_so(client, iup):
    plan = _submitted(iup)
    _in(client, iup.leader)
    response = client.post(
        reverse("registrar:iup_decide", args=[plan.pk]), {"decision": "return"}, follow=True
    )
    assert "Say what the student should change." in _text(response)
    assert IndividualPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED


def test_a_denied_decision_changes_nothing(client, iup):
    plan = _submitted(iup)
    for who in ("student", "other_leader", "methodologist"):
        _in(client, getattr(iup, who))
        response = client.post(
            reverse("registrar:iup_decide", args=[plan.pk]), {"decision": "approve"}
        )
        assert response.status_code == 403
    assert IndividualPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED
    assert not Enrollment.objects.filter(student=iup.student).exists()


def test_leader_reopens_with_a_reason(client, iup):
    plan = _submitted(iup)
    services.iup_approve(actor=iup.leader, plan=plan)
    _in(client, iup.registrar)
    body = _text(client.get(reverse("registrar:iup_plan", args=[plan.pk])))
    assert 'id="reopen"' not in body
    _in(client, iup.leader)
    assert 'id="reopen"' in _text(client.get(reverse("registrar:iup_plan", args=[plan.pk])))
    client.post(reverse("registrar:iup_reopen", args=[plan.pk]), {"reason": "New elective"})
    plan.refresh_from_db()
    assert (plan.status, plan.decision_note) == (PlanStatus.RETURNED, "New elective")


def test_registrar_runs_the_enrolment_of_a_program(client, iup):
    plan = _submitted(iup)
    services.iup_approve(actor=iup.leader, plan=plan)
    Enrollment.objects.all().delete()
    _in(client, iup.faculty_registrar)
    page = client.get(reverse("registrar:iup_enrol_program"))
    assert page.status_code == 200
    assert '<label for="id_program">' in _text(page)
    response = client.post(
        reverse("registrar:iup_enrol_program"), {"program": iup.program.pk, "year": iup.year.pk}
    )
    body = _text(response)
    assert response.status_code == 200
    assert "Approved plans: 1. New enrolments: 4. Disciplines with no course offering: 0." in body
    assert Enrollment.objects.filter(student=iup.student).count() == 4
    # a program of another faculty is not a choice
    response = client.post(
        reverse("registrar:iup_enrol_program"),
        {"program": iup.other_program.pk, "year": iup.year.pk},
    )
    assert response.status_code == 400


def test_schedule_shows_offerings_tutors_dates_and_calendar(client, iup):
    plan = _submitted(iup)
    services.iup_approve(actor=iup.leader, plan=plan)
    body = _text(_in(client, iup.student).get(reverse("registrar:iup_schedule", args=[plan.pk])))
    assert "Оспанов" in body  # the tutor of the offerings
    assert "Russian" in body  # the offering's language
    assert "Midterm week (RK1)" in body
    assert "Exam session" in body
    assert "Holidays" in body  # a year-wide event


def test_program_study_plan_page(client, iup):
    body = _text(
        _in(client, iup.student).get(reverse("registrar:iup_program_plan", args=[iup.program.pk]))
    )
    assert "Term 3 (year 2)" in body
    assert "Elective group КВ-4.1: choose 5 credits" in body
    assert "Free electives" in body
    assert "OLD101" in body
