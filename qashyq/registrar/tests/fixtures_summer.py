"""Fixtures of the summer-semester tests: one academic year with a summer period, a first-year
student with two debts (F and FX), passed and cleared disciplines, and later-term plan entries to
study ahead; "today" is fixed inside the registration window."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from qashyq.academics.models import ProgramPlanEntry
from qashyq.academics.tests.factories import (
    AcademicPeriodFactory,
    AcademicYearFactory,
    DisciplineFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.models import ParentLink
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.gradebook.models import FinalGrade
from qashyq.registrar.models import SummerSemester
from qashyq.registrar.selectors import summer as summer_selectors

TODAY = datetime.date(2027, 5, 20)


def make_grade(student, discipline, period, letter, points, kind="regular", credits=None):
    return FinalGrade.objects.create(
        student=student,
        discipline=discipline,
        period=period,
        attempt_kind=kind,
        letter=letter,
        points=Decimal(points),
        percent=None,
        credits=credits if credits is not None else discipline.credits,
        ects=discipline.ects,
    )


@pytest.fixture
def today(monkeypatch):
    """Fix the date the window is judged by; returns a setter for tests that move it."""
    state = {"day": TODAY}
    monkeypatch.setattr(summer_selectors, "today", lambda: state["day"])

    def move(day: datetime.date):
        state["day"] = day

    return move


@pytest.fixture
def sw(db, today):
    year = AcademicYearFactory()
    sem1 = AcademicPeriodFactory(year=year, kind="semester_1")
    sem2 = AcademicPeriodFactory(
        year=year,
        kind="semester_2",
        starts_on=datetime.date(2027, 1, 20),
        ends_on=datetime.date(2027, 5, 31),
    )
    summer_period = AcademicPeriodFactory(
        year=year,
        kind="summer",
        starts_on=datetime.date(2027, 6, 15),
        ends_on=datetime.date(2027, 8, 10),
    )
    group = StudyGroupFactory(year_of_study=1)
    program = group.program
    faculty_id = program.department.faculty_id
    student = UserFactory(first_name="Әлия", last_name="Үсенова")
    profile = StudentProfileFactory(user=student, group=group, year_of_study=1)
    d_f = DisciplineFactory(
        code="HIS101",
        department=program.department,
        name_kk="Қазақстан тарихы",
        name_ru="История Казахстана",
        name_en="History of Kazakhstan",
    )
    d_fx = DisciplineFactory(
        code="PHI102", department=program.department, name_en="Philosophy", name_ru="Философия"
    )
    d_ok = DisciplineFactory(code="ART103", department=program.department)
    d_cleared = DisciplineFactory(code="ENG104", department=program.department)
    ahead5 = DisciplineFactory(code="ART201", department=program.department, name_en="Painting")
    ahead1 = DisciplineFactory(code="ART202", credits=1, department=program.department)
    ahead_passed = DisciplineFactory(code="ART203", department=program.department)
    for discipline, term in (
        (d_f, 1),
        (d_fx, 1),
        (d_ok, 1),
        (d_cleared, 2),
        (ahead5, 3),
        (ahead1, 4),
        (ahead_passed, 3),
    ):
        ProgramPlanEntry.objects.create(program=program, discipline=discipline, term=term)
    make_grade(student, d_f, sem1, "F", "0")
    make_grade(student, d_fx, sem2, "FX", "0.5")
    make_grade(student, d_ok, sem1, "A", "4.0")
    make_grade(student, d_cleared, sem1, "F", "0")
    make_grade(student, d_cleared, sem2, "B", "3.0", kind="retake")
    make_grade(student, ahead_passed, sem2, "C", "2.0")  # e.g. transferred credits
    summer = SummerSemester.objects.create(
        period=summer_period,
        credit_cap=15,
        registration_opens_on=datetime.date(2027, 5, 15),
        registration_closes_on=datetime.date(2027, 6, 10),
    )
    other = StudentProfileFactory(group=StudyGroupFactory()).user
    parent = UserFactory()
    ParentLink.objects.create(parent=parent, student=student)
    other_faculty_id = other.student_profile.program.department.faculty_id
    return SimpleNamespace(
        year=year,
        sem1=sem1,
        sem2=sem2,
        summer_period=summer_period,
        summer=summer,
        group=group,
        program=program,
        student=student,
        profile=profile,
        other=other,
        parent=parent,
        d_f=d_f,
        d_fx=d_fx,
        d_ok=d_ok,
        d_cleared=d_cleared,
        ahead5=ahead5,
        ahead1=ahead1,
        ahead_passed=ahead_passed,
        registrar=user_with_role("registrar"),
        faculty_registrar=user_with_role("registrar", "faculty", faculty_id),
        other_faculty_registrar=user_with_role("registrar", "faculty", other_faculty_id),
        admin=user_with_role("admin"),
        tutor=user_with_role("tutor"),
        other_parent=UserFactory(),
        move_today=today,
    )
