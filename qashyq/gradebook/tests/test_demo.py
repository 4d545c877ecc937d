"""The demo academy's year of journals (issue 5, item 12): ``manage.py seed_demo`` leaves the
previous year graded through locked statements (with FX, F and FX re-sits), the current semester
in progress, a login whose transcript lists the previous year, and a second run adds nothing.

seed_demo is slow (tens of seconds here), so the module seeds one database twice, inside a
transaction that is rolled back when the module ends; each test runs in a savepoint of it.
"""

from __future__ import annotations

import io
from collections import Counter
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from qashyq.academics.demo import academic_year_start
from qashyq.academics.models import AcademicPeriod, CourseOffering, Enrollment, PeriodKind
from qashyq.accounts.models import User
from qashyq.gradebook import demo as gradebook_demo
from qashyq.gradebook import selectors
from qashyq.gradebook.models import (
    AttemptKind,
    CurrentMark,
    FinalGrade,
    JournalRow,
    MarkChange,
    Statement,
    StatementKind,
    StatementLine,
    StatementStatus,
)
from qashyq.registrar.selectors import transcript

pytestmark = pytest.mark.django_db

PASSING = {"A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D"}
B_AND_C = {"B+", "B", "B-", "C+", "C", "C-"}


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        first = io.StringIO()
        call_command("seed_demo", stdout=first)
        after_first = _counts()
        second = io.StringIO()
        call_command("seed_demo", stdout=second)
        after_second = _counts()
        yield SimpleNamespace(
            first=first.getvalue(),
            second=second.getvalue(),
            after_first=after_first,
            after_second=after_second,
        )
        transaction.set_rollback(True)


def _previous_year_title() -> str:
    start = academic_year_start(timezone.localdate())
    return f"{start - 1}-{start}"


def _previous_offerings():
    return list(
        CourseOffering.objects.filter(
            period__year__title=_previous_year_title(),
            period__kind__in=(PeriodKind.SEMESTER_1, PeriodKind.SEMESTER_2),
        )
        .prefetch_related("groups")
        .order_by("pk")
    )


def test_second_run_adds_nothing(seeded):
    changed = {
        label: (n, seeded.after_second.get(label))
        for label, n in seeded.after_first.items()
        if seeded.after_second.get(label) != n
    }
    assert changed == {}
    assert "0 exam and 0 FX re-sit statements locked now" in seeded.second
    assert "0 journals filled now, 0 weekly marks" in seeded.second or (
        "current semester" not in seeded.second
    )


def test_previous_year_has_offerings_only_for_groups_that_studied_then(seeded):
    offerings = _previous_offerings()
    assert len(offerings) >= 10
    for offering in offerings:
        groups = list(offering.groups.all())
        assert groups
        # a group now in year n was in year n - 1: no first-year group studied a year ago
        assert all(group.year_of_study >= 2 for group in groups)
        assert offering.tutors.exists()
        assert Enrollment.objects.filter(offering=offering).exists()


def test_every_previous_year_group_has_a_locked_exam_statement_and_final_grades(seeded):
    for offering in _previous_offerings():
        for group in offering.groups.all():
            statement = Statement.objects.get(
                offering=offering, group=group, kind=StatementKind.EXAM
            )
            assert statement.status == StatementStatus.LOCKED
            assert statement.signed_by.filter(pk=statement.tutor_id).exists()
            enrolled = set(
                Enrollment.objects.filter(offering=offering, group=group).values_list(
                    "student_id", flat=True
                )
            )
            lines = {line.student_id: line for line in statement.lines.all()}
            assert set(lines) == enrolled
            grades = {
                grade.student_id: grade
                for grade in FinalGrade.objects.filter(
                    offering=offering,
                    attempt_kind=AttemptKind.REGULAR,
                    student_id__in=enrolled,
                )
            }
            assert set(grades) == enrolled
            for student_id, grade in grades.items():
                assert grade.statement_id == statement.pk
                assert grade.letter == (lines[student_id].letter or "F")
                assert grade.credits == offering.discipline.credits


def test_previous_year_has_fx_and_f_and_mostly_b_and_c(seeded):
    grades = FinalGrade.objects.filter(
        offering__period__year__title=_previous_year_title(), attempt_kind=AttemptKind.REGULAR
    )
    letters = Counter(grades.values_list("letter", flat=True))
    total = sum(letters.values())
    assert letters["F"] >= 2
    assert letters["FX"] >= 5
    assert letters["A"] >= 1
    assert sum(n for letter, n in letters.items() if letter in B_AND_C) > total / 2
    assert letters["F"] + letters["FX"] < total / 10
    # an F is a student below the admission rating: no exam, no final %
    for grade in grades.filter(letter="F"):
        line = StatementLine.objects.get(statement=grade.statement, student=grade.student)
        assert line.admitted is False
        assert line.exam is None
        assert grade.percent is None
    # an FX is an admitted student whose exam was below 50
    for line in StatementLine.objects.filter(
        statement__offering__period__year__title=_previous_year_title(),
        statement__kind=StatementKind.EXAM,
        letter="FX",
    ):
        assert line.admitted is True
        assert line.exam < 50


def test_fx_students_resat_with_a_commission_most_pass_and_f_students_keep_the_debt(seeded):
    title = _previous_year_title()
    fx = set(
        FinalGrade.objects.filter(
            offering__period__year__title=title, attempt_kind=AttemptKind.REGULAR, letter="FX"
        ).values_list("student_id", "offering_id")
    )
    resits = FinalGrade.objects.filter(
        offering__period__year__title=title, attempt_kind=AttemptKind.FX_RESIT
    )
    assert set(resits.values_list("student_id", "offering_id")) == fx
    resit_letters = Counter(resits.values_list("letter", flat=True))
    passed = sum(n for letter, n in resit_letters.items() if letter in PASSING)
    assert passed > len(fx) / 2
    assert passed < len(fx)  # a few fail the re-sit too (the summer part uses them)
    for statement in Statement.objects.filter(
        offering__period__year__title=title, kind=StatementKind.FX_RESIT
    ):
        assert statement.status == StatementStatus.LOCKED
        assert statement.based_on.kind == StatementKind.EXAM
        commission = set(statement.commission.values_list("pk", flat=True))
        assert commission
        assert statement.tutor_id not in commission
        assert commission | {statement.tutor_id} <= set(
            statement.signed_by.values_list("pk", flat=True)
        )
    # the re-sit mark is in the journal's exam cell, written through the service (audited)
    for grade in resits.select_related("statement"):
        row = JournalRow.objects.get(journal__offering=grade.offering, student=grade.student)
        line = grade.statement.lines.get(student=grade.student)
        assert row.exam == line.exam
        assert MarkChange.objects.filter(
            journal__offering=grade.offering, student=grade.student, column="exam"
        ).exists()
    f_students = FinalGrade.objects.filter(
        offering__period__year__title=title, attempt_kind=AttemptKind.REGULAR, letter="F"
    ).values_list("student_id", "offering_id")
    for student_id, offering_id in f_students:
        assert not FinalGrade.objects.filter(
            student_id=student_id, offering_id=offering_id
        ).exclude(attempt_kind=AttemptKind.REGULAR)


def test_the_history_login_has_the_previous_year_in_the_transcript(seeded):
    username = User.objects.get(pk=gradebook_demo.history_student_id()).username
    assert username in seeded.first  # in the table of demo logins
    user = authenticate(username=username, password="demo")
    assert user is not None
    record = transcript(user.pk)
    title = _previous_year_title()
    kinds = {block.period.kind for block in record.periods if block.period.year.title == title}
    assert kinds == {PeriodKind.SEMESTER_1, PeriodKind.SEMESTER_2}
    rows = [row for row in record.rows if row.period.year.title == title]
    assert len({row.discipline.pk for row in rows}) >= 6
    fx = [r for r in rows if r.grade.letter == "FX"]
    assert [r.discipline.code for r in fx] == [gradebook_demo.HISTORY_FX_DISCIPLINE]
    resit = [r for r in rows if r.grade.attempt_kind == AttemptKind.FX_RESIT]
    assert len(resit) == 1 and resit[0].grade.letter in PASSING and resit[0].retake
    assert record.gpa is not None and record.gpa >= 2


def test_the_student_login_studies_in_a_first_year_group(seeded):
    """Why the history login exists: ``student`` has no previous year (reported)."""
    student = User.objects.get(username="student")
    assert student.student_profile.group.year_of_study == 1
    assert not FinalGrade.objects.filter(student=student).exists()


def _current_semester():
    today = timezone.localdate()
    return (
        AcademicPeriod.objects.filter(
            year__is_current=True,
            kind__in=(PeriodKind.SEMESTER_1, PeriodKind.SEMESTER_2),
            starts_on__lte=today,
            ends_on__gte=today,
        )
        .select_related("year")
        .first()
    )


def test_current_semester_is_in_progress(seeded):
    period = _current_semester()
    if period is None:
        pytest.skip("today is outside the current year's semesters")
    scheme = selectors.default_scheme()
    week_now = min((timezone.localdate() - period.starts_on).days // 7 + 1, scheme.weeks)
    offerings = list(CourseOffering.objects.filter(period=period, enrollments__isnull=False))
    offerings = list({o.pk: o for o in offerings}.values())
    assert offerings
    tested = gradebook_demo.rk1_from_test(
        {u.username: u for u in User.objects.filter(username__in=("tutor", "student"))}
    )
    for offering in offerings:
        marks = CurrentMark.objects.filter(journal__offering=offering)
        weeks = set(marks.values_list("week", flat=True))
        assert weeks == set(range(1, week_now + 1)), offering
        _scheme, rows = selectors.journal_rows(offering)
        for row in rows:
            assert row.cells["exam"].value is None
            if week_now < gradebook_demo.MIDTERM_1_WEEK:
                continue
            # ТК1 is the mean of weeks 1-7 and РК1 is there, except where the RK1 test posts it
            assert row.cells["tk1"].value is not None
            if (offering.pk, row.student_id) in tested:
                assert row.cells["rk1"].source in ("", "test")
            else:
                assert row.cells["rk1"].value is not None
    assert not Statement.objects.filter(offering__period=period).exists()
    assert not FinalGrade.objects.filter(period=period).exists()


def test_demo_marks_are_realistic_numbers(seeded):
    for value in CurrentMark.objects.values_list("value", flat=True)[:2000]:
        assert 0 <= value <= 100
        assert value == value.to_integral_value()


def test_the_history_login_sees_last_year_on_the_transcript_page(seeded, client):
    user = User.objects.get(pk=gradebook_demo.history_student_id())
    client.force_login(user)
    response = client.get(reverse("registrar:my_transcript"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"<h2>{_previous_year_title()} · " in page
    assert gradebook_demo.HISTORY_FX_DISCIPLINE in page
    assert '<td class="letter">FX</td>' in page
