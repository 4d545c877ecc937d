"""The batch paths of GPA recomputation give exactly what the per-offering and per-student
functions give (bench/gpa_recompute.py measures their speed).

* ``selectors.journal_results`` (every offering's final %, letter and points in four queries)
  against ``gradebook.selectors.journal_rows`` offering by offering;
* ``selectors.students_below_threshold`` (every student's cumulative GPA from one query)
  against ``selectors.gpa_summary`` student by student.
"""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qashyq.academics.models import Enrollment, StudentStatus
from qashyq.academics.tests.factories import (
    AcademicPeriodFactory,
    AcademicYearFactory,
    CourseOfferingFactory,
    DisciplineFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.gradebook.models import (
    CurrentMark,
    FinalGrade,
    GradingScheme,
    Journal,
    JournalRow,
    Statement,
)
from qashyq.gradebook.selectors import journal_rows
from qashyq.registrar import gpa, selectors
from qashyq.registrar.models import TransferThreshold

pytestmark = [pytest.mark.django_db]


# --- journal_results against journal_rows ---------------------------------------------------


def _row(journal, student, **marks):
    return JournalRow.objects.create(
        journal=journal, student=student, **{k: Decimal(v) for k, v in marks.items()}
    )


def _weekly(journal, student, *marks):
    for week, value in marks:
        CurrentMark.objects.create(journal=journal, student=student, week=week, value=value)


@pytest.fixture
def journals(db):
    """Three offerings of one group: a journal under the default scheme, a journal under a
    scheme with other weights, tenths, a low FX band, a 5-week first half and FX out of the
    GPA, and an offering nobody opened a journal for; every kind of row in them."""
    period = AcademicPeriodFactory()
    group = StudyGroupFactory()
    students = [StudentProfileFactory(group=group).user for _ in range(12)]
    outsider = StudentProfileFactory().user  # a row in the journal but not enrolled
    default = GradingScheme.objects.get(is_default=True)
    custom = GradingScheme.objects.create(
        name="Custom",
        valid_from=period.starts_on,
        admission_weight=Decimal("0.5"),
        exam_weight=Decimal("0.5"),
        admission_threshold=Decimal("45"),
        exam_minimum=Decimal("40"),
        rounding="tenth",
        fx_in_gpa=False,
        fx_points=Decimal("0.25"),
        first_half_weeks=5,
    )
    offerings = [CourseOfferingFactory(period=period, groups=[group]) for _ in range(3)]
    plain = Journal.objects.create(offering=offerings[0], scheme=default)
    other = Journal.objects.create(offering=offerings[1], scheme=custom)
    for journal in (plain, other):
        s = students
        _row(journal, s[0], tk1="90", rk1="85", tk2="95", rk2="88", exam="97")  # a letter
        _row(journal, s[1], tk1="40", rk1="30", tk2="45", rk2="20", exam="90")  # not admitted
        _row(journal, s[2], tk1="70", rk1="72", tk2="68", rk2="75", exam="30")  # exam too low
        _row(journal, s[3], tk1="70", rk1="72", tk2="68", rk2="75")  # no exam yet
        _row(journal, s[4], rk1="80", rk2="70", exam="66")  # ТК from weekly marks
        _weekly(journal, s[4], (1, "60"), (2, "75.5"), (5, "90"), (6, "81"), (7, "77"), (15, "88"))
        _row(journal, s[5], tk1="99", rk1="80", tk2="55", rk2="70", exam="71")  # direct ТК win
        _weekly(journal, s[5], (1, "10"), (9, "12"))
        _weekly(journal, s[6], (2, "90"), (10, "95"))  # weekly marks only, no row
        # s[7]: enrolled, nothing entered
        _row(journal, s[8], tk1="94.55", rk1="94.45", tk2="94.5", rk2="94.49", exam="94.51")
        _row(journal, s[9], tk1="49.99", rk1="50", tk2="50", rk2="50", exam="50")
        _row(journal, s[10], tk1="100", rk1="100", tk2="100", rk2="100", exam="49.99")
        _weekly(journal, s[11], (3, "70"))  # ТК1 from one week, ТК2 entered
        _row(journal, s[11], rk1="60", tk2="80", rk2="58.5", exam="62")
        _row(journal, outsider, tk1="100", rk1="100", tk2="100", rk2="100", exam="100")
    rng = random.Random(5)
    for student in (StudentProfileFactory(group=group).user for _ in range(20)):
        for offering in offerings:
            Enrollment.objects.create(offering=offering, student=student, group=group)
        for journal in (plain, other):
            marks = {c: f"{rng.uniform(20, 100):.2f}" for c in ("tk1", "rk1", "tk2", "rk2")}
            _row(journal, student, exam=f"{rng.uniform(0, 100):.1f}", **marks)
    return offerings, students, outsider


def test_journal_results_equal_journal_rows_offering_by_offering(journals):
    offerings, students, outsider = journals
    batch = selectors.journal_results(offerings)
    assert set(batch) == {o.pk for o in offerings}
    letters = set()
    for offering in offerings:
        _scheme, rows = journal_rows(offering)
        expected = {row.student_id: row.result for row in rows}
        assert batch[offering.pk] == expected  # every field: r1, r2, admission, final %, ...
        assert outsider.pk not in batch[offering.pk]
        letters |= {r.letter for r in expected.values()}
    # the data set reaches every branch of the rules
    assert {"F", "FX", None} <= letters and len(letters) > 6
    default, custom = batch[offerings[0].pk], batch[offerings[1].pk]
    assert custom[students[2].pk].letter == "FX" and custom[students[2].pk].points == Decimal(
        "0.25"
    )
    assert default[students[4].pk].r1 == (Decimal("383.5") / 5 + 80) / 2  # weeks 1-7 of 15
    assert custom[students[4].pk].r1 == (Decimal("225.5") / 3 + 80) / 2  # weeks 1-5
    assert default[students[5].pk].r1 == Decimal("89.5")  # the direct ТК1, not week 1's 10
    assert default[students[6].pk].admission_rating is None  # no РК: no admission rating
    assert default[students[7].pk].letter is None
    assert default[students[8].pk].final_percent == Decimal("95")
    assert custom[students[8].pk].final_percent == Decimal("94.5")
    # no journal: every enrolled student, nothing computed
    empty = batch[offerings[2].pk]
    assert len(empty) == len(students) + 20
    assert {r.letter for r in empty.values()} == {None}


def test_journal_results_ids_or_offerings_and_nothing(journals):
    offerings, _students, _outsider = journals
    assert selectors.journal_results([o.pk for o in offerings]) == selectors.journal_results(
        offerings
    )
    assert selectors.journal_results([]) == {}


def _count(function) -> int:
    with CaptureQueriesContext(connection) as ctx:
        function()
    return len(ctx.captured_queries)


def test_journal_results_queries_do_not_grow(journals):
    offerings, _students, _outsider = journals
    few = _count(lambda: selectors.journal_results(offerings[:1]))
    group = StudyGroupFactory()
    more = [CourseOfferingFactory(groups=[group]) for _ in range(3)]
    for _i in range(5):
        student = StudentProfileFactory(group=group).user
        for offering in [*offerings, *more]:
            Enrollment.objects.create(offering=offering, student=student)
    for offering in more:
        journal = Journal.objects.create(
            offering=offering, scheme=GradingScheme.objects.get(is_default=True)
        )
        _weekly(journal, Enrollment.objects.filter(offering=offering).first().student, (1, "5"))
    many = _count(lambda: selectors.journal_results([*offerings, *more]))
    assert few == many == 4


# --- students_below_threshold against gpa_summary -------------------------------------------


def _grade(student, discipline, period, letter, points, kind="regular", **kw):
    return FinalGrade.objects.create(
        student=student,
        discipline=discipline,
        period=period,
        attempt_kind=kind,
        letter=letter,
        points=Decimal(points),
        percent=Decimal(50),
        credits=kw.pop("credits", discipline.credits),
        ects=discipline.ects,
        **kw,
    )


@pytest.fixture
def records(db):
    """Students of years 1-4 (and one expelled) across two faculties with retakes, summer
    attempts, FX re-sits, FX under schemes that count it or not (by statement, by journal, by
    the default scheme), ungraded attempts and credits of 0; random for the rest."""
    year = AcademicYearFactory(is_current=True)
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
    for year_of_study, min_gpa in ((1, "2.00"), (2, "2.50"), (3, "3.00")):
        TransferThreshold.objects.create(
            academic_year=year, year_of_study=year_of_study, min_gpa=Decimal(min_gpa)
        )
    counts = GradingScheme.objects.create(name="Counts FX", valid_from=sem1.starts_on)
    leaves = GradingScheme.objects.create(
        name="Leaves FX out", valid_from=sem1.starts_on, fx_in_gpa=False
    )
    groups = [StudyGroupFactory(), StudyGroupFactory()]  # two programs, two faculties
    disciplines = [DisciplineFactory(credits=c) for c in (5, 4, 3, 6, 2)]
    offerings = {}
    for index, discipline in enumerate(disciplines):
        offering = CourseOfferingFactory(discipline=discipline, period=sem1)
        scheme = (counts, leaves, None)[index % 3]
        if scheme is not None:
            Journal.objects.create(offering=offering, scheme=scheme)
        offerings[discipline.pk] = offering
    statements = {
        scheme.pk: Statement.objects.create(
            offering=offerings[disciplines[2].pk], scheme=scheme, number=f"ST-{scheme.pk}"
        )
        for scheme in (counts, leaves)
    }
    rng = random.Random(20261129)
    letters = [("A", "4.0"), ("B", "3.0"), ("C", "2.0"), ("D", "1.0"), ("F", "0"), ("FX", "0.5")]
    profiles = []
    for n in range(48):
        profile = StudentProfileFactory(
            group=groups[n % 2],
            year_of_study=n % 4 + 1,  # year 4 has no threshold
            status=StudentStatus.EXPELLED if n == 5 else StudentStatus.ACTIVE,
        )
        profiles.append(profile)
        student = profile.user
        for discipline in rng.sample(disciplines, rng.randint(0 if n % 7 == 0 else 1, 5)):
            letter, points = rng.choice(letters)
            fx = {}
            if rng.random() < 0.5:
                fx["offering"] = offerings[discipline.pk]
                if rng.random() < 0.3:
                    fx["statement"] = rng.choice(list(statements.values()))
            _grade(student, discipline, sem1, letter, points, **fx)
            if letter in ("F", "FX") and rng.random() < 0.7:
                kind, period = rng.choice(
                    [("summer", summer), ("retake", sem2), ("fx_resit", sem1)]
                )
                again, again_points = rng.choice(letters)
                _grade(student, discipline, period, again, again_points, kind=kind)
            if rng.random() < 0.1:
                _grade(student, discipline, sem2, "", "0", kind="retake")  # not graded yet
    # an FX re-sit graded under a journal that leaves FX out; a transferred result of 0 credits
    _grade(
        profiles[1].user,
        disciplines[1],
        sem2,
        "FX",
        "0.5",
        kind="retake",
        offering=offerings[disciplines[1].pk],
    )
    _grade(profiles[2].user, DisciplineFactory(), sem1, "A", "4.0", credits=0)
    return year, profiles, groups


def _expected(year, profiles, faculty_ids=None):
    thresholds = {t.year_of_study: t.min_gpa for t in selectors.thresholds_of(year)}
    below = []
    for profile in profiles:
        if profile.status != StudentStatus.ACTIVE or profile.year_of_study not in thresholds:
            continue
        if faculty_ids is not None and profile.program.department.faculty_id not in faculty_ids:
            continue
        value = selectors.gpa_summary(profile.user_id)["cumulative"]
        if value is not None and value < thresholds[profile.year_of_study]:
            below.append((value, profile.user.last_name, profile.user_id))
    return [(user_id, value) for value, _name, user_id in sorted(below)]


def _listed(items):
    return [(item.profile.user_id, item.gpa) for item in items]


@pytest.mark.parametrize("default_counts_fx", [True, False])
def test_below_threshold_equals_the_per_student_gpa(records, default_counts_fx):
    year, profiles, groups = records
    GradingScheme.objects.filter(is_default=True).update(fx_in_gpa=default_counts_fx)
    expected = _expected(year, profiles)
    listed = selectors.students_below_threshold(year)
    assert _listed(listed) == expected
    assert 5 < len(expected) < 30  # some listed, some not: the comparison means something
    for item in listed:
        assert (
            item.threshold
            == TransferThreshold.objects.get(
                academic_year=year, year_of_study=item.profile.year_of_study
            ).min_gpa
        )
        assert item.gpa_display == gpa.display(item.gpa)
        assert item.profile.user.last_name and item.profile.program.code  # ready for the page
    faculty = groups[0].program.department.faculty_id
    scoped = selectors.students_below_threshold(year, faculty_ids=frozenset({faculty}))
    assert _listed(scoped) == _expected(year, profiles, {faculty})
    assert 0 < len(scoped) < len(listed)


def test_fx_rule_of_the_batch_follows_statement_then_journal_then_default(records):
    """The same student's FX under each scheme source, with and without FX in the GPA."""
    year, profiles, _groups = records
    FinalGrade.objects.all().delete()
    profile = profiles[2]  # year 3, threshold 3.00
    student = profile.user
    a, fx = DisciplineFactory(credits=5), DisciplineFactory(credits=5)
    period = AcademicPeriodFactory(year=year)
    leaves = GradingScheme.objects.get(name="Leaves FX out")
    counts = GradingScheme.objects.get(name="Counts FX")
    offering = CourseOfferingFactory(discipline=fx, period=period)
    _grade(student, a, period, "A", "4.0")
    grade = _grade(student, fx, period, "FX", "0.5")
    # the default scheme counts FX: (20 + 2.5) / 10 = 2.25 < 3.00
    assert _listed(selectors.students_below_threshold(year)) == [(student.pk, Decimal("2.25"))]
    Journal.objects.create(offering=offering, scheme=leaves)
    grade.offering = offering
    grade.save(update_fields=["offering"])
    assert selectors.students_below_threshold(year) == []  # the journal leaves it out: 4.00
    grade.statement = Statement.objects.create(offering=offering, scheme=counts, number="S-9")
    grade.save(update_fields=["statement"])
    assert _listed(selectors.students_below_threshold(year)) == [(student.pk, Decimal("2.25"))]
    assert selectors.gpa_summary(student.pk)["cumulative"] == Decimal("2.25")


def test_below_threshold_queries_do_not_grow(records):
    year, _profiles, groups = records
    GradingScheme.objects.filter(is_default=True).update(fx_in_gpa=False)
    few = _count(lambda: selectors.students_below_threshold(year))
    discipline = DisciplineFactory()
    period = AcademicPeriodFactory(year=year)
    for _i in range(10):
        student = StudentProfileFactory(group=groups[0], year_of_study=1).user
        _grade(student, discipline, period, "FX", "0.5")
        _grade(student, DisciplineFactory(), period, "D", "1.0")
    many = _count(lambda: selectors.students_below_threshold(year))
    assert few == many <= 4  # thresholds, grades, listed profiles, the default scheme
