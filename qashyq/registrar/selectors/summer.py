"""Reads of academic debts and the summer semester (docs/subsystems/summer.md).

A *debt* is a discipline whose latest graded attempt is FX (re-sit the exam without re-study) or
F (study the discipline again). "Latest" is the GPA's order (``gpa.order_key``: the period's
start, then regular < retake < summer < fx_resit), so a later passing attempt clears the debt
and a failed re-sit keeps it (with the kind of the failed re-sit). Attempts without a letter
(not graded yet) are ignored.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from qashyq.academics.models import (
    AcademicPeriod,
    Discipline,
    Faculty,
    PeriodKind,
    Program,
    ProgramPlanEntry,
    StudentProfile,
    StudyGroup,
)
from qashyq.accounts.models import User
from qashyq.accounts.roles import Role
from qashyq.core.errors import NotFound
from qashyq.gradebook.models import FinalGrade

from .. import gpa
from ..models import SummerReason, SummerRegistration, SummerRegistrationStatus, SummerSemester

F = "F"
FX = gpa.FX
DEBT_LETTERS = (F, FX)
LIVE = (SummerRegistrationStatus.REGISTERED, SummerRegistrationStatus.ENROLLED)
_DEBT_FIELDS = (
    "student_id",
    "discipline_id",
    "period_id",
    "period__starts_on",
    "attempt_kind",
    "letter",
    "credits",
)


@dataclass(frozen=True)
class Debt:
    """One discipline a student owes: ``kind`` is "FX" (re-sit the exam) or "F" (re-study)."""

    discipline: Discipline
    kind: str
    credits: int
    period: AcademicPeriod
    grade: FinalGrade

    @property
    def is_resit(self) -> bool:
        return self.kind == FX


def today() -> datetime.date:
    return timezone.localdate()


def latest_failed(grades) -> dict[int, FinalGrade]:
    """The latest graded attempt per discipline, kept only when it is FX or F."""
    latest: dict[int, tuple[tuple, FinalGrade]] = {}
    for grade in grades:
        if not grade.letter:
            continue
        key = (
            grade.period.starts_on,
            gpa.ATTEMPT_ORDER.get(grade.attempt_kind, len(gpa.ATTEMPT_ORDER)),
        )
        current = latest.get(grade.discipline_id)
        if current is None or key >= current[0]:
            latest[grade.discipline_id] = (key, grade)
    return {
        discipline_id: grade
        for discipline_id, (_key, grade) in latest.items()
        if grade.letter in DEBT_LETTERS
    }


def academic_debts(student_id: int) -> list[Debt]:
    """The student's debts, oldest period first, then by discipline code (one query)."""
    grades = (
        FinalGrade.objects.filter(student_id=student_id)
        .select_related("discipline", "period__year")
        .order_by("period__starts_on", "discipline__code", "recorded_at", "id")
    )
    failed = latest_failed(grades)
    debts = [
        Debt(
            discipline=grade.discipline,
            kind=grade.letter,
            credits=grade.credits,
            period=grade.period,
            grade=grade,
        )
        for grade in failed.values()
    ]
    debts.sort(key=lambda d: (d.period.starts_on, d.discipline.code))
    return debts


# --- the registrar's list of students with debts ------------------------------------------------


@dataclass
class Debtor:
    profile: StudentProfile
    fx: int = 0
    f: int = 0
    credits: int = 0

    @property
    def total(self) -> int:
        return self.fx + self.f


@dataclass
class DebtorFilters:
    faculty_id: int | None = None
    program_id: int | None = None
    group_id: int | None = None


def _profiles_in_scope(faculty_ids: frozenset[int] | None, filters: DebtorFilters):
    profiles = StudentProfile.objects.all()
    if faculty_ids is not None:
        profiles = profiles.filter(program__department__faculty_id__in=faculty_ids)
    if filters.faculty_id is not None:
        profiles = profiles.filter(program__department__faculty_id=filters.faculty_id)
    if filters.program_id is not None:
        profiles = profiles.filter(program_id=filters.program_id)
    if filters.group_id is not None:
        profiles = profiles.filter(group_id=filters.group_id)
    return profiles


def debt_counts(
    *, faculty_ids: frozenset[int] | None, filters: DebtorFilters | None = None
) -> dict[int, tuple[int, int, int]]:
    """``{student_id: (fx count, f count, credits owed)}`` for the students in scope who owe
    something. One query: the grades of students with an F or FX on record, only the fields
    the rule needs."""
    filters = filters or DebtorFilters()
    students = _profiles_in_scope(faculty_ids, filters).values("user_id")
    with_failures = FinalGrade.objects.filter(letter__in=DEBT_LETTERS).values("student_id")
    grades = (
        FinalGrade.objects.filter(student_id__in=students)
        .filter(student_id__in=with_failures)
        .select_related("period")
        .order_by()
        .only(*_DEBT_FIELDS)
    )
    by_student: dict[int, list[FinalGrade]] = {}
    for grade in grades:
        by_student.setdefault(grade.student_id, []).append(grade)
    counts: dict[int, tuple[int, int, int]] = {}
    for student_id, items in by_student.items():
        failed = latest_failed(items).values()
        if failed:
            fx = sum(1 for g in failed if g.letter == FX)
            counts[student_id] = (fx, len(failed) - fx, sum(g.credits for g in failed))
    return counts


def debtors(*, faculty_ids: frozenset[int] | None, filters: DebtorFilters | None = None):
    """``(profiles queryset ordered by name, counts)``: paginate the queryset, then
    ``debtor_rows(page, counts)``. Three queries for a page whatever the number of students
    (the grades, the count, the page)."""
    filters = filters or DebtorFilters()
    counts = debt_counts(faculty_ids=faculty_ids, filters=filters)
    profiles = (
        StudentProfile.objects.filter(user_id__in=list(counts))
        .select_related("user", "program", "group")
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    return profiles, counts


def debtor_rows(profiles, counts: dict[int, tuple[int, int, int]]) -> list[Debtor]:
    rows = []
    for profile in profiles:
        fx, f, credits = counts.get(profile.user_id, (0, 0, 0))
        rows.append(Debtor(profile=profile, fx=fx, f=f, credits=credits))
    return rows


def filter_choices(faculty_ids: frozenset[int] | None) -> dict:
    """Faculties, programs and groups the registrar may filter by (three queries)."""
    faculties = Faculty.objects.order_by("code")
    programs = Program.objects.order_by("code")
    groups = StudyGroup.objects.order_by("code")
    if faculty_ids is not None:
        faculties = faculties.filter(pk__in=faculty_ids)
        programs = programs.filter(department__faculty_id__in=faculty_ids)
        groups = groups.filter(program__department__faculty_id__in=faculty_ids)
    return {"faculties": list(faculties), "programs": list(programs), "groups": list(groups)}


# --- the summer semester -----------------------------------------------------------------------


def is_open(summer: SummerSemester, on: datetime.date | None = None) -> bool:
    on = on or today()
    return summer.registration_opens_on <= on <= summer.registration_closes_on


def is_editable(summer: SummerSemester, on: datetime.date | None = None) -> bool:
    """The registrar may change the dates and the cap until registration has closed."""
    return (on or today()) <= summer.registration_closes_on


def summer_semesters() -> list[SummerSemester]:
    return list(
        SummerSemester.objects.select_related("period__year").order_by("-period__starts_on")
    )


def summer_semester(summer_id: int) -> SummerSemester:
    summer = SummerSemester.objects.select_related("period__year").filter(pk=summer_id).first()
    if summer is None:
        raise NotFound(_("There is no such summer semester."))
    return summer


def summer_periods_to_open() -> list[AcademicPeriod]:
    """Summer periods that have no summer semester yet."""
    return list(
        AcademicPeriod.objects.filter(kind=PeriodKind.SUMMER, summer_semester__isnull=True)
        .select_related("year")
        .order_by("-starts_on")
    )


def open_summers(on: datetime.date | None = None) -> list[SummerSemester]:
    on = on or today()
    return list(
        SummerSemester.objects.filter(registration_opens_on__lte=on, registration_closes_on__gte=on)
        .select_related("period__year")
        .order_by("period__starts_on")
    )


def visible_summers(on: datetime.date | None = None) -> list[SummerSemester]:
    """Summers a student sees: open ones and those whose registration is still to come."""
    on = on or today()
    return list(
        SummerSemester.objects.filter(registration_closes_on__gte=on)
        .select_related("period__year")
        .order_by("period__starts_on")
    )


def registrations_of(student_id: int, summer: SummerSemester | None = None, *, live=True):
    regs = SummerRegistration.objects.filter(student_id=student_id).select_related(
        "discipline", "summer__period__year", "offering"
    )
    if summer is not None:
        regs = regs.filter(summer=summer)
    if live:
        regs = regs.filter(status__in=LIVE)
    return list(regs.order_by("summer__period__starts_on", "discipline__code"))


def live_credits(student_id: int, summer: SummerSemester) -> int:
    return sum(
        SummerRegistration.objects.filter(
            summer=summer, student_id=student_id, status__in=LIVE
        ).values_list("credits", flat=True)
    )


def passed_discipline_ids(student_id: int) -> set[int]:
    """Disciplines whose latest graded attempt is passed."""
    grades = (
        FinalGrade.objects.filter(student_id=student_id)
        .exclude(letter="")
        .select_related("period")
        .order_by()
        .only(*_DEBT_FIELDS)
    )
    latest: dict[int, tuple[tuple, str]] = {}
    for grade in grades:
        key = (
            grade.period.starts_on,
            gpa.ATTEMPT_ORDER.get(grade.attempt_kind, len(gpa.ATTEMPT_ORDER)),
        )
        if grade.discipline_id not in latest or key >= latest[grade.discipline_id][0]:
            latest[grade.discipline_id] = (key, grade.letter)
    return {d for d, (_k, letter) in latest.items() if letter not in DEBT_LETTERS}


def ahead_entries(profile: StudentProfile, *, exclude: set[int] = frozenset()) -> list:
    """Plan entries of later terms of the student's program (after the current year of study)
    that the student has not passed and has no debt in; ``exclude``: discipline ids to leave
    out (already registered)."""
    last_term = 2 * profile.year_of_study
    entries = (
        ProgramPlanEntry.objects.filter(program_id=profile.program_id, term__gt=last_term)
        .select_related("discipline")
        .order_by("term", "discipline__code")
    )
    grades = set(
        FinalGrade.objects.filter(student_id=profile.user_id).values_list(
            "discipline_id", flat=True
        )
    )
    skip = set(exclude) | grades
    return [entry for entry in entries if entry.discipline_id not in skip]


@dataclass
class RegistrationChoices:
    debts: list[Debt]
    ahead: list
    registered: list[SummerRegistration]
    credits: int
    cap: int

    @property
    def left(self) -> int:
        return max(self.cap - self.credits, 0)


def registration_choices(profile: StudentProfile, summer: SummerSemester) -> RegistrationChoices:
    """What the student may still register for in ``summer``: debts not yet registered and the
    later-term disciplines of their plan, with their live registrations and the credits left."""
    registered = registrations_of(profile.user_id, summer)
    taken = {r.discipline_id for r in registered}
    debts = [d for d in academic_debts(profile.user_id) if d.discipline.pk not in taken]
    return RegistrationChoices(
        debts=debts,
        ahead=ahead_entries(profile, exclude=taken),
        registered=registered,
        credits=sum(r.credits for r in registered),
        cap=summer.credit_cap,
    )


@dataclass
class DisciplineGroup:
    discipline: Discipline
    registrations: list[SummerRegistration] = field(default_factory=list)
    offerings: set = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.registrations)

    @property
    def debt_count(self) -> int:
        return sum(1 for r in self.registrations if r.reason == SummerReason.DEBT)

    @property
    def ahead_count(self) -> int:
        return self.count - self.debt_count

    @property
    def enrolled_count(self) -> int:
        return sum(1 for r in self.registrations if r.status == SummerRegistrationStatus.ENROLLED)

    @property
    def credits(self) -> int:
        return self.discipline.credits


def summer_overview(summer: SummerSemester) -> list[DisciplineGroup]:
    """Live registrations of ``summer`` grouped by discipline (by code), with the students'
    names and the offerings they are enrolled in. One query."""
    regs = (
        SummerRegistration.objects.filter(summer=summer, status__in=LIVE)
        .select_related("discipline__department", "student", "offering")
        .order_by("discipline__code", "student__last_name", "student__first_name", "pk")
    )
    groups: dict[int, DisciplineGroup] = {}
    for reg in regs:
        group = groups.setdefault(reg.discipline_id, DisciplineGroup(discipline=reg.discipline))
        group.registrations.append(reg)
        if reg.offering is not None:
            group.offerings.add(reg.offering)
    return list(groups.values())


def is_student(user_id: int) -> bool:
    return StudentProfile.objects.filter(user_id=user_id).exists()


def registrations_for_summer(summer: SummerSemester, *, student_id: int | None = None):
    regs = SummerRegistration.objects.filter(summer=summer).select_related("discipline", "student")
    if student_id is not None:
        regs = regs.filter(student_id=student_id)
    return list(regs.order_by("discipline__code", "student__last_name", "pk"))


def tutors() -> list[User]:
    """Users who hold the tutor role anywhere (the summer course's tutors are chosen from them)."""
    return list(
        User.objects.filter(role_assignments__role=Role.TUTOR, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def registration(registration_id: int) -> SummerRegistration:
    reg = (
        SummerRegistration.objects.select_related("summer__period", "discipline")
        .filter(pk=registration_id)
        .first()
    )
    if reg is None:
        raise NotFound(_("There is no such registration."))
    return reg


def discipline(discipline_id: int) -> Discipline:
    found = Discipline.objects.select_related("department").filter(pk=discipline_id).first()
    if found is None:
        raise NotFound(_("There is no such discipline."))
    return found
