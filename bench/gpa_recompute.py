"""Recomputing final grades and GPA: 5,000 students x 8 disciplines (issue 5, aim: under 2 s).

Run: .venv/bin/python bench/gpa_recompute.py [--students 5000] [--disciplines 8] [--runs 5]
     .venv/bin/python bench/gpa_recompute.py --database postgres://postgres@127.0.0.1:5432/qashyq_bench_gpa

Builds, in a throw-away database (in-memory SQLite under the test settings, or with
``--database`` a PostgreSQL database of that name, created, migrated and dropped at the end), one
academic period with ``--disciplines`` course offerings (3-6 credits each, a journal each under
the default grading scheme) taken by ``--students`` students in groups of 25 (years of study 1-4,
a transfer GPA threshold per year). Every student has a journal row in every offering with
random marks from a fixed seed (a per-student ability plus noise per mark; a few students not
admitted, so F, and a few exams under 50, so FX) and a ``FinalGrade`` row with what
``computation.compute`` makes of them. Everything is written with ``bulk_create``.

Then it measures, as the median of ``--runs`` runs after a warm-up (wall clock and CPU time of
this process, each run after a full garbage collection):

(a) the final grades of all offerings from their journals in one batch:
    ``registrar.selectors.journal_results`` (journals and schemes, journal rows with the marks
    read as text, weekly marks only where a ТК is missing, enrolments: 4 queries, then
    ``computation.compute`` of each row); checked: every letter and points equal the
    ``FinalGrade``'s;
(a') for comparison, what the journal page and the statement read, offering by offering:
    ``gradebook.selectors.journal_rows`` (4 queries an offering, model instances); checked: every
    result (all computed columns) equals (a)'s (``--no-journal-rows`` skips it);
(b) the GPA: ``registrar.selectors.students_below_threshold`` of the current year (the
    registrar's list of students below the transfer threshold): every active student's
    ``FinalGrade`` rows as plain values in one query, each cumulative GPA, then the profiles of
    the students listed; checked: the same students and GPAs as ``gpa.cumulative_gpa`` of
    attempts built in memory from the ``FinalGrade`` rows the bench wrote;
(c) the pure computation without the database: ``computation.compute`` of the same marks (as
    Decimals, as the database gives them), and ``gpa.cumulative_gpa`` of the same attempts.

The aim (issue 5) is (a) + (b) under 2 s. It prints the number of SQL queries of one run of
each.
"""

from __future__ import annotations

import argparse
import gc
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


def reference_below(year, attempts) -> list[tuple[int, Decimal]]:
    """The students below their year's threshold, computed here from the attempts built in
    memory (not from the database): ``(student id, GPA)`` in the list's order."""
    from qashyq.academics.models import StudentProfile
    from qashyq.registrar import gpa
    from qashyq.registrar.models import TransferThreshold

    thresholds = dict(
        TransferThreshold.objects.filter(academic_year=year).values_list("year_of_study", "min_gpa")
    )
    students = {
        user_id: (year_of_study, last_name)
        for user_id, year_of_study, last_name in StudentProfile.objects.values_list(
            "user_id", "year_of_study", "user__last_name"
        )
    }
    below = []
    for student_id, items in attempts.items():
        value = gpa.cumulative_gpa(items)
        year_of_study, last_name = students[student_id]
        if value is not None and value < thresholds[year_of_study]:
            below.append((value, last_name, student_id))
    return [(student_id, value) for value, _name, student_id in sorted(below)]


def timed(function, runs: int):
    """(median wall s, median CPU s, min wall s, last result). Each run starts after a full
    garbage collection, so one run's garbage is not charged to the next."""
    function()  # warm-up: imports, translations, first compiled queries
    wall, cpu, result = [], [], None
    for _ in range(runs):
        result = None
        gc.collect()
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu), min(wall), result


def _figures(wall: float, cpu: float, low: float) -> str:
    return f"median {wall:.3f} s (CPU {cpu:.3f} s, min {low:.3f} s)"


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
    parser.add_argument(
        "--no-journal-rows",
        action="store_true",
        help="skip (a'), the per-offering journal_rows reference (~5 s a run)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one run of (a) and (b)")
    args = parser.parse_args()

    from qashyq.gradebook import computation
    from qashyq.gradebook.models import JournalRow
    from qashyq.gradebook.selectors import journal_rows
    from qashyq.registrar import gpa
    from qashyq.registrar.selectors import journal_results, students_below_threshold

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
        expected = {(g.offering_id, g.student_id): (g.letter, g.points) for g in grades}
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
        reference = reference_below(year, attempts)
        count = len(grades)
        del grades  # keep the heap of this process close to a worker's
        gc.collect()
        total_wall = total_cpu = 0.0

        # (a) the final grades of every offering from the journals, in one batch
        def batch():
            return journal_results(offerings)

        with CaptureQueriesContext(connection) as queries:
            results = batch()
        queries_a = len(queries)
        mismatches = sum(
            1
            for (offering_id, student_id), letter_points in expected.items()
            if (
                results[offering_id][student_id].letter,
                results[offering_id][student_id].points,
            )
            != letter_points
        )
        count_a = sum(len(rows) for rows in results.values())
        wall, cpu, low, _result = timed(batch, args.runs)
        print(
            f"(a) registrar.selectors.journal_results of {len(offerings)} offerings: {count_a} "
            f"results, {_figures(wall, cpu, low)}; {queries_a} queries; {mismatches} differ "
            f"from their FinalGrade"
        )
        total_wall += wall
        total_cpu += cpu

        # (a') the journal page's read path, offering by offering (what (a) replaces in batch)
        if not args.no_journal_rows:

            def journals():
                return [journal_rows(offering)[1] for offering in offerings]

            with CaptureQueriesContext(connection) as queries:
                rows_by_offering = journals()
            differ = sum(
                1
                for offering, rows in zip(offerings, rows_by_offering, strict=True)
                for row in rows
                if row.result != results[offering.pk][row.student_id]
            )
            del rows_by_offering
            wall, cpu, low, _result = timed(journals, args.runs)
            print(
                f"(a') gradebook.selectors.journal_rows, offering by offering: "
                f"{_figures(wall, cpu, low)}; {len(queries)} queries; {differ} results differ "
                f"from (a)"
            )
            gc.collect()

        # (b) the registrar's list of students below the transfer threshold
        def below():
            return students_below_threshold(year)

        with CaptureQueriesContext(connection) as queries:
            listed = below()
        queries_b = len(queries)
        same = [(item.profile.user_id, item.gpa) for item in listed] == reference
        wall, cpu, low, _result = timed(below, args.runs)
        print(
            f"(b) registrar.selectors.students_below_threshold: cumulative GPA of "
            f"{args.students} students ({count} final grades), {len(listed)} below the "
            f"threshold; {_figures(wall, cpu, low)}; {queries_b} queries; "
            f"{'same list as' if same else 'DIFFERENT from'} the GPAs computed in memory"
        )
        total_wall += wall
        total_cpu += cpu

        # (c) the same arithmetic without the database
        rules = offerings[0].journal.scheme.rules()
        marks = list(JournalRow.objects.values_list("tk1", "rk1", "tk2", "rk2", "exam"))

        def pure_compute():
            return [computation.compute(*m, rules=rules) for m in marks]

        wall, cpu, low, _result = timed(pure_compute, args.runs)
        print(
            f"(c) computation.compute of {len(marks)} rows, no database: "
            f"{_figures(wall, cpu, low)}; {wall / len(marks) * 1e6:.1f} µs a row"
        )

        def pure_gpa():
            return [gpa.cumulative_gpa(items) for items in attempts.values()]

        wall, cpu, low, _result = timed(pure_gpa, args.runs)
        print(
            f"(c) gpa.cumulative_gpa of {len(attempts)} students, no database: "
            f"{_figures(wall, cpu, low)}"
        )
        verdict = "met" if total_wall < 2 else "NOT met"
        print(
            f"(a) + (b): {total_wall:.3f} s (CPU {total_cpu:.3f} s); "
            f"the aim is under 2 s: {verdict}"
        )

        if args.profile:
            import cProfile
            import pstats

            for label, function in (("(a)", batch), ("(b)", below)):
                profiler = cProfile.Profile()
                profiler.runcall(function)
                print(f"\nprofile of {label}, by own time:")
                pstats.Stats(profiler).sort_stats("tottime").print_stats(12)
    finally:
        connection.creation.destroy_test_db(test_name, verbosity=0)


if __name__ == "__main__":
    main()
