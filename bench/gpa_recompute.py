"""Recomputing final grades and GPA: 5,000 students x 8 disciplines (issue 5, aim: under 2 s).

Run: .venv/bin/python bench/gpa_recompute.py [--students 5000] [--disciplines 8] [--runs 5]
     .venv/bin/python bench/gpa_recompute.py --database postgres://postgres@127.0.0.1:5432/qashyq_gpa_bench

Builds, in a throw-away database (in-memory SQLite under the test settings, or with
``--database`` a PostgreSQL database of that name, created, migrated and dropped at the end), one
academic period with ``--disciplines`` course offerings (3-6 credits each, a journal each under
the default grading scheme) taken by ``--students`` students in groups of 25 (years of study 1-4,
a transfer GPA threshold per year). Every student has a journal row in every offering with
random marks from a fixed seed (a per-student ability plus noise per mark; a few students not
admitted, so F, and a few exams under 50, so FX) and a ``FinalGrade`` row with what
``computation.compute`` makes of them. Everything is written with ``bulk_create``.

Then it measures, as the median of ``--runs`` runs (wall clock and CPU time of this process):

(a) the journal: ``gradebook.selectors.journal_rows`` of every offering (what the journal page
    and the statement read: enrolments, journal and scheme, rows, weekly marks, and
    ``computation.compute`` of each row): the final %, letter and points of all rows, read from
    the database;
(b) the GPA: ``registrar.selectors.students_below_threshold`` of the current year (the
    registrar's list of students below the transfer threshold), which reads every active
    student's ``FinalGrade`` rows in one query and computes each cumulative GPA;
(c) the pure computation without the database: ``computation.compute`` of the same marks (as
    Decimals, as the database gives them), and ``gpa.cumulative_gpa`` of the same attempts.

It checks that (a) gives every ``FinalGrade``'s letter and points and prints the number of SQL
queries of one run of (a) and (b).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def _database_argument() -> str | None:
    for i, arg in enumerate(sys.argv):
        if arg == "--database" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if arg.startswith("--database="):
            return arg.split("=", 1)[1]
    return None


# The database is chosen before Django reads its settings.
if _database_argument():
    os.environ["DATABASE_URL"] = _database_argument()
else:
    os.environ.pop("DATABASE_URL", None)  # the throw-away in-memory SQLite database

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

GROUP_SIZE = 25
CREDITS = (5, 5, 4, 3, 6, 5, 4, 3, 5, 6, 4, 3)
THRESHOLDS = {1: Decimal("1.67"), 2: Decimal("2.00"), 3: Decimal("2.00"), 4: Decimal("2.33")}


def _mark(rng: random.Random, centre: float, spread: float) -> Decimal:
    return Decimal(max(0, min(100, round(rng.gauss(centre, spread)))))


def build(students: int, disciplines: int, seed: int):
    """The data: (year, offerings, number of FinalGrade rows)."""
    from qashyq.academics.models import (
        CourseOffering,
        Enrollment,
        StudentProfile,
        StudyGroup,
    )
    from qashyq.academics.tests.factories import (
        AcademicPeriodFactory,
        DisciplineFactory,
        ProgramFactory,
    )
    from qashyq.accounts.models import User
    from qashyq.gradebook import computation
    from qashyq.gradebook.models import FinalGrade, Journal, JournalRow
    from qashyq.gradebook.selectors import default_scheme
    from qashyq.registrar.models import TransferThreshold

    rng = random.Random(seed)
    scheme = default_scheme()
    if scheme.pk is None:
        scheme.save()
    rules = scheme.rules()
    period = AcademicPeriodFactory()
    year = period.year
    program = ProgramFactory()
    TransferThreshold.objects.bulk_create(
        TransferThreshold(academic_year=year, year_of_study=y, min_gpa=v)
        for y, v in THRESHOLDS.items()
    )
    groups = StudyGroup.objects.bulk_create(
        StudyGroup(
            code=f"G-{n:04d}",
            program=program,
            admission_year=2026 - (n % 4),
            year_of_study=n % 4 + 1,
        )
        for n in range((students + GROUP_SIZE - 1) // GROUP_SIZE)
    )
    users = User.objects.bulk_create(
        User(
            username=f"bench{n}",
            first_name="Айгерім",
            last_name=f"Сапарова{n:05d}",
            password="!",
        )
        for n in range(students)
    )
    StudentProfile.objects.bulk_create(
        StudentProfile(
            user=user,
            student_number=f"B{n:06d}",
            program=program,
            group=groups[n // GROUP_SIZE],
            year_of_study=groups[n // GROUP_SIZE].year_of_study,
            funding="grant",
        )
        for n, user in enumerate(users)
    )
    offerings = []
    for d in range(disciplines):
        discipline = DisciplineFactory(
            department=program.department,
            credits=CREDITS[d % len(CREDITS)],
            ects=Decimal(CREDITS[d % len(CREDITS)]),
        )
        offering = CourseOffering.objects.create(discipline=discipline, period=period)
        offering.groups.set(groups)
        offerings.append(offering)
    journals = Journal.objects.bulk_create(Journal(offering=o, scheme=scheme) for o in offerings)
    ability = [rng.gauss(76, 10) for _ in users]
    enrollments, rows, grades = [], [], []
    for offering, journal in zip(offerings, journals, strict=True):
        difficulty = rng.uniform(-6, 6)
        for n, user in enumerate(users):
            group = groups[n // GROUP_SIZE]
            enrollments.append(Enrollment(offering=offering, student=user, group=group))
            centre = ability[n] - difficulty
            marks = [_mark(rng, centre, 9) for _ in range(4)]
            exam = _mark(rng, centre - 2, 12)
            rows.append(
                JournalRow(
                    journal=journal,
                    student=user,
                    tk1=marks[0],
                    rk1=marks[1],
                    tk2=marks[2],
                    rk2=marks[3],
                    exam=exam,
                    tk1_source="manual",
                    rk1_source="manual",
                    tk2_source="manual",
                    rk2_source="manual",
                    exam_source="manual",
                )
            )
            result = computation.compute(*marks, exam, rules=rules)
            grades.append(
                FinalGrade(
                    student=user,
                    discipline=offering.discipline,
                    offering=offering,
                    period=period,
                    attempt_kind="regular",
                    percent=result.final_percent,
                    letter=result.letter,
                    points=result.points,
                    credits=offering.discipline.credits,
                    ects=offering.discipline.ects,
                )
            )
    Enrollment.objects.bulk_create(enrollments, batch_size=2000)
    JournalRow.objects.bulk_create(rows, batch_size=2000)
    FinalGrade.objects.bulk_create(grades, batch_size=2000)
    return year, offerings, grades


def below_threshold_values(year):
    """``students_below_threshold`` with the grades read by ``values_list``: no model instances,
    no grading scheme (and its JSON scale) per grade, no ordering join."""
    from qashyq.academics.models import StudentProfile, StudentStatus
    from qashyq.gradebook.models import FinalGrade
    from qashyq.gradebook.selectors import default_scheme
    from qashyq.registrar import gpa
    from qashyq.registrar.selectors import BelowThreshold, thresholds_of

    thresholds = {t.year_of_study: t.min_gpa for t in thresholds_of(year)}
    profiles = {
        p.user_id: p
        for p in StudentProfile.objects.select_related("user", "program", "group").filter(
            status=StudentStatus.ACTIVE, year_of_study__in=list(thresholds)
        )
    }
    default_fx = None
    attempts: dict[int, list] = {}
    grades = (
        FinalGrade.objects.filter(student_id__in=list(profiles))
        .order_by()
        .values_list(
            "student_id",
            "discipline_id",
            "period_id",
            "period__starts_on",
            "attempt_kind",
            "letter",
            "points",
            "credits",
            "statement__scheme__fx_in_gpa",
            "offering__journal__scheme__fx_in_gpa",
        )
    )
    for student, discipline, period, start, kind, letter, points, credits, fx1, fx2 in grades:
        fx_in_gpa = True
        if letter == gpa.FX:
            fx_in_gpa = fx1 if fx1 is not None else fx2
            if fx_in_gpa is None:
                if default_fx is None:
                    default_fx = default_scheme().fx_in_gpa
                fx_in_gpa = default_fx
        attempts.setdefault(student, []).append(
            gpa.Attempt(discipline, period, start, kind, letter, points, credits, fx_in_gpa)
        )
    below = []
    for student_id, items in attempts.items():
        value = gpa.cumulative_gpa(items)
        profile = profiles[student_id]
        threshold = thresholds[profile.year_of_study]
        if value is not None and value < threshold:
            below.append(BelowThreshold(profile=profile, gpa=value, threshold=threshold))
    below.sort(key=lambda item: (item.gpa, item.profile.user.last_name, item.profile.user_id))
    return below


def timed(function, runs: int):
    """(median wall s, median CPU s, last result)."""
    function()  # warm-up: imports, translations, first compiled queries
    wall, cpu, result = [], [], None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu), min(wall), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--disciplines", type=int, default=8)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument(
        "--database",
        help="a PostgreSQL URL; the database of that name is created, migrated and dropped",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one run of (a) and (b)")
    args = parser.parse_args()

    from qashyq.gradebook import computation
    from qashyq.gradebook.selectors import journal_rows
    from qashyq.registrar import gpa
    from qashyq.registrar.selectors import students_below_threshold

    setup_test_environment()
    if args.database:
        # create_test_db creates (and destroy_test_db drops) the database named in the URL
        name = urlsplit(args.database).path.lstrip("/")
        connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    started = time.perf_counter()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        migrated = time.perf_counter() - started
        year, offerings, grades = build(args.students, args.disciplines, args.seed)
        setup_s = time.perf_counter() - started
        letters: dict[str, int] = {}
        for grade in grades:
            letters[grade.letter] = letters.get(grade.letter, 0) + 1
        print(
            f"GPA recompute: {args.students} students x {args.disciplines} disciplines = "
            f"{len(grades)} journal rows and final grades; Python {platform.python_version()}, "
            f"Django {django.get_version()}, {connection.vendor}, {os.cpu_count()} cores, "
            f"load average {os.getloadavg()[0]:.1f}; set-up {setup_s:.1f} s "
            f"(migrations {migrated:.1f} s)"
        )
        print(
            "letters: "
            + ", ".join(f"{k} {v}" for k, v in sorted(letters.items(), key=lambda kv: kv[0]))
        )

        # (a) the journal selector of every offering
        def journals():
            return [journal_rows(offering)[1] for offering in offerings]

        with CaptureQueriesContext(connection) as queries:
            rows_by_offering = journals()
        queries_a = len(queries)
        expected = {(g.offering_id, g.student_id): (g.letter, g.points) for g in grades}
        mismatches = sum(
            1
            for offering, rows in zip(offerings, rows_by_offering, strict=True)
            for row in rows
            if (row.result.letter, row.result.points) != expected[(offering.pk, row.student_id)]
        )
        count_a = sum(len(rows) for rows in rows_by_offering)
        wall, cpu, low, _result = timed(journals, args.runs)
        print(
            f"(a) journal_rows of {len(offerings)} offerings: {count_a} rows, median "
            f"{wall:.3f} s (CPU {cpu:.3f} s, min {low:.3f} s); {queries_a} queries; "
            f"{mismatches} rows differ from their FinalGrade"
        )
        total = wall

        # (b) the registrar's list of students below the transfer threshold
        def below():
            return students_below_threshold(year)

        with CaptureQueriesContext(connection) as queries:
            listed = below()
        queries_b = len(queries)
        wall, cpu, low, _result = timed(below, args.runs)
        print(
            f"(b) students_below_threshold: cumulative GPA of {args.students} students "
            f"({len(grades)} final grades), {len(listed)} below the threshold; median "
            f"{wall:.3f} s (CPU {cpu:.3f} s, min {low:.3f} s); {queries_b} queries"
        )
        total += wall

        # (b') what (b) costs when the grades are read as plain values (not application code:
        # a measurement of the change proposed in bench/README.md)
        def below_values():
            return below_threshold_values(year)

        with CaptureQueriesContext(connection) as queries:
            listed_values = below_values()
        same = [(b.profile.user_id, b.gpa) for b in listed] == [
            (b.profile.user_id, b.gpa) for b in listed_values
        ]
        wall, cpu, low, _result = timed(below_values, args.runs)
        print(
            f"(b') the same list from values_list rows (a proposal, not the application's code): "
            f"median {wall:.3f} s (CPU {cpu:.3f} s, min {low:.3f} s); {len(queries)} queries; "
            f"{'same' if same else 'DIFFERENT'} result"
        )

        # (c) the same arithmetic without the database
        rules = offerings[0].journal.scheme.rules()
        marks = [
            tuple(row.cells[c].value for c in ("tk1", "rk1", "tk2", "rk2", "exam"))
            for rows in rows_by_offering
            for row in rows
        ]

        def pure_compute():
            return [computation.compute(*m, rules=rules) for m in marks]

        wall, cpu, low, _result = timed(pure_compute, args.runs)
        print(
            f"(c) computation.compute of {len(marks)} rows, no database: median {wall:.3f} s "
            f"(CPU {cpu:.3f} s, min {low:.3f} s); {wall / len(marks) * 1e6:.1f} µs a row"
        )
        attempts: dict[int, list[gpa.Attempt]] = {}
        period_start = offerings[0].period.starts_on
        for grade in grades:
            attempts.setdefault(grade.student_id, []).append(
                gpa.Attempt(
                    discipline_id=grade.discipline_id,
                    period_id=grade.period_id,
                    period_start=period_start,
                    attempt_kind=grade.attempt_kind,
                    letter=grade.letter,
                    points=grade.points,
                    credits=grade.credits,
                )
            )

        def pure_gpa():
            return [gpa.cumulative_gpa(items) for items in attempts.values()]

        wall, cpu, low, _result = timed(pure_gpa, args.runs)
        print(
            f"(c) gpa.cumulative_gpa of {len(attempts)} students, no database: median "
            f"{wall:.3f} s (CPU {cpu:.3f} s, min {low:.3f} s)"
        )
        verdict = "met" if total < 2 else "NOT met"
        print(f"(a) + (b): {total:.3f} s; the aim is under 2 s: {verdict}")

        if args.profile:
            import cProfile
            import pstats

            for label, function in (("(a)", journals), ("(b)", below)):
                profiler = cProfile.Profile()
                profiler.runcall(function)
                print(f"\nprofile of {label}, by own time:")
                pstats.Stats(profiler).sort_stats("tottime").print_stats(12)
    finally:
        connection.creation.destroy_test_db(test_name, verbosity=0)


if __name__ == "__main__":
    main()
