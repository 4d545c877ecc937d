"""A final-year student who meets every graduation condition, and the people around them.

The academic year contains today (so "started" and "within the year" both hold for an event an
hour ago). The program needs 20 credits: four 5-credit disciplines, one of them a practice,
all passed; one state exam (distance, an hour ago) passed and one thesis defence (on site,
yesterday) passed. Tests break one thing at a time.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from qashyq.academics.models import AcademicPeriod, AcademicYear
from qashyq.academics.tests.factories import (
    DisciplineFactory,
    ProgramFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.gradebook.models import FinalGrade
from qashyq.registrar.models import (
    FinalAttestationEvent,
    FinalAttestationResult,
    IndividualPlan,
    IndividualPlanItem,
)


def make_grade(student, discipline, period, letter, points="3.0", percent="80", kind="regular"):
    return FinalGrade.objects.create(
        student=student,
        discipline=discipline,
        period=period,
        attempt_kind=kind,
        letter=letter,
        points=Decimal(points),
        percent=None if percent is None else Decimal(percent),
        credits=discipline.credits,
        ects=discipline.ects,
    )


def make_result(event, student, percent, letter, passed, points="3.0"):
    return FinalAttestationResult.objects.create(
        event=event,
        student=student,
        percent=Decimal(percent),
        letter=letter,
        points=Decimal(points),
        passed=passed,
    )


def final_year_student(gw, **kw):
    """Another final-year student of the program, with the approved plan and no grades."""
    profile = StudentProfileFactory(group=gw.group, year_of_study=4, **kw)
    plan = IndividualPlan.objects.create(
        student=profile.user,
        academic_year=gw.year,
        program=gw.program,
        year_of_study=4,
        status="approved",
    )
    for discipline in gw.disciplines:
        IndividualPlanItem.objects.create(
            plan=plan,
            discipline=discipline,
            period_kind="semester_1",
            credits=discipline.credits,
        )
    return profile


def pass_everything(gw, student):
    for discipline in gw.disciplines:
        make_grade(student, discipline, gw.sem1, "B")
    make_result(gw.exam, student, "85", "B+", True, "3.33")
    make_result(gw.thesis, student, "92", "A-", True, "3.67")


def make_world():
    """The world of the tests; each test module wraps it in its own ``gw`` fixture."""
    today = timezone.localdate()
    AcademicYear.objects.filter(is_current=True).update(is_current=False)
    year = AcademicYear.objects.create(
        title="2026-2027",
        starts_on=today - datetime.timedelta(days=200),
        ends_on=today + datetime.timedelta(days=160),
        is_current=True,
    )
    sem1 = AcademicPeriod.objects.create(
        year=year,
        kind="semester_1",
        starts_on=year.starts_on,
        ends_on=year.starts_on + datetime.timedelta(days=120),
    )
    program = ProgramFactory(total_credits=20, duration_years=4, code="6B09901")
    faculty_id = program.department.faculty_id
    group = StudyGroupFactory(program=program, year_of_study=4, code="ӨТ-23К")
    student = UserFactory(first_name="Әлия", last_name="Үсенова")
    profile = StudentProfileFactory(user=student, group=group, year_of_study=4)
    disciplines = [
        DisciplineFactory(code="ART401", credits=5, ects=Decimal(5)),
        DisciplineFactory(code="ART402", credits=5, ects=Decimal(5)),
        DisciplineFactory(code="ART403", credits=5, ects=Decimal(5)),
        DisciplineFactory(code="PRA404", credits=5, ects=Decimal(5), control_form="practice"),
    ]
    now = timezone.now()
    exam = FinalAttestationEvent.objects.create(
        program=program,
        academic_year=year,
        kind="state_exam",
        format="distance",
        starts_at=now - datetime.timedelta(hours=1),
        place="https://meet.example.kz/ge",
    )
    thesis = FinalAttestationEvent.objects.create(
        program=program,
        academic_year=year,
        kind="thesis",
        format="onsite",
        starts_at=now - datetime.timedelta(days=1),
        place="Бас ғимарат, 204",
    )
    other_program = ProgramFactory()
    ns = SimpleNamespace(
        today=today,
        year=year,
        sem1=sem1,
        program=program,
        group=group,
        student=student,
        profile=profile,
        disciplines=disciplines,
        exam=exam,
        thesis=thesis,
        other_program=other_program,
        registrar=user_with_role("registrar"),
        faculty_registrar=user_with_role("registrar", "faculty", faculty_id),
        other_faculty_registrar=user_with_role(
            "registrar", "faculty", other_program.department.faculty_id
        ),
        admin=user_with_role("admin"),
        leader=user_with_role("program_leader", "program", program.pk),
        other_leader=user_with_role("program_leader", "program", other_program.pk),
        tutor=user_with_role("tutor"),
        parent=UserFactory(),
    )
    plan = IndividualPlan.objects.create(
        student=student, academic_year=year, program=program, year_of_study=4, status="approved"
    )
    for discipline in disciplines:
        IndividualPlanItem.objects.create(
            plan=plan, discipline=discipline, period_kind="semester_1", credits=discipline.credits
        )
    ns.plan = plan
    pass_everything(ns, student)
    # a younger student of the program (not in the final year) and one of another program
    ns.junior = StudentProfileFactory(group=StudyGroupFactory(program=program), year_of_study=2)
    ns.outsider = StudentProfileFactory(group=StudyGroupFactory(program=other_program)).user
    return ns
