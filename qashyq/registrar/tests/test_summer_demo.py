"""The summer demo: last year's summer semester with registrations for the debts, summer courses
and summer grades (transcripts show the retake), this year's registration not open yet; a
second run creates nothing; without debts it only sets up this year's registration."""

import datetime
from types import SimpleNamespace

import pytest

from qashyq.academics.models import CourseOffering, Enrollment
from qashyq.academics.tests.factories import (
    AcademicPeriodFactory,
    AcademicYearFactory,
    DisciplineFactory,
    StudentProfileFactory,
)
from qashyq.accounts.tests.factories import user_with_role
from qashyq.gradebook.models import FinalGrade
from qashyq.registrar import selectors as registrar_selectors
from qashyq.registrar.demo_summer import seed_summer
from qashyq.registrar.models import SummerRegistration, SummerSemester
from qashyq.registrar.selectors import summer as selectors

from .fixtures_summer import make_grade

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 29)


@pytest.fixture
def years(db):
    previous = AcademicYearFactory(
        title="2025-2026",
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2026, 8, 31),
        is_current=False,
    )
    current = AcademicYearFactory()  # 2026-2027, current
    prev_sem1 = AcademicPeriodFactory(
        year=previous,
        kind="semester_1",
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2026, 1, 15),
    )
    prev_summer = AcademicPeriodFactory(
        year=previous,
        kind="summer",
        starts_on=datetime.date(2026, 6, 15),
        ends_on=datetime.date(2026, 8, 10),
    )
    this_summer = AcademicPeriodFactory(
        year=current,
        kind="summer",
        starts_on=datetime.date(2027, 6, 15),
        ends_on=datetime.date(2027, 8, 10),
    )
    registrar = user_with_role("registrar", username="registrar")
    tutor = user_with_role("tutor")
    logs = []
    ctx = SimpleNamespace(
        today=TODAY, objects={"users": {"registrar": registrar}}, log=logs.append, actor=registrar
    )
    return SimpleNamespace(
        prev_sem1=prev_sem1,
        prev_summer=prev_summer,
        this_summer=this_summer,
        registrar=registrar,
        tutor=tutor,
        ctx=ctx,
        logs=logs,
    )


def counts():
    return (
        SummerSemester.objects.count(),
        SummerRegistration.objects.count(),
        CourseOffering.objects.count(),
        Enrollment.objects.count(),
        FinalGrade.objects.count(),
    )


def test_seeds_last_summer_with_retakes_and_this_years_registration(years, monkeypatch):
    monkeypatch.setattr(selectors, "today", lambda: TODAY)
    students = [StudentProfileFactory().user for _ in range(6)]
    failed = DisciplineFactory(code="HIS101")
    passed = DisciplineFactory(code="ART101")
    for student in students:
        make_grade(student, failed, years.prev_sem1, "F", "0")
        make_grade(student, passed, years.prev_sem1, "B", "3.0")
    seed_summer(years.ctx)
    last = SummerSemester.objects.get(period=years.prev_summer)
    assert last.credit_cap == 15
    # every third debtor did not register, so the registrar's list of debtors is not empty
    registered = SummerRegistration.objects.filter(summer=last, status="enrolled")
    assert registered.count() == 4
    unregistered = {s.pk for s in students} - set(registered.values_list("student", flat=True))
    assert len(unregistered) == 2
    assert all(selectors.academic_debts(pk) for pk in unregistered)
    offering = CourseOffering.objects.get(period=years.prev_summer, discipline=failed)
    assert Enrollment.objects.filter(offering=offering).count() == 4
    summer_grades = FinalGrade.objects.filter(attempt_kind="summer", offering=offering)
    assert summer_grades.count() == 4
    # the transcript of each registered student shows both attempts, the summer one flagged
    record = registrar_selectors.transcript(registered.first().student_id)
    rows = [(r.period.kind, r.retake) for r in record.rows if r.discipline == failed]
    assert rows == [("semester_1", False), ("summer", True)]
    # this year's registration is set up and not open yet
    this = SummerSemester.objects.get(period=years.this_summer)
    assert this.registration_opens_on > TODAY and not selectors.is_open(this)
    before = counts()
    seed_summer(years.ctx)
    assert counts() == before


def test_without_debts_only_this_years_registration(years, monkeypatch):
    monkeypatch.setattr(selectors, "today", lambda: TODAY)
    seed_summer(years.ctx)
    assert list(SummerSemester.objects.values_list("period", flat=True).order_by("pk")) == [
        years.prev_summer.pk,
        years.this_summer.pk,
    ]
    assert not SummerRegistration.objects.exists()
    assert not CourseOffering.objects.exists()
    seed_summer(years.ctx)
    assert SummerSemester.objects.count() == 2
