"""Individual study plans: start, electives, credit caps, submission, approval, reopening and
the enrolment that follows the approved plan (docs/subsystems/iup.md)."""

import datetime

import pytest

from qashyq.academics.models import AcademicYear, Enrollment
from qashyq.academics.tests.factories import StudentProfileFactory
from qashyq.accounts.tests.factories import UserFactory
from qashyq.core.errors import Conflict, PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry
from qashyq.registrar.models import CreditLimits, IndividualPlan, IndividualPlanItem, PlanStatus
from qashyq.registrar.selectors import iup as selectors
from qashyq.registrar.services import iup as services

from . import fixtures_iup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
iup = fixtures_iup.iup  # the fixture


def start(w, actor=None, student=None, year=None, program=None, year_of_study=2):
    student = student or w.student
    return services.iup_start(
        actor=actor or student,
        student=student,
        academic_year=year or w.year,
        program=program or w.program,
        year_of_study=year_of_study,
    )


def codes(plan):
    return sorted(plan.items.values_list("discipline__code", flat=True))


def choose(w, plan, *names, actor=None):
    return services.iup_set_electives(
        actor=actor or w.student, plan=plan, entries=[w.entries[n] for n in names]
    )


def snapshot(plan):
    plan = IndividualPlan.objects.get(pk=plan.pk)
    items = sorted(
        IndividualPlanItem.objects.filter(plan=plan).values_list(
            "discipline__code", "period_kind", "credits", "offering_id"
        )
    )
    return (plan.status, plan.decided_by_id, plan.decision_note, items)


# --- start -----------------------------------------------------------------------------------


def test_start_prefills_the_mandatory_and_university_disciplines_of_the_year(iup):
    plan = start(iup)
    assert plan.status == PlanStatus.DRAFT
    rows = sorted(plan.items.values_list("discipline__code", "period_kind", "credits", "component"))
    assert rows == [
        ("MAN301", "semester_1", 5, "mandatory"),
        ("MAN401", "semester_2", 5, "mandatory"),
        ("UNI302", "semester_1", 6, "university"),
    ]


def test_start_is_idempotent(iup):
    first = start(iup)
    again = start(iup, actor=iup.registrar, year_of_study=3)
    assert again.pk == first.pk
    assert IndividualPlan.objects.count() == 1
    assert IndividualPlanItem.objects.count() == 3


def test_start_for_an_applicant_without_a_profile(iup):
    applicant = UserFactory()
    plan = start(iup, actor=iup.admission, student=applicant, year_of_study=1)
    assert codes(plan) == ["OLD101"]
    assert plan.program == iup.program


def test_start_for_the_next_year_once_it_exists_but_not_a_past_one(iup):
    past = AcademicYear.objects.create(
        title="2025-2026", starts_on=datetime.date(2025, 9, 1), ends_on=datetime.date(2026, 8, 31)
    )
    with pytest.raises(ValidationFailed):
        start(iup, year=past)
    following = AcademicYear.objects.create(
        title="2027-2028", starts_on=datetime.date(2027, 9, 1), ends_on=datetime.date(2028, 8, 31)
    )
    plan = start(iup, year=following, year_of_study=3)
    assert plan.academic_year == following
    assert IndividualPlan.objects.count() == 1


def test_start_refuses_a_year_of_study_the_program_does_not_have(iup):
    with pytest.raises(ValidationFailed, match="no year of study 5"):
        start(iup, year_of_study=5)
    assert not IndividualPlan.objects.exists()


def test_a_student_starts_only_their_own_plan_of_their_own_program(iup):
    with pytest.raises(PermissionDenied):
        start(iup, actor=iup.mate)
    with pytest.raises(PermissionDenied):
        start(iup, program=iup.other_program)
    for actor in (iup.leader, iup.tutor, iup.other_faculty_registrar, iup.methodologist):
        with pytest.raises(PermissionDenied):
            start(iup, actor=actor)
    assert not IndividualPlan.objects.exists()


# --- electives and credit caps ---------------------------------------------------------------


def test_electives_replace_the_previous_choice(iup):
    plan = start(iup)
    choose(iup, plan, "ELA402", "FRE303")
    assert codes(plan) == ["ELA402", "FRE303", "MAN301", "MAN401", "UNI302"]
    choose(iup, plan, "ELB403")
    assert codes(plan) == ["ELB403", "MAN301", "MAN401", "UNI302"]
    assert plan.items.get(discipline__code="ELB403").component == "elective"


def test_an_entry_that_is_not_an_elective_of_the_year_is_refused(iup):
    plan = start(iup)
    choose(iup, plan, "ELA402")
    before = snapshot(plan)
    for name in ("MAN301", "OLD101"):
        with pytest.raises(ValidationFailed):
            choose(iup, plan, name)
    assert snapshot(plan) == before


def test_semester_cap_at_the_boundary(iup):
    plan = start(iup)
    choose(iup, plan, "BIG304")  # 5 + 6 + 9 = 20 = the cap
    assert selectors.plan_summary(selectors.plan_for_page(plan.pk)).semesters[0].credits == 20
    before = snapshot(plan)
    with pytest.raises(ValidationFailed) as error:
        choose(iup, plan, "BIG304", "FRE303")  # 24 > 20
    assert str(error.value.message) == (
        "Semester 1 would have 24 credits; at most 20 are allowed in a semester."
    )
    assert error.value.code == "iup_over_semester_cap"
    assert snapshot(plan) == before


def test_year_cap_at_the_boundary(iup):
    CreditLimits.objects.filter(academic_year=iup.year).update(max_credits_per_semester=30)
    plan = start(iup)
    # semester 1: 5 + 6 + 9 = 20; semester 2: 5 + 5 + 5 = 15; the year: 35 = the cap
    choose(iup, plan, "BIG304", "ELA402", "ELB403")
    before = snapshot(plan)
    with pytest.raises(ValidationFailed) as error:
        choose(iup, plan, "BIG304", "ELA402", "ELB403", "FRE404")  # 41 > 35
    assert str(error.value.message) == (
        "The year would have 41 credits; at most 35 are allowed in a year."
    )
    assert snapshot(plan) == before


def test_default_limits_when_none_are_set(iup):
    CreditLimits.objects.all().delete()
    limits = selectors.credit_limits(iup.year)
    assert (limits.max_credits_per_semester, limits.max_credits_per_year) == (40, 75)
    assert limits.min_credits_per_year == 60
    assert limits.pk is None


def test_submit_needs_the_elective_group_credits(iup):
    plan = start(iup)
    before = snapshot(plan)
    with pytest.raises(ValidationFailed, match=r"КВ-4\.1.*at least 5 credits; 0 chosen"):
        services.iup_submit(actor=iup.student, plan=plan)
    assert snapshot(plan) == before


def test_submit_with_both_electives_of_a_group_is_allowed(iup):
    """At least the group's credits: choosing more than required is fine within the caps."""
    plan = start(iup)
    choose(iup, plan, "ELA402", "ELB403")
    services.iup_submit(actor=iup.student, plan=plan)
    assert IndividualPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED


def test_submit_under_the_yearly_minimum_is_only_a_warning(iup):
    plan = start(iup)
    choose(iup, plan, "ELA402")
    summary = services.iup_submit(actor=iup.student, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert plan.submitted_at is not None
    assert summary.total == 21
    assert summary.under_minimum


def test_submit_over_a_cap_is_refused_when_the_limits_were_lowered(iup):
    plan = start(iup)
    choose(iup, plan, "ELA402", "BIG304")
    CreditLimits.objects.filter(academic_year=iup.year).update(max_credits_per_semester=15)
    before = snapshot(plan)
    with pytest.raises(ValidationFailed, match="Semester 1 would have 20 credits"):
        services.iup_submit(actor=iup.student, plan=plan)
    assert snapshot(plan) == before


def test_a_submitted_plan_cannot_be_edited_by_the_student(iup):
    plan = start(iup)
    choose(iup, plan, "ELA402")
    services.iup_submit(actor=iup.student, plan=plan)
    before = snapshot(plan)
    with pytest.raises(PermissionDenied):
        choose(iup, plan, "ELB403")
    with pytest.raises(PermissionDenied):
        services.iup_submit(actor=iup.student, plan=plan)
    assert snapshot(plan) == before


# --- approval, return, reopen ----------------------------------------------------------------


@pytest.fixture
def submitted(iup):
    plan = start(iup)
    choose(iup, plan, "ELA402")
    services.iup_submit(actor=iup.student, plan=plan)
    return selectors.plan_for_page(plan.pk)


def test_approval_is_audit_logged_and_enrols(iup, submitted):
    result = services.iup_approve(actor=iup.leader, plan=submitted, note="Жарайды")
    plan = IndividualPlan.objects.get(pk=submitted.pk)
    assert plan.status == PlanStatus.APPROVED
    assert plan.decided_by == iup.leader
    entry = AuditLogEntry.objects.get(action="iup.approve")
    assert entry.actor == iup.leader
    assert entry.object_id == str(plan.pk)
    assert (entry.old_value, entry.new_value) == ({"status": "submitted"}, {"status": "approved"})
    assert sorted(i.discipline.code for i in result.enrolled) == [
        "ELA402",
        "MAN301",
        "MAN401",
        "UNI302",
    ]
    assert result.missing == []
    offerings = dict(plan.items.values_list("discipline__code", "offering_id"))
    # the group's language (ru) first; MAN401 has only a kk offering
    assert offerings["MAN301"] == iup.offerings["MAN301-ru"].pk
    assert offerings["MAN401"] == iup.offerings["MAN401-kk"].pk
    enrolments = Enrollment.objects.filter(student=iup.student)
    assert enrolments.count() == 4
    assert {e.group_id for e in enrolments} == {iup.group.pk}


def test_enrolment_is_idempotent_and_reports_disciplines_without_an_offering(iup):
    plan = start(iup)
    choose(iup, plan, "ELB403")  # no offering
    services.iup_submit(actor=iup.student, plan=plan)
    first = services.iup_approve(actor=iup.registrar, plan=selectors.plan_for_page(plan.pk))
    assert [i.discipline.code for i in first.missing] == ["ELB403"]
    count = Enrollment.objects.count()
    again = services.iup_enrol(actor=iup.registrar, plan=plan)
    assert again.enrolled == []
    assert len(again.already) == 3
    assert [i.discipline.code for i in again.missing] == ["ELB403"]
    assert Enrollment.objects.count() == count


def test_never_enrol_from_a_plan_that_is_not_approved(iup, submitted):
    with pytest.raises(Conflict):
        services.iup_enrol(actor=iup.registrar, plan=submitted)
    assert not Enrollment.objects.filter(student=iup.student).exists()


def test_return_needs_a_note_and_lets_the_student_change_the_plan(iup, submitted):
    before = snapshot(submitted)
    with pytest.raises(ValidationFailed):
        services.iup_return(actor=iup.leader, plan=submitted, note="  ")
    assert snapshot(submitted) == before
    services.iup_return(actor=iup.leader, plan=submitted, note="Add ELB403")
    plan = IndividualPlan.objects.get(pk=submitted.pk)
    assert (plan.status, plan.decision_note) == (PlanStatus.RETURNED, "Add ELB403")
    assert AuditLogEntry.objects.filter(action="iup.return", reason="Add ELB403").exists()
    choose(iup, plan, "ELA402", "ELB403")
    services.iup_submit(actor=iup.student, plan=plan)
    assert IndividualPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED


def test_an_approved_plan_is_read_only_until_the_leader_reopens_it(iup, submitted):
    services.iup_approve(actor=iup.leader, plan=submitted)
    plan = selectors.plan_for_page(submitted.pk)
    before = snapshot(plan)
    with pytest.raises(PermissionDenied):
        choose(iup, plan, "ELB403")
    for actor in (iup.registrar, iup.faculty_registrar, iup.student, iup.other_leader):
        with pytest.raises(PermissionDenied):
            services.iup_reopen(actor=actor, plan=plan, reason="x")
    with pytest.raises(ValidationFailed):
        services.iup_reopen(actor=iup.leader, plan=plan, reason="")
    assert snapshot(plan) == before
    services.iup_reopen(actor=iup.leader, plan=plan, reason="A new elective was opened")
    plan = IndividualPlan.objects.get(pk=plan.pk)
    assert plan.status == PlanStatus.RETURNED
    assert AuditLogEntry.objects.filter(action="iup.reopen").count() == 1
    choose(iup, plan, "ELB403")
    assert "ELB403" in codes(plan)


def test_a_decision_on_a_plan_that_is_not_submitted_is_a_conflict(iup):
    plan = start(iup)
    with pytest.raises(Conflict):
        services.iup_approve(actor=iup.leader, plan=plan)
    with pytest.raises(Conflict):
        services.iup_return(actor=iup.leader, plan=plan, note="x")
    with pytest.raises(Conflict):
        services.iup_reopen(actor=iup.leader, plan=plan, reason="x")
    assert IndividualPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    assert not AuditLogEntry.objects.filter(action__startswith="iup.").exists()


# who, approve/return a submitted plan
DECIDERS = [
    ("leader", True),
    ("site_leader", True),
    ("registrar", True),
    ("faculty_registrar", True),
    ("admin", True),
    ("other_leader", False),
    ("other_faculty_registrar", False),
    ("methodologist", False),
    ("admission", False),
    ("course_tutor", False),
    ("student", False),
    ("mate", False),
    ("parent", False),
]


@pytest.mark.parametrize(("who", "allowed"), DECIDERS)
def test_decision_matrix(iup, submitted, who, allowed):
    actor = getattr(iup, who)
    before = snapshot(submitted)
    for action in ("approve", "return"):
        plan = selectors.plan_for_page(submitted.pk)
        if allowed:
            continue
        with pytest.raises(PermissionDenied):
            if action == "approve":
                services.iup_approve(actor=actor, plan=plan)
            else:
                services.iup_return(actor=actor, plan=plan, note="x")
        assert snapshot(submitted) == before
        assert not Enrollment.objects.filter(student=iup.student).exists()
        assert not AuditLogEntry.objects.filter(action__startswith="iup.").exists()
    if allowed:
        services.iup_approve(actor=actor, plan=selectors.plan_for_page(submitted.pk))
        assert IndividualPlan.objects.get(pk=submitted.pk).status == PlanStatus.APPROVED


@pytest.mark.parametrize(
    "who", ["mate", "leader", "registrar", "admin", "other_leader", "parent", "course_tutor"]
)
def test_only_the_student_chooses_electives_and_submits(iup, who):
    plan = start(iup)
    before = snapshot(plan)
    with pytest.raises(PermissionDenied):
        choose(iup, plan, "ELA402", actor=getattr(iup, who))
    with pytest.raises(PermissionDenied):
        services.iup_submit(actor=getattr(iup, who), plan=plan)
    assert snapshot(plan) == before


# --- enrolment of a program ------------------------------------------------------------------


def test_registrar_enrols_every_approved_plan_of_a_program(iup, submitted):
    services.iup_approve(actor=iup.leader, plan=submitted)
    Enrollment.objects.all().delete()
    IndividualPlanItem.objects.update(offering=None)
    mate_plan = start(iup, student=iup.mate)  # a draft: never enrolled
    result = services.iup_enrol_program(
        actor=iup.faculty_registrar, program=iup.program, academic_year=iup.year
    )
    assert [r.plan.pk for r in result.results] == [submitted.pk]
    assert result.enrolled_count == 4
    assert result.missing_count == 0
    assert not Enrollment.objects.filter(student=iup.mate).exists()
    assert mate_plan.items.filter(offering__isnull=False).count() == 0
    again = services.iup_enrol_program(
        actor=iup.registrar, program=iup.program, academic_year=iup.year
    )
    assert again.enrolled_count == 0
    assert Enrollment.objects.count() == 4


@pytest.mark.parametrize("who", ["leader", "other_faculty_registrar", "student", "methodologist"])
def test_only_the_registrar_enrols_a_program(iup, submitted, who):
    services.iup_approve(actor=iup.leader, plan=submitted)
    count = Enrollment.objects.count()
    with pytest.raises(PermissionDenied):
        services.iup_enrol_program(
            actor=getattr(iup, who), program=iup.program, academic_year=iup.year
        )
    assert Enrollment.objects.count() == count


# --- the graduation selector -----------------------------------------------------------------


def test_approved_plan_items_across_years(iup, submitted):
    assert selectors.approved_plan_items(iup.student.pk) == []
    services.iup_approve(actor=iup.leader, plan=submitted)
    earlier = AcademicYear.objects.create(
        title="2025-2026", starts_on=datetime.date(2025, 9, 1), ends_on=datetime.date(2026, 8, 31)
    )
    old = IndividualPlan.objects.create(
        student=iup.student,
        academic_year=earlier,
        program=iup.program,
        year_of_study=1,
        status=PlanStatus.APPROVED,
    )
    IndividualPlanItem.objects.create(
        plan=old, discipline=iup.disciplines["OLD101"], period_kind="semester_1", credits=5
    )
    draft_student = StudentProfileFactory(group=iup.group).user
    start(iup, student=draft_student, actor=iup.registrar)
    items = selectors.approved_plan_items(iup.student.pk)
    assert [i.discipline.code for i in items] == [
        "OLD101",
        "MAN301",
        "UNI302",
        "ELA402",
        "MAN401",
    ]
    assert selectors.approved_plan_items(draft_student.pk) == []
