import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

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


def make_grade(student, discipline, period, letter, points, percent, kind="regular", **kw):
    return FinalGrade.objects.create(
        student=student,
        discipline=discipline,
        period=period,
        attempt_kind=kind,
        letter=letter,
        points=Decimal(points),
        percent=None if percent is None else Decimal(percent),
        credits=kw.pop("credits", discipline.credits),
        ects=kw.pop("ects", discipline.ects),
        **kw,
    )


@pytest.fixture
def grade():
    return make_grade


@pytest.fixture
def world(db):
    year = AcademicYearFactory()
    sem1 = AcademicPeriodFactory(year=year, kind="semester_1")
    sem2 = AcademicPeriodFactory(
        year=year,
        kind="semester_2",
        starts_on=datetime.date(2027, 1, 20),
        ends_on=datetime.date(2027, 5, 31),
    )
    summer = AcademicPeriodFactory(
        year=year,
        kind="summer",
        starts_on=datetime.date(2027, 6, 15),
        ends_on=datetime.date(2027, 8, 10),
    )
    group = StudyGroupFactory()
    student_user = UserFactory(first_name="Әлия", last_name="Үсенова")
    profile = StudentProfileFactory(user=student_user, group=group, year_of_study=2)
    other = StudentProfileFactory(group=StudyGroupFactory()).user
    d1 = DisciplineFactory(
        code="KAZ101", name_kk="Қазақ тілі", name_ru="Казахский язык", name_en="Kazakh language"
    )
    d2 = DisciplineFactory(
        code="SOC102", name_kk="Әлеуметтану", name_ru="Социология", name_en="Sociology"
    )
    d3 = DisciplineFactory(
        code="MAT201",
        credits=4,
        ects=Decimal("6.5"),
        name_kk="Үлкен деректер",
        name_ru="Большие данные",
        name_en="Big data",
    )
    d4 = DisciplineFactory(
        code="PHY202", credits=6, name_kk="Физика", name_ru="Физика", name_en="Physics"
    )
    s = student_user
    grades = [
        make_grade(s, d1, sem1, "A-", "3.67", "91"),
        make_grade(s, d2, sem1, "F", "0", "20"),
        make_grade(s, d3, sem2, "FX", "0.5", "45"),
        make_grade(s, d3, sem2, "C", "2.0", "72", kind="fx_resit"),
        make_grade(s, d4, sem2, "FX", "0.5", "40"),
        make_grade(s, d2, summer, "B", "3.0", "82", kind="summer"),
    ]
    parent = UserFactory()
    ParentLink.objects.create(parent=parent, student=s)
    faculty_id = profile.program.department.faculty_id
    other_profile = other.student_profile
    return SimpleNamespace(
        year=year,
        sem1=sem1,
        sem2=sem2,
        summer=summer,
        student=s,
        profile=profile,
        other=other,
        disciplines=(d1, d2, d3, d4),
        grades=grades,
        parent=parent,
        other_parent=UserFactory(),
        registrar=user_with_role("registrar"),
        faculty_registrar=user_with_role("registrar", "faculty", faculty_id),
        other_faculty_registrar=user_with_role(
            "registrar", "faculty", other_profile.program.department.faculty_id
        ),
        admin=user_with_role("admin"),
        tutor=user_with_role("tutor"),
    )
