"""Demo e-journals, statements and final grades (run by ``manage.py seed_demo`` after
academics and courses, before assignments and assessments).

**The previous academic year.** ``qashyq.academics.demo.previous_year`` creates the offerings
the groups studied a year ago (first-year groups have none). For each offering and group:

* the journal: ТК1, РК1, ТК2, РК2 and the exam of every student, entered by the tutor (mostly
  the B and C range, some A; per group and offering a few students below the admission rating,
  an F without an exam, and a few admitted ones who failed the exam, an FX), and attendance of
  the first ``ATTENDANCE_WEEKS`` weeks of the semester;
* the examination statement, generated from the journal by the tutor, signed by the tutor and
  locked by the registrar through the gradebook services, which writes the ``FinalGrade`` rows
  the transcripts read;
* the FX re-sit: the tutor writes each FX student's re-sit mark into the exam cell (most pass,
  ``RESIT_PASS_SHARE``), then the re-sit statement is generated, signed and locked the same way.
  The F students keep their debt (the summer semester re-studies them).

**The current semester** (the period of the current year that contains ``ctx.today``): every
journal gets the weekly current-control marks up to the current week (ТК1 and ТК2 are their
means), РК1 once week 8 has come (РК2 after week 15) and attendance of the last
``ATTENDANCE_WEEKS`` weeks; no exam, no statement. The РК1 cells that the assessments demo fills
from its RK1 test attempts are left to it (``rk1_from_test``).

The marks are drawn from ``random.Random`` instances seeded by stable keys (usernames, discipline
codes, group codes), not from ``ctx.rng``: every run draws the same marks, and the demos after
this one draw what they drew before.

The journal cells, weekly marks and attendance are loaded in bulk, a course at a time: the
services write one cell per transaction with its ``MarkChange`` and audit entry (about a minute
for the demo's ~11,000 cells on a small machine, and rows that every browser test restores).
Each course's load is one audit entry (``gradebook.demo_load``, in the tutor's name) and its
journal history starts after it. Everything that makes a grade final goes through the services:
statements are generated, signed (by the tutor and, for a re-sit, by a commission of the
faculty's head of department and the methodologist, named by the registrar) and locked by the
registrar, and the re-sit marks are written by ``mark_set``, audited as usual.

Idempotent: a journal cell that holds a value is not written again, a (statement kind, group)
with a locked statement is skipped, and a current-semester journal with weekly marks is left as
it is, so a second run writes nothing.

One more demo login (``history_student``, ``ac25001`` when the current year is 2026-2027): the
``student`` login studies in a first-year group, which has no previous year; this one, the first
student of the second-year acting group (``HISTORY_GROUP``), a good student, has a full previous
year in the transcript (eight disciplines) with an FX in ``HISTORY_FX_DISCIPLINE`` re-sat.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from decimal import Decimal

from django.utils.translation import gettext as _

from qashyq.academics.demo import academic_year_start
from qashyq.academics.demo.catalogue import SCOPED_STAFF
from qashyq.academics.demo.previous_year import PastOffering, seed_previous_offerings
from qashyq.academics.models import (
    CourseOffering,
    Enrollment,
    PeriodKind,
    StudentProfile,
    StudentStatus,
)
from qashyq.accounts.demo import set_demo_password
from qashyq.accounts.roles import Role
from qashyq.core.models import AuditLogEntry

from . import computation, selectors, services
from .models import (
    AttemptKind,
    Attendance,
    CurrentMark,
    FinalGrade,
    Journal,
    JournalRow,
    Source,
    Statement,
    StatementKind,
    StatementLine,
    StatementStatus,
)

ATTENDANCE_WEEKS = 2
RESIT_PASS_SHARE = 0.8
WEEKLY_SHARE = 0.88  # a student has a weekly mark for this share of the weeks
MIDTERM_1_WEEK = 8
# The group of the login with a previous year: (program, year of study, language). The acting
# group in year 2 studied eight disciplines last year (the richest previous year of the demo).
HISTORY_GROUP = ("6B02103", 2, "ru")
HISTORY_FX_DISCIPLINE = "ICT1103"  # the discipline that login failed with FX and re-sat
HISTORY_LEVEL = 86.0  # a good student (mostly B+ to A-), so one FX stands out
# The RK1 test of the assessments demo (qashyq.assessments.demo: TEST_DISCIPLINE, RK1_STUDENTS):
# its attempts post РК1 for the first students by name of the ``student`` login's group.
RK1_TEST_DISCIPLINE = "IAS1104"
RK1_TEST_STUDENTS = 24

F, FX = computation.LETTER_F, computation.LETTER_FX


def _rng(*parts) -> random.Random:
    """A generator seeded by a stable text key: the same draws on every run and machine."""
    return random.Random(":".join(str(part) for part in parts))  # noqa: S311 - demo data


def _mark(value: float) -> Decimal:
    return Decimal(max(0, min(100, round(value))))


def ability(username: str) -> float:
    """A student's usual level, the same in every course."""
    return min(97.0, max(50.0, _rng("ability", username).gauss(75, 10)))


# --- the previous year ---------------------------------------------------------------------------


def past_marks(rng: random.Random, level: float, outcome: str = "") -> dict[str, Decimal | None]:
    """ТК1, РК1, ТК2, РК2 and the exam of one student in one course of the previous year.

    ``outcome`` "F": the admission rating stays below 50 and there is no exam; "FX": admitted,
    exam 28-46; otherwise admitted with an exam of at least 50."""
    if outcome == F:
        four = [_mark(rng.uniform(18, 46)) for _column in range(4)]
        return dict(zip(("tk1", "rk1", "tk2", "rk2"), four, strict=True)) | {"exam": None}
    base = level + rng.gauss(0, 5)
    if outcome == FX:
        base = min(max(base, 56), 70)
    four = [
        _mark(base + rng.gauss(shift, spread))
        for shift, spread in ((2, 6), (-1, 8), (1, 6), (-2, 8))
    ]
    shortfall = 52 - sum(four) / 4
    if shortfall > 0:
        four = [_mark(float(value) + float(shortfall) + 1) for value in four]
    if outcome == FX:
        exam = _mark(rng.uniform(28, 46))
    else:
        exam = _mark(base + rng.gauss(-3, 9))
        if exam < 50:
            exam = _mark(50 + rng.randint(0, 9))
    return dict(zip(("tk1", "rk1", "tk2", "rk2"), four, strict=True)) | {"exam": exam}


def resit_mark(rng: random.Random, *, passes: bool) -> Decimal:
    return _mark(rng.uniform(55, 80) if passes else rng.uniform(30, 46))


def pick_outcomes(key: str, levels: dict[int, float], spare: set[int]) -> dict[int, str]:
    """A few F and FX students of one group in one course, among its weaker third."""
    rng = _rng("outcomes", key)
    n_f, n_fx = rng.choice((0, 0, 1)), rng.choice((0, 1, 1, 2))
    candidates = sorted((lvl, pk) for pk, lvl in levels.items() if pk not in spare)
    pool = [pk for _lvl, pk in candidates[: max(3, len(candidates) // 3)]]
    chosen = rng.sample(pool, min(len(pool), n_f + n_fx))
    return {pk: (F if i < n_f else FX) for i, pk in enumerate(chosen)}


def _tutor(offering: CourseOffering):
    return offering.tutors.order_by("pk").first()


def _enrolled(offering: CourseOffering, group=None) -> list[tuple[int, str]]:
    enrollments = Enrollment.objects.filter(offering=offering)
    if group is not None:
        enrollments = enrollments.filter(group=group)
    return list(
        enrollments.order_by("student__username").values_list("student_id", "student__username")
    )


def seed_previous_year(ctx, past: list[PastOffering], registrar, history_id: int | None) -> dict:
    done = {
        (offering_id, group_id, kind)
        for offering_id, group_id, kind in Statement.objects.filter(
            offering__in=[p.offering for p in past], status=StatementStatus.LOCKED
        ).values_list("offering_id", "group_id", "kind")
    }
    stats: Counter = Counter()
    commissions = commission_of(ctx)
    for item in past:
        offering = item.offering
        tutor = _tutor(offering)
        department = offering.discipline.department
        faculty_id = department.faculty_id if department else None
        for group in item.groups:
            key = f"{offering.period.year.title}:{offering.discipline.code}:{group.code}"
            if (offering.pk, group.pk, StatementKind.EXAM) not in done:
                students = _enrolled(offering, group)
                levels = {pk: ability(username) for pk, username in students}
                if history_id in levels:
                    levels[history_id] = HISTORY_LEVEL
                outcomes = pick_outcomes(key, levels, spare={history_id})
                if history_id in levels and offering.discipline.code == HISTORY_FX_DISCIPLINE:
                    outcomes[history_id] = FX
                marks = {
                    pk: past_marks(_rng("past", key, username), levels[pk], outcomes.get(pk, ""))
                    for pk, username in students
                }
                journal = write_cells(offering, tutor, marks)
                write_attendance(
                    journal, offering, tutor, levels, range(1, ATTENDANCE_WEEKS + 1), key
                )
                exam = services.statement_generate(
                    actor=tutor, offering=offering, group=group, kind=StatementKind.EXAM
                )
                services.statement_sign(actor=tutor, statement=exam)
                services.statement_lock(actor=registrar, statement=exam)
                stats["statements"] += 1
            if (offering.pk, group.pk, StatementKind.FX_RESIT) not in done:
                commission = commissions.get(faculty_id, commissions[None])
                stats["resits"] += resit(
                    offering, group, tutor, registrar, commission, key, history_id
                )
    return stats


def resit(
    offering, group, tutor, registrar, commission: list, key: str, history_id: int | None
) -> int:
    """The FX re-sit of one group: the re-sit marks into the exam cells, then the statement."""
    fx = list(
        StatementLine.objects.filter(
            statement__offering=offering,
            statement__group=group,
            statement__kind=StatementKind.EXAM,
            statement__status=StatementStatus.LOCKED,
            letter=FX,
        )
        .order_by("student__username")
        .values_list("student_id", "student__username")
    )
    if not fx:
        return 0
    for student_id, username in fx:
        rng = _rng("resit", key, username)
        passes = student_id == history_id or rng.random() < RESIT_PASS_SHARE
        services.mark_set(
            actor=tutor,
            offering=offering,
            student=student_id,
            column="exam",
            value=resit_mark(rng, passes=passes),
        )
    statement = services.statement_generate(
        actor=tutor, offering=offering, group=group, kind=StatementKind.FX_RESIT
    )
    members = [m for m in commission if m.pk != tutor.pk]
    services.statement_commission_set(actor=registrar, statement=statement, members=members)
    for signer in (tutor, *members):
        services.statement_sign(actor=signer, statement=statement)
    services.statement_lock(actor=registrar, statement=statement)
    return 1


def commission_of(ctx) -> dict[int | None, list]:
    """The re-sit commission by faculty id: the faculty's head of department and the
    methodologist (the tutor of the course is left out: they sign as the tutor)."""
    users = ctx.objects["users"]
    faculties = ctx.objects.get("faculties") or {}
    methodologist = [users["methodologist"]] if "methodologist" in users else []
    heads = {
        faculties[code].pk: [users[username], *methodologist]
        for username, role, _scope, code in SCOPED_STAFF
        if role == Role.HEAD_OF_DEPARTMENT and code in faculties and username in users
    }
    return {None: methodologist, **heads}


# --- bulk writes of journal cells (what the services would write, a course at a time) -----------


def _journal(offering: CourseOffering) -> Journal:
    """The offering's journal under the default scheme, without rows yet (``write_cells``
    creates them with their marks)."""
    journal = selectors.journal_of(offering)
    if journal is not None:
        return journal
    scheme = selectors.default_scheme()
    if scheme.pk is None:  # no scheme saved at all: let the service save the national one
        return services.journal_for(offering)
    return Journal.objects.create(offering=offering, scheme=scheme)


def _audit_load(actor, journal: Journal, what: str, count: int) -> None:
    """One audit entry for a course's cells (or attendance) loaded in bulk by the demo."""
    if count:
        AuditLogEntry.objects.create(
            actor=actor,
            action="gradebook.demo_load",
            object_type=Journal._meta.label_lower,
            object_id=str(journal.pk),
            object_repr=str(journal)[:255],
            new_value={"what": what, "count": count},
            reason="manage.py seed_demo",
        )


def write_cells(
    offering: CourseOffering,
    tutor,
    marks: dict[int, dict[str, Decimal | None]],
    weekly: dict[int, dict[int, Decimal]] | None = None,
) -> Journal:
    """Write the tutor's marks into the empty cells of the offering's journal (cells that hold
    a value are left alone) and the weekly marks of weeks without one. A bulk load: one audit
    entry for the course, no ``MarkChange`` per cell (the journal's history starts here)."""
    journal = _journal(offering)
    rows = {
        row.student_id: row
        for row in JournalRow.objects.filter(journal=journal, student_id__in=list(marks))
    }
    new_rows: list[JournalRow] = []
    count = 0
    for student_id, values in marks.items():
        row = rows.get(student_id)
        if row is None:
            row = JournalRow(journal=journal, student_id=student_id)
            new_rows.append(row)
        touched = []
        for column, value in values.items():
            if value is None or getattr(row, column) is not None:
                continue
            setattr(row, column, value)
            setattr(row, f"{column}_source", Source.MANUAL)
            touched += [column, f"{column}_source"]
            count += 1
        if touched and row.pk is not None:  # an existing row (not the demo's usual path)
            row.save(update_fields=[*touched, "updated_at"])
    JournalRow.objects.bulk_create(new_rows, batch_size=500)
    new_marks: list[CurrentMark] = []
    if weekly:
        have = set(CurrentMark.objects.filter(journal=journal).values_list("student_id", "week"))
        new_marks = [
            CurrentMark(journal=journal, student_id=student_id, week=week, value=value)
            for student_id, weeks in weekly.items()
            for week, value in sorted(weeks.items())
            if (student_id, week) not in have
        ]
    CurrentMark.objects.bulk_create(new_marks, batch_size=500)
    _audit_load(tutor, journal, "marks", count + len(new_marks))
    return journal


def write_attendance(journal, offering, tutor, levels: dict[int, float], weeks, key: str) -> int:
    """One class a week (the first day of the week) for the given weeks: weaker students miss
    more. Existing entries are left alone."""
    period = offering.period
    have = set(Attendance.objects.filter(journal=journal).values_list("student_id", "date"))
    new: list[Attendance] = []
    for student_id, level in sorted(levels.items()):
        rng = _rng("attendance", key, student_id)
        miss = 0.04 if level >= 70 else 0.15
        for week in weeks:
            date = period.starts_on + datetime.timedelta(weeks=week - 1)
            present = rng.random() >= miss
            if date > period.ends_on or (student_id, date) in have:
                continue
            new.append(
                Attendance(
                    journal=journal,
                    student_id=student_id,
                    date=date,
                    slot=1,
                    week=week,
                    present=present,
                    recorded_by=tutor,
                )
            )
    Attendance.objects.bulk_create(new, batch_size=500)
    _audit_load(tutor, journal, "attendance", len(new))
    return len(new)


# --- the current semester ------------------------------------------------------------------------


def current_period(ctx):
    periods = ctx.objects.get("periods") or {}
    for kind in (PeriodKind.SEMESTER_1, PeriodKind.SEMESTER_2):
        period = periods.get(kind)
        if period is not None and period.starts_on <= ctx.today <= period.ends_on:
            return period
    return None


def rk1_from_test(users) -> set[tuple[int, int]]:
    """(offering, student) of the РК1 cells the assessments demo fills from its RK1 test: the
    first students by name of the ``student`` login's group in the IAS1104 course of ``tutor``
    (the same choice as ``qashyq.assessments.demo``)."""
    tutor, student = users.get("tutor"), users.get("student")
    if tutor is None:
        return set()
    offering = (
        CourseOffering.objects.filter(discipline__code=RK1_TEST_DISCIPLINE, tutors=tutor)
        .order_by("-period__starts_on", "pk")
        .first()
    )
    if offering is None:
        return set()
    enrollments = Enrollment.objects.filter(offering=offering)
    group_id = None
    if student is not None:
        group_id = enrollments.filter(student=student).values_list("group_id", flat=True).first()
    if group_id is None:
        group_id = enrollments.order_by("group_id").values_list("group_id", flat=True).first()
    people = list(
        enrollments.filter(group_id=group_id)
        .order_by("student__last_name", "student__first_name", "student_id")
        .values_list("student_id", flat=True)
    )
    chosen = people[:RK1_TEST_STUDENTS]
    if student is not None and student.pk in people and student.pk not in chosen:
        chosen[-1] = student.pk
    return {(offering.pk, pk) for pk in chosen}


def seed_current_semester(ctx, period, history_id: int | None = None) -> Counter:
    stats: Counter = Counter()
    scheme = selectors.default_scheme()
    week_now = (ctx.today - period.starts_on).days // 7 + 1
    last_week = min(week_now, scheme.weeks)
    if last_week < 1:
        return stats
    skip_rk1 = rk1_from_test(ctx.objects.get("users") or {})
    offerings = list(
        CourseOffering.objects.filter(period=period)
        .exclude(journal__current_marks__isnull=False)
        .distinct()
        .select_related("discipline__department", "period__year")
        .order_by("discipline__code", "language")
    )
    attendance_weeks = range(max(1, last_week - ATTENDANCE_WEEKS + 1), last_week + 1)
    for offering in offerings:
        students = _enrolled(offering)
        if not students:
            continue
        key = f"{period.year.title}:{period.kind}:{offering.discipline.code}:{offering.language}"
        levels = {pk: ability(username) for pk, username in students}
        if history_id in levels:
            levels[history_id] = HISTORY_LEVEL
        marks: dict[int, dict[str, Decimal | None]] = {}
        weekly: dict[int, dict[int, Decimal]] = {}
        for pk, username in students:
            rng = _rng("current", key, username)
            base = levels[pk] + rng.gauss(0, 5)
            share = WEEKLY_SHARE if levels[pk] >= 65 else WEEKLY_SHARE - 0.15
            weeks = {}
            for week in range(1, last_week + 1):
                value = _mark(base + rng.gauss(0, 9))
                if rng.random() < share:
                    weeks[week] = value
            weekly[pk] = weeks
            rk1 = _mark(base + rng.gauss(-2, 9))
            rk2 = _mark(base + rng.gauss(-1, 9))
            marks[pk] = {
                "rk1": rk1
                if last_week >= MIDTERM_1_WEEK and (offering.pk, pk) not in skip_rk1
                else None,
                "rk2": rk2 if week_now > scheme.weeks else None,
            }
        tutor = _tutor(offering)
        journal = write_cells(offering, tutor, marks, weekly)
        stats["attendance"] += write_attendance(
            journal, offering, tutor, levels, attendance_weeks, key
        )
        stats["journals"] += 1
        stats["weekly"] += sum(len(w) for w in weekly.values())
    stats["week"] = last_week
    return stats


# --- the login with a previous year --------------------------------------------------------------


def history_student() -> StudentProfile | None:
    """The login with a previous year: the first active student (by record-book number, not
    on a shortened period) of ``HISTORY_GROUP``."""
    program, year, language = HISTORY_GROUP
    return (
        StudentProfile.objects.filter(
            group__program__code=program,
            group__year_of_study=year,
            group__language=language,
            status=StudentStatus.ACTIVE,
            shortened_period=False,
        )
        .select_related("user")
        .order_by("student_number")
        .first()
    )


def history_student_id() -> int | None:
    profile = history_student()
    return profile.user_id if profile is not None else None


# --- seed ----------------------------------------------------------------------------------------


def seed(ctx) -> None:
    users = ctx.objects.get("users") or {}
    registrar = users.get("registrar")
    if registrar is None or "groups" not in ctx.objects:
        return
    year_start = academic_year_start(ctx.today)
    past = seed_previous_offerings(ctx, year_start)
    history = history_student()
    stats = seed_previous_year(ctx, past, registrar, history.user_id if history else None)
    grades = Counter(
        FinalGrade.objects.filter(offering__in=[p.offering for p in past])
        .filter(attempt_kind__in=(AttemptKind.REGULAR, AttemptKind.FX_RESIT))
        .values_list("attempt_kind", "letter")
    )
    regular = {letter: n for (kind, letter), n in grades.items() if kind == AttemptKind.REGULAR}
    resat = {letter: n for (kind, letter), n in grades.items() if kind == AttemptKind.FX_RESIT}
    ctx.log(
        f"  gradebook: previous year, {len(past)} offerings, {stats['statements']} exam and "
        f"{stats['resits']} FX re-sit statements locked now; final grades: "
        f"{sum(regular.values())} ({regular.get(FX, 0)} FX, {regular.get(F, 0)} F), "
        f"re-sits: {sum(resat.values())} ({resat.get(FX, 0)} failed again)"
    )
    period = current_period(ctx)
    if period is not None:
        current = seed_current_semester(ctx, period, history.user_id if history else None)
        ctx.log(
            f"  gradebook: current semester (week {current['week'] or '-'}), "
            f"{current['journals']} journals filled now, {current['weekly']} weekly marks"
        )
    if history is not None:
        if not history.user.has_usable_password():
            set_demo_password(ctx, [history.user_id])
        ctx.login(history.user.username, str(_("Student (year 2, with last year's grades)")))
