"""Demo summer semesters (called by the lead from ``registrar.demo``; not wired into seed_demo
here). Runs after the gradebook demo, which locks last year's statements with F and FX results.

**Last year's summer semester** (the summer period of the academic year before the current one):
its registration (cap 15, closed long ago) with a registration for every debt the students
still had (the disciplines whose latest attempt is F or FX, up to the cap), except that every
third debtor did not register, so the registrar's list of debtors is not empty; the registrar
creates the summer courses through the service, which enrols the registered students; each
enrolled student gets a summer ``FinalGrade`` (attempt ``summer``) drawn from a random generator
seeded by the username and the discipline code: most pass, some fail again. The transcripts
then show both attempts with the retake flag, and the GPA counts the summer result.

The window is in the past, so the registrations are written as the service would have written
them (``summer_register`` refuses outside the window); the courses go through
``summer_course_create``. The grades are written directly, as a locked summer statement would
(the statement workflow is the gradebook demo's; a summer statement currently records
``regular``, see docs/subsystems/summer.md).

**This year's summer semester**: registration set up by the registrar through ``summer_open``,
opening a month before the summer period starts (not open yet on ``ctx.today`` during the
academic year).

With no previous year, no summer period or no debts, the part is skipped. Idempotent: rows are
looked up before they are created, and a second run creates nothing.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from qashyq.academics.models import AcademicPeriod, AcademicYear, PeriodKind
from qashyq.accounts.roles import Role
from qashyq.gradebook import computation
from qashyq.gradebook.models import AttemptKind, FinalGrade

from .models import SummerReason, SummerRegistration, SummerRegistrationStatus, SummerSemester
from .selectors import summer as selectors
from .services import summer as services

CAP = 15
PASS_SHARE = 0.8
DEBT_LETTERS = selectors.DEBT_LETTERS


def _rng(*parts) -> random.Random:
    return random.Random("summer:" + ":".join(str(p) for p in parts))  # noqa: S311 (demo marks)


def _summer_period(year: AcademicYear | None) -> AcademicPeriod | None:
    if year is None:
        return None
    return AcademicPeriod.objects.filter(year=year, kind=PeriodKind.SUMMER).first()


def _years(today: datetime.date) -> tuple[AcademicYear | None, AcademicYear | None]:
    current = AcademicYear.objects.filter(is_current=True).first()
    if current is None:
        current = AcademicYear.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
    if current is None:
        return None, None
    previous = (
        AcademicYear.objects.filter(starts_on__lt=current.starts_on).order_by("-starts_on").first()
    )
    return previous, current


def _registrar(ctx):
    users = ctx.objects.get("users") or {}
    registrar = users.get("registrar")
    if registrar is None:
        from qashyq.accounts.models import User

        registrar = User.objects.filter(role_assignments__role=Role.REGISTRAR).first()
    return registrar


def _debtors_before(period: AcademicPeriod) -> dict[int, list]:
    """Students' debts from attempts of periods before ``period`` (one query)."""
    grades = (
        FinalGrade.objects.filter(
            period__starts_on__lt=period.starts_on,
            student_id__in=FinalGrade.objects.filter(letter__in=DEBT_LETTERS).values("student_id"),
        )
        .select_related("discipline", "period")
        .order_by("student_id", "period__starts_on", "recorded_at", "id")
    )
    by_student: dict[int, list] = {}
    for grade in grades:
        by_student.setdefault(grade.student_id, []).append(grade)
    debts: dict[int, list] = {}
    for student_id, items in by_student.items():
        failed = sorted(selectors.latest_failed(items).values(), key=lambda g: g.discipline.code)
        if failed:
            debts[student_id] = failed
    return debts


def _last_year(ctx, period: AcademicPeriod, registrar) -> dict:
    stats = {"registrations": 0, "courses": 0, "grades": 0}
    summer = SummerSemester.objects.filter(period=period).first()
    if summer is None:
        opens = period.starts_on - datetime.timedelta(days=30)
        summer = SummerSemester.objects.create(
            period=period,
            credit_cap=CAP,
            registration_opens_on=opens,
            registration_closes_on=period.starts_on - datetime.timedelta(days=5),
            opened_by=registrar,
        )
    debts = _debtors_before(period)
    if not debts:
        return stats
    for index, (student_id, failed) in enumerate(sorted(debts.items())):
        if index % 3 == 2:
            continue  # this student did not register: the debt stays open (see the debtors list)
        used = sum(
            SummerRegistration.objects.filter(
                summer=summer, student_id=student_id, status__in=selectors.LIVE
            ).values_list("credits", flat=True)
        )
        for grade in failed:
            if used + grade.credits > summer.credit_cap:
                break
            _reg, created = SummerRegistration.objects.get_or_create(
                summer=summer,
                student_id=student_id,
                discipline=grade.discipline,
                status__in=selectors.LIVE,
                defaults={
                    "credits": grade.credits,
                    "reason": SummerReason.DEBT,
                    "status": SummerRegistrationStatus.REGISTERED,
                },
            )
            if created:
                used += grade.credits
                stats["registrations"] += 1
    tutors = selectors.tutors()
    if not tutors:
        return stats
    for group in selectors.summer_overview(summer):
        discipline = group.discipline
        if all(r.status == SummerRegistrationStatus.ENROLLED for r in group.registrations):
            offering = group.registrations[0].offering
        else:
            tutor = tutors[_rng(discipline.code).randrange(len(tutors))]
            offering, _n = services.summer_course_create(
                actor=registrar, summer=summer, discipline=discipline, language="kk", tutors=[tutor]
            )
            stats["courses"] += 1
        for reg in group.registrations:
            if _summer_grade(reg, offering, discipline, period, registrar):
                stats["grades"] += 1
    return stats


def _summer_grade(reg, offering, discipline, period, registrar) -> bool:
    if FinalGrade.objects.filter(
        student_id=reg.student_id, offering=offering, attempt_kind=AttemptKind.SUMMER
    ).exists():
        return False
    rng = _rng(reg.student.username, discipline.code)
    if rng.random() < PASS_SHARE:
        percent = Decimal(rng.randint(55, 92))
    else:
        percent = Decimal(rng.randint(10, 45))
    row = computation.letter_row(percent)
    FinalGrade.objects.create(
        student_id=reg.student_id,
        discipline=discipline,
        offering=offering,
        period=period,
        attempt_kind=AttemptKind.SUMMER,
        percent=percent,
        letter=row.letter,
        points=row.points,
        credits=discipline.credits,
        ects=discipline.ects,
        recorded_by=registrar,
    )
    return True


def _this_year(ctx, period: AcademicPeriod, registrar) -> bool:
    if SummerSemester.objects.filter(period=period).exists():
        return False
    opens = period.starts_on - datetime.timedelta(days=30)
    closes = period.starts_on - datetime.timedelta(days=5)
    services.summer_open(
        actor=registrar, period=period, opens_on=opens, closes_on=closes, credit_cap=CAP
    )
    return True


def seed_summer(ctx) -> None:
    today = getattr(ctx, "today", None) or selectors.today()
    registrar = _registrar(ctx)
    if registrar is None:
        ctx.log("  summer: skipped (no registrar)")
        return
    previous, current = _years(today)
    stats = {"registrations": 0, "courses": 0, "grades": 0}
    last_summer = _summer_period(previous)
    if last_summer is not None:
        stats = _last_year(ctx, last_summer, registrar)
    this_summer = _summer_period(current)
    opened = _this_year(ctx, this_summer, registrar) if this_summer is not None else False
    ctx.log(
        f"  summer: {stats['registrations']} registrations, {stats['courses']} summer courses, "
        f"{stats['grades']} summer grades; this year's registration "
        f"{'set up' if opened else 'already there' if this_summer else 'skipped'}"
    )
