"""Reads of graduation: a student's eligibility, a program's attestation events and results,
and the list of graduates for the diploma order (docs/subsystems/graduation.md).

Eligibility has four conditions, each with the reasons it fails:

1. ``disciplines`` -- every discipline of the student's approved IUPs has a passing latest
   result (``gradebook.FinalGrade``; "latest" as the GPA reads it, ``registrar.gpa``; passing is
   any letter but FX and F). The missing and the failed ones are listed.
2. ``credits`` -- the credits passed (the transcript's "credits earned": the credits of every
   discipline whose latest result passes) reach the program's ``total_credits``.
3. ``practice`` -- every plan discipline whose control form is *practice* passed. Until the
   practice part lands this is the rule; with no practice discipline in the plans it holds.
4. ``attestation`` -- a passing result for every final attestation event of the student's
   program in the graduation year (and at least one event exists).

The same pure function (``evaluate``) judges one student (``graduation_check``) and a whole list
(``graduates``); the list reads every student's plans, grades and results in a fixed number of
queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from qashyq.academics.models import (
    AcademicYear,
    ControlForm,
    Program,
    StudentProfile,
    StudentStatus,
)
from qashyq.accounts.roles import Role, ScopeType
from qashyq.accounts.selectors import has_role, role_scope_ids
from qashyq.core.errors import NotFound
from qashyq.gradebook.models import FinalGrade

from .. import gpa
from ..models import (
    FinalAttestationEvent,
    FinalAttestationResult,
    IndividualPlanItem,
    OrderKind,
    OrderLine,
    PlanStatus,
)

FAILING_LETTERS = frozenset({"F", "FX"})

DISCIPLINES = "disciplines"
CREDITS = "credits"
PRACTICE = "practice"
ATTESTATION = "attestation"


def is_passing(letter: str | None) -> bool:
    return bool(letter) and letter not in FAILING_LETTERS


@dataclass
class DisciplineStatus:
    discipline: object
    credits: int
    letter: str  # of the latest result; "" when there is none
    passed: bool

    @property
    def missing(self) -> bool:
        return not self.letter

    @property
    def is_practice(self) -> bool:
        return self.discipline.control_form == ControlForm.PRACTICE


@dataclass
class AttestationStatus:
    event: FinalAttestationEvent
    result: FinalAttestationResult | None

    @property
    def passed(self) -> bool:
        return self.result is not None and self.result.passed


@dataclass
class Condition:
    code: str
    label: str
    ok: bool
    reasons: list[str] = field(default_factory=list)


@dataclass
class Eligibility:
    profile: StudentProfile
    year: AcademicYear | None
    disciplines: list[DisciplineStatus]
    credits_passed: int
    credits_required: int
    attestation: list[AttestationStatus]
    conditions: list[Condition]

    @property
    def eligible(self) -> bool:
        return all(condition.ok for condition in self.conditions)

    @property
    def student_id(self) -> int:
        return self.profile.user_id

    @property
    def missing(self) -> list[DisciplineStatus]:
        return [d for d in self.disciplines if d.missing]

    @property
    def failed(self) -> list[DisciplineStatus]:
        return [d for d in self.disciplines if not d.missing and not d.passed]

    @property
    def practice(self) -> list[DisciplineStatus]:
        return [d for d in self.disciplines if d.is_practice]

    @property
    def credits_planned(self) -> int:
        return sum(d.credits for d in self.disciplines)

    @property
    def reasons(self) -> list[str]:
        """Every reason of every failed condition, each once (a failed practice discipline is
        a reason of two conditions)."""
        return list(dict.fromkeys(r for c in self.conditions for r in c.reasons))

    def condition(self, code: str) -> Condition:
        return next(c for c in self.conditions if c.code == code)


def _name(discipline) -> str:
    return f"{discipline.code} {discipline.name}"


def _discipline_reason(status: DisciplineStatus) -> str:
    if status.missing:
        return _("%(discipline)s: no result yet") % {"discipline": _name(status.discipline)}
    return _("%(discipline)s: %(letter)s, not passed") % {
        "discipline": _name(status.discipline),
        "letter": status.letter,
    }


def evaluate(
    profile: StudentProfile,
    year: AcademicYear | None,
    items: Iterable[IndividualPlanItem],
    attempts: Iterable[gpa.Attempt],
    events: list[FinalAttestationEvent],
    results: dict[int, FinalAttestationResult],
) -> Eligibility:
    """Judge one student. ``items``: the items of the student's approved IUPs (discipline
    loaded); ``attempts``: every result of the student; ``events``: the attestation events of the
    student's program in ``year``; ``results``: the student's results by event id."""
    attempts = list(attempts)
    latest = gpa.latest_attempts(attempts)
    planned: dict[int, IndividualPlanItem] = {}
    for item in items:
        planned[item.discipline_id] = item
    disciplines = []
    for discipline_id, item in planned.items():
        attempt = latest.get(discipline_id)
        letter = attempt.letter if attempt is not None else ""
        disciplines.append(
            DisciplineStatus(
                discipline=item.discipline,
                credits=item.credits,
                letter=letter or "",
                passed=is_passing(letter),
            )
        )
    disciplines.sort(key=lambda d: d.discipline.code)

    conditions = []
    # 1. every plan discipline passed
    reasons = [_discipline_reason(d) for d in disciplines if not d.passed]
    if not disciplines:
        reasons.insert(0, _("No approved individual study plan has any discipline."))
    conditions.append(
        Condition(DISCIPLINES, _("All disciplines of the study plans passed"), not reasons, reasons)
    )
    # 2. credits
    credits_passed = gpa.credits_earned(attempts)
    required = profile.program.total_credits
    reasons = []
    if credits_passed < required:
        reasons.append(
            _("%(passed)s credits passed of the %(required)s the program requires.")
            % {"passed": credits_passed, "required": required}
        )
    conditions.append(Condition(CREDITS, _("Credits of the program"), not reasons, reasons))
    # 3. practice (the rule until the practice part lands: practice disciplines of the plans)
    practice = [d for d in disciplines if d.is_practice]
    reasons = [_discipline_reason(d) for d in practice if not d.passed]
    conditions.append(Condition(PRACTICE, _("Professional practice done"), not reasons, reasons))
    # 4. final attestation
    statuses = [AttestationStatus(event=e, result=results.get(e.pk)) for e in events]
    reasons = []
    if year is None:
        reasons.append(_("No academic year is current."))
    elif not statuses:
        reasons.append(
            _("No final attestation event is set for the program in %(year)s.")
            % {"year": year.title}
        )
    for status in statuses:
        if status.result is None:
            reasons.append(
                _("%(event)s: no result yet") % {"event": status.event.get_kind_display()}
            )
        elif not status.result.passed:
            reasons.append(
                _("%(event)s: %(letter)s, not passed")
                % {"event": status.event.get_kind_display(), "letter": status.result.letter}
            )
    conditions.append(Condition(ATTESTATION, _("Final attestation passed"), not reasons, reasons))
    return Eligibility(
        profile=profile,
        year=year,
        disciplines=disciplines,
        credits_passed=credits_passed,
        credits_required=required,
        attestation=statuses,
        conditions=conditions,
    )


# --- reading the inputs ------------------------------------------------------------------------


_ATTEMPT_FIELDS = (
    "student_id",
    "discipline_id",
    "period_id",
    "period__starts_on",
    "attempt_kind",
    "letter",
    "points",
    "credits",
)


def _attempts_of(student_ids: Iterable[int]) -> dict[int, list[gpa.Attempt]]:
    """Every result of the students, as the GPA arithmetic reads it (one query)."""
    attempts: dict[int, list[gpa.Attempt]] = {}
    rows = (
        FinalGrade.objects.filter(student_id__in=list(student_ids))
        .order_by()
        .values_list(*_ATTEMPT_FIELDS)
    )
    for student_id, discipline_id, period_id, start, kind, letter, points, credits in rows:
        attempts.setdefault(student_id, []).append(
            gpa.Attempt(
                discipline_id=discipline_id,
                period_id=period_id,
                period_start=start,
                attempt_kind=kind,
                letter=letter,
                points=points,
                credits=credits,
            )
        )
    return attempts


def _approved_items_of(student_ids: list[int]) -> dict[int, list[IndividualPlanItem]]:
    """The items of the students' approved IUPs, for many students in one query (the list page).
    One student's eligibility reads them through ``selectors.iup.approved_plan_items``."""
    items: dict[int, list[IndividualPlanItem]] = {}
    rows = (
        IndividualPlanItem.objects.filter(
            plan__student_id__in=student_ids, plan__status=PlanStatus.APPROVED
        )
        .select_related("discipline", "plan")
        .order_by("plan__academic_year__starts_on", "discipline__code")
    )
    for item in rows:
        items.setdefault(item.plan.student_id, []).append(item)
    return items


def current_year() -> AcademicYear | None:
    return AcademicYear.objects.filter(is_current=True).first()


def year_or_current(value) -> AcademicYear | None:
    """The academic year with id ``value``; the current one when it is empty or not a year."""
    value = str(value or "")
    if value.isdigit():
        year = AcademicYear.objects.filter(pk=int(value)).first()
        if year is not None:
            return year
    return current_year()


def academic_years() -> list[AcademicYear]:
    return list(AcademicYear.objects.order_by("-starts_on"))


def student_profile(student_id: int) -> StudentProfile:
    profile = (
        StudentProfile.objects.select_related("user", "program__department", "group")
        .filter(user_id=student_id)
        .first()
    )
    if profile is None:
        raise NotFound(_("There is no such student."))
    return profile


def own_profile(user) -> StudentProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        StudentProfile.objects.select_related("user", "program__department", "group")
        .filter(user_id=user.pk)
        .first()
    )


def graduation_check(
    student_id: int, *, year: AcademicYear | None = None, profile: StudentProfile | None = None
) -> Eligibility:
    """Whether the student may graduate in ``year`` (the current academic year by default),
    with each condition and why it fails. NotFound for no such student."""
    from .iup import approved_plan_items

    profile = profile or student_profile(student_id)
    year = year or current_year()
    events = events_of(profile.program, year)
    results = {
        r.event_id: r
        for r in FinalAttestationResult.objects.filter(event__in=events, student_id=student_id)
    }
    return evaluate(
        profile,
        year,
        approved_plan_items(student_id),
        _attempts_of([student_id]).get(student_id, []),
        events,
        results,
    )


# --- events and results -----------------------------------------------------------------------


def program(program_id: int) -> Program:
    found = Program.objects.select_related("department").filter(pk=program_id).first()
    if found is None:
        raise NotFound(_("There is no such program."))
    return found


def programs_for(user) -> list[Program]:
    """The programs whose attestation the user manages (the index page)."""
    programs = Program.objects.select_related("department").order_by("code")
    if has_role(user, (Role.ADMIN, Role.REGISTRAR, Role.PROGRAM_LEADER)):
        return list(programs)
    faculties = role_scope_ids(user, Role.REGISTRAR, ScopeType.FACULTY)
    led = role_scope_ids(user, Role.PROGRAM_LEADER, ScopeType.PROGRAM)
    if not faculties and not led:
        return []
    return list(programs.filter(Q(department__faculty_id__in=faculties) | Q(pk__in=led)))


def events_of(program: Program, year: AcademicYear | None) -> list[FinalAttestationEvent]:
    if year is None:
        return []
    return list(
        FinalAttestationEvent.objects.filter(program=program, academic_year=year)
        .select_related("academic_year")
        .order_by("starts_at", "kind")
    )


def event(event_id: int) -> FinalAttestationEvent:
    found = (
        FinalAttestationEvent.objects.select_related("program__department", "academic_year")
        .filter(pk=event_id)
        .first()
    )
    if found is None:
        raise NotFound(_("There is no such final attestation event."))
    return found


def final_year_students(program: Program):
    """The program's studying students in their final year (by the program's duration)."""
    return (
        StudentProfile.objects.select_related("user", "group", "program")
        .filter(
            program=program,
            status=StudentStatus.ACTIVE,
            year_of_study__gte=program.duration_years,
        )
        .order_by("user__last_name", "user__first_name", "user_id")
    )


@dataclass
class ResultRow:
    profile: StudentProfile
    result: FinalAttestationResult | None


def event_results(event: FinalAttestationEvent) -> list[ResultRow]:
    """The final-year students of the event's program with their results, and anyone else who
    has a result of the event (two queries)."""
    results = {
        r.student_id: r
        for r in FinalAttestationResult.objects.filter(event=event).select_related("recorded_by")
    }
    profiles = list(final_year_students(event.program))
    seen = {p.user_id for p in profiles}
    extra = [student_id for student_id in results if student_id not in seen]
    if extra:
        profiles += list(
            StudentProfile.objects.select_related("user", "group", "program")
            .filter(user_id__in=extra)
            .order_by("user__last_name", "user__first_name")
        )
    return [ResultRow(profile=p, result=results.get(p.user_id)) for p in profiles]


def results_of_student(
    student_id: int, events: list[FinalAttestationEvent]
) -> dict[int, FinalAttestationResult]:
    return {
        r.event_id: r
        for r in FinalAttestationResult.objects.filter(event__in=events, student_id=student_id)
    }


# --- the graduates list -----------------------------------------------------------------------


@dataclass
class GraduateRow:
    eligibility: Eligibility
    order_line: OrderLine | None = None

    @property
    def profile(self) -> StudentProfile:
        return self.eligibility.profile

    @property
    def eligible(self) -> bool:
        return self.eligibility.eligible


def graduates(program: Program, year: AcademicYear | None) -> list[GraduateRow]:
    """The program's final-year students with their eligibility in ``year`` and the graduation
    order each is already in, if any. Six queries whatever the number of students."""
    profiles = list(final_year_students(program))
    if not profiles:
        return []
    ids = [p.user_id for p in profiles]
    events = events_of(program, year)
    results: dict[int, dict[int, FinalAttestationResult]] = {}
    for result in FinalAttestationResult.objects.filter(event__in=events, student_id__in=ids):
        results.setdefault(result.student_id, {})[result.event_id] = result
    items = _approved_items_of(ids)
    attempts = _attempts_of(ids)
    lines = {
        line.student_id: line
        for line in OrderLine.objects.filter(
            order__kind=OrderKind.GRADUATION, student_id__in=ids
        ).select_related("order")
    }
    return [
        GraduateRow(
            eligibility=evaluate(
                profile,
                year,
                items.get(profile.user_id, []),
                attempts.get(profile.user_id, []),
                events,
                results.get(profile.user_id, {}),
            ),
            order_line=lines.get(profile.user_id),
        )
        for profile in profiles
    ]


def graduates_table(rows: list[GraduateRow]) -> tuple[list[str], list[list]]:
    """The graduates list as a header and rows of plain values (the XLSX and CSV exports)."""
    header = [
        _("No."),
        _("Record book number"),
        _("Student"),
        _("Group"),
        _("Credits passed"),
        _("Credits required"),
        _("Eligible"),
        _("Why not"),
        _("Graduation order"),
    ]
    table = []
    for number, row in enumerate(rows, start=1):
        eligibility = row.eligibility
        reasons = eligibility.reasons
        order = ""
        if row.order_line is not None:
            order = str(row.order_line.order)
        table.append(
            [
                number,
                row.profile.student_number,
                row.profile.user.full_name,
                row.profile.group.code if row.profile.group else "",
                eligibility.credits_passed,
                eligibility.credits_required,
                _("yes") if row.eligible else _("no"),
                "; ".join(reasons),
                order,
            ]
        )
    return header, table
