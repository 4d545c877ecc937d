"""A program with a study plan for year 2, a student of it, course offerings and the people of
the IUP permission matrix (imported by the test_iup* modules)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from qashyq.academics.models import CalendarEvent, CourseOffering, ProgramPlanEntry
from qashyq.academics.tests.factories import (
    AcademicPeriodFactory,
    AcademicYearFactory,
    DisciplineFactory,
    ProgramFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.registrar.models import CreditLimits

# Year 2 of the program: terms 3 (semester 1) and 4 (semester 2).
# code, term, component, credits, elective group, credits to choose
PLAN = (
    ("MAN301", 3, "mandatory", 5, "", None),
    ("UNI302", 3, "university", 6, "", None),
    ("FRE303", 3, "elective", 4, "", None),  # a free elective
    ("BIG304", 3, "elective", 9, "", None),  # a free elective, fills semester 1 to the cap
    ("MAN401", 4, "mandatory", 5, "", None),
    ("ELA402", 4, "elective", 5, "КВ-4.1", 5),
    ("ELB403", 4, "elective", 5, "КВ-4.1", None),
    ("FRE404", 4, "elective", 6, "", None),
    ("OLD101", 1, "mandatory", 5, "", None),  # year 1: never in a year-2 plan
)


def add_plan_entry(program, discipline, term, component="mandatory", group="", credits=None):
    return ProgramPlanEntry.objects.create(
        program=program,
        discipline=discipline,
        term=term,
        component=component,
        elective_group=group,
        elective_credits=credits,
    )


@pytest.fixture
def iup(db):
    year = AcademicYearFactory()
    sem1 = AcademicPeriodFactory(year=year, kind="semester_1")
    sem2 = AcademicPeriodFactory(
        year=year,
        kind="semester_2",
        starts_on=datetime.date(2027, 1, 20),
        ends_on=datetime.date(2027, 5, 31),
    )
    CalendarEvent.objects.create(
        year=year,
        period=sem1,
        kind="midterm_1",
        starts_on=datetime.date(2026, 10, 19),
        ends_on=datetime.date(2026, 10, 24),
    )
    CalendarEvent.objects.create(
        year=year,
        period=sem2,
        kind="exam_session",
        starts_on=datetime.date(2027, 5, 11),
        ends_on=datetime.date(2027, 5, 30),
    )
    CalendarEvent.objects.create(
        year=year,
        kind="holidays",
        starts_on=datetime.date(2027, 1, 16),
        ends_on=datetime.date(2027, 1, 19),
    )
    CreditLimits.objects.create(
        academic_year=year,
        max_credits_per_semester=20,
        max_credits_per_year=35,
        min_credits_per_year=30,
    )
    program = ProgramFactory(code="IUP-6B01")
    other_program = ProgramFactory()
    disciplines = {}
    entries = {}
    for code, term, component, credits, group, to_choose in PLAN:
        disciplines[code] = DisciplineFactory(
            code=code, credits=credits, name_en=f"Discipline {code}", name_kk=f"Пән {code}"
        )
        entries[code] = add_plan_entry(
            program, disciplines[code], term, component, group, to_choose
        )
    group = StudyGroupFactory(program=program, year_of_study=2, language="ru")
    student = UserFactory(first_name="Әлия", last_name="Жұмабаева")
    profile = StudentProfileFactory(user=student, group=group, year_of_study=2)
    mate = StudentProfileFactory(group=group, year_of_study=2).user
    outsider = StudentProfileFactory(
        group=StudyGroupFactory(program=other_program), year_of_study=2
    ).user
    tutor = UserFactory(last_name="Оспанов")

    def offering(code, period, language):
        o = CourseOffering.objects.create(
            discipline=disciplines[code], period=period, language=language
        )
        o.tutors.add(tutor)
        return o

    offerings = {
        "MAN301-kk": offering("MAN301", sem1, "kk"),
        "MAN301-ru": offering("MAN301", sem1, "ru"),
        "UNI302-ru": offering("UNI302", sem1, "ru"),
        "MAN401-kk": offering("MAN401", sem2, "kk"),
        "ELA402-ru": offering("ELA402", sem2, "ru"),
        # ELB403 and the free electives have no offering
    }
    faculty_id = program.department.faculty_id
    other_faculty_id = other_program.department.faculty_id
    return SimpleNamespace(
        year=year,
        sem1=sem1,
        sem2=sem2,
        program=program,
        other_program=other_program,
        disciplines=disciplines,
        entries=entries,
        group=group,
        student=student,
        profile=profile,
        mate=mate,
        outsider=outsider,
        offerings=offerings,
        tutor=tutor,
        leader=user_with_role("program_leader", "program", program.pk),
        site_leader=user_with_role("program_leader"),
        other_leader=user_with_role("program_leader", "program", other_program.pk),
        registrar=user_with_role("registrar"),
        faculty_registrar=user_with_role("registrar", "faculty", faculty_id),
        other_faculty_registrar=user_with_role("registrar", "faculty", other_faculty_id),
        admin=user_with_role("admin"),
        methodologist=user_with_role("methodologist", "faculty", faculty_id),
        admission=user_with_role("admission"),
        course_tutor=user_with_role("tutor"),
        parent=UserFactory(),
    )
