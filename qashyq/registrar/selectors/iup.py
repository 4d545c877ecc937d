"""Reads of study plans: the program's study plan by term, a student's individual plan (IUP)
with its totals, elective groups and credit limits, the approval queue, the individual schedule
and the approved disciplines across all years (for the graduation check).

Every list is a fixed number of queries whatever the number of rows (tests/test_iup_views.py
asserts it for the queue).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Sum
from django.utils.translation import gettext as _

from qashyq.academics.models import (
    AcademicPeriod,
    AcademicYear,
    CalendarEvent,
    PeriodKind,
    PlanComponent,
    Program,
    ProgramPlanEntry,
    StudentProfile,
)
from qashyq.core.errors import NotFound

from ..models import CreditLimits, IndividualPlan, IndividualPlanItem, PlanStatus

SEMESTERS = (PeriodKind.SEMESTER_1, PeriodKind.SEMESTER_2)
PREFILLED = (PlanComponent.MANDATORY, PlanComponent.UNIVERSITY)
QUEUE_LIMIT = 200


def terms_of(year_of_study: int) -> tuple[int, int]:
    """The terms of study of a year of study: 2y-1 (semester 1) and 2y (semester 2)."""
    return 2 * year_of_study - 1, 2 * year_of_study


def period_kind_of(term: int) -> str:
    return PeriodKind.SEMESTER_1 if term % 2 else PeriodKind.SEMESTER_2


def semester_label(kind: str) -> str:
    return str(PeriodKind(kind).label)


# --- academic years --------------------------------------------------------------------------


def current_year() -> AcademicYear | None:
    return AcademicYear.objects.filter(is_current=True).first()


def next_year(current: AcademicYear | None = None) -> AcademicYear | None:
    current = current or current_year()
    if current is None:
        return None
    return (
        AcademicYear.objects.filter(starts_on__gt=current.starts_on).order_by("starts_on").first()
    )


def plan_years() -> list[AcademicYear]:
    """The years a plan may be drawn up for: the current one and the next one once it exists."""
    current = current_year()
    if current is None:
        return []
    following = next_year(current)
    return [current] + ([following] if following else [])


def year_by_title(title: str) -> AcademicYear | None:
    return AcademicYear.objects.filter(title=title).first()


def academic_years() -> list[AcademicYear]:
    return list(AcademicYear.objects.order_by("-starts_on"))


def credit_limits(year: AcademicYear) -> CreditLimits:
    """The year's limits; the model's defaults (unsaved) when none were set."""
    limits = CreditLimits.objects.filter(academic_year=year).first()
    return limits if limits is not None else CreditLimits(academic_year=year)


# --- the program's study plan ----------------------------------------------------------------


def program_for_page(program_id: int) -> Program:
    program = Program.objects.select_related("department__faculty").filter(pk=program_id).first()
    if program is None:
        raise NotFound(_("There is no such program."))
    return program


def plan_entries(program, terms=None) -> list[ProgramPlanEntry]:
    entries = ProgramPlanEntry.objects.filter(program=program).select_related("discipline")
    if terms is not None:
        entries = entries.filter(term__in=list(terms))
    return list(entries.order_by("term", "component", "elective_group", "discipline__code"))


@dataclass
class ElectiveGroup:
    """Electives of one term that are alternatives (``key``), or the free electives of a term
    (``key == ""``, nothing to choose at least)."""

    term: int
    key: str
    credits_to_choose: int | None
    entries: list[ProgramPlanEntry] = field(default_factory=list)
    chosen: set[int] = field(default_factory=set)  # discipline ids chosen in a plan

    @property
    def period_kind(self) -> str:
        return period_kind_of(self.term)

    @property
    def chosen_credits(self) -> int:
        return sum(e.discipline.credits for e in self.entries if e.discipline_id in self.chosen)

    @property
    def satisfied(self) -> bool:
        return self.credits_to_choose is None or self.chosen_credits >= self.credits_to_choose

    @property
    def options(self) -> list[tuple[ProgramPlanEntry, bool]]:
        return [(entry, entry.discipline_id in self.chosen) for entry in self.entries]


def elective_groups(entries, chosen: set[int] | None = None) -> list[ElectiveGroup]:
    """The elective entries grouped by term and elective group. A group's credits to choose is
    the first ``elective_credits`` set among its entries; when none is set, one discipline (the
    smallest number of credits in the group)."""
    groups: dict[tuple[int, str], ElectiveGroup] = {}
    for entry in entries:
        if entry.component != PlanComponent.ELECTIVE:
            continue
        key = (entry.term, entry.elective_group)
        group = groups.get(key)
        if group is None:
            group = groups[key] = ElectiveGroup(
                term=entry.term, key=entry.elective_group, credits_to_choose=None
            )
        group.entries.append(entry)
        if entry.elective_group and group.credits_to_choose is None and entry.elective_credits:
            group.credits_to_choose = entry.elective_credits
    for group in groups.values():
        if group.key and group.credits_to_choose is None:
            group.credits_to_choose = min(e.discipline.credits for e in group.entries)
        group.chosen = set(chosen or ())
    return sorted(groups.values(), key=lambda g: (g.term, g.key == "", g.key))


@dataclass
class TermBlock:
    term: int
    mandatory: list[ProgramPlanEntry] = field(default_factory=list)
    university: list[ProgramPlanEntry] = field(default_factory=list)
    groups: list[ElectiveGroup] = field(default_factory=list)

    @property
    def year_of_study(self) -> int:
        return (self.term + 1) // 2

    @property
    def period_kind(self) -> str:
        return period_kind_of(self.term)

    @property
    def required_credits(self) -> int:
        """Mandatory and university credits plus the credits to choose in each elective group."""
        fixed = sum(e.discipline.credits for e in self.mandatory + self.university)
        return fixed + sum(g.credits_to_choose or 0 for g in self.groups)


def program_study_plan(program) -> list[TermBlock]:
    """The program's study plan term by term (one query)."""
    entries = plan_entries(program)
    blocks: dict[int, TermBlock] = {}
    for entry in entries:
        block = blocks.setdefault(entry.term, TermBlock(term=entry.term))
        if entry.component == PlanComponent.MANDATORY:
            block.mandatory.append(entry)
        elif entry.component == PlanComponent.UNIVERSITY:
            block.university.append(entry)
    for group in elective_groups(entries):
        blocks[group.term].groups.append(group)
    return [blocks[term] for term in sorted(blocks)]


# --- individual plans ------------------------------------------------------------------------


def _plans():
    return IndividualPlan.objects.select_related(
        "student", "academic_year", "program__department", "decided_by"
    )


def _items_prefetch():
    return Prefetch(
        "items",
        queryset=IndividualPlanItem.objects.select_related(
            "discipline", "offering__period"
        ).prefetch_related("offering__tutors"),
    )


def plan_for_page(plan_id: int) -> IndividualPlan:
    plan = _plans().prefetch_related(_items_prefetch()).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("There is no such study plan."))
    return plan


def plan_of(student_id: int, year: AcademicYear) -> IndividualPlan | None:
    return (
        _plans()
        .prefetch_related(_items_prefetch())
        .filter(student_id=student_id, academic_year=year)
        .first()
    )


def plans_of_student(student_id: int) -> list[IndividualPlan]:
    return list(
        _plans()
        .filter(student_id=student_id)
        .annotate(total_credits=Sum("items__credits"))
        .order_by("-academic_year__starts_on")
    )


def student_profile_of(student_id: int) -> StudentProfile | None:
    return (
        StudentProfile.objects.select_related("group", "program").filter(user_id=student_id).first()
    )


def totals_by_semester(items) -> dict[str, int]:
    totals = dict.fromkeys(SEMESTERS, 0)
    for item in items:
        totals[item.period_kind] = totals.get(item.period_kind, 0) + item.credits
    return totals


@dataclass
class SemesterBlock:
    kind: str
    items: list[IndividualPlanItem]
    credits: int
    limit: int

    @property
    def label(self) -> str:
        return semester_label(self.kind)

    @property
    def over(self) -> bool:
        return self.credits > self.limit


@dataclass
class PlanSummary:
    plan: IndividualPlan
    semesters: list[SemesterBlock]
    total: int
    limits: CreditLimits
    groups: list[ElectiveGroup]

    @property
    def under_minimum(self) -> bool:
        return self.total < self.limits.min_credits_per_year

    @property
    def over_year(self) -> bool:
        return self.total > self.limits.max_credits_per_year

    @property
    def missing_groups(self) -> list[ElectiveGroup]:
        return [g for g in self.groups if not g.satisfied]

    @property
    def items(self) -> list[IndividualPlanItem]:
        return [item for block in self.semesters for item in block.items]


def plan_summary(plan: IndividualPlan) -> PlanSummary:
    """The plan's items by semester with totals, the year's limits and the elective groups of the
    plan's terms with what is chosen. Uses the prefetched items when there are any."""
    items = sorted(plan.items.all(), key=lambda i: (i.period_kind, i.discipline.code))
    limits = credit_limits(plan.academic_year)
    totals = totals_by_semester(items)
    kinds = list(SEMESTERS) + sorted(k for k in totals if k not in SEMESTERS)
    semesters = [
        SemesterBlock(
            kind=kind,
            items=[i for i in items if i.period_kind == kind],
            credits=totals.get(kind, 0),
            limit=limits.max_credits_per_semester,
        )
        for kind in kinds
    ]
    entries = plan_entries(plan.program, terms_of(plan.year_of_study))
    groups = elective_groups(entries, {i.discipline_id for i in items})
    return PlanSummary(
        plan=plan,
        semesters=semesters,
        total=sum(totals.values()),
        limits=limits,
        groups=groups,
    )


def approval_queue(user_filter, *, year: AcademicYear | None = None, status=PlanStatus.SUBMITTED):
    """Plans with ``status`` within ``user_filter`` (a Q, or None for all), oldest submission
    first, with the student's group and the plan's credits: one query."""
    plans = (
        IndividualPlan.objects.filter(status=status)
        .select_related("student__student_profile__group", "program", "academic_year")
        .annotate(total_credits=Sum("items__credits"), item_count=Count("items"))
        .order_by("submitted_at", "pk")
    )
    if user_filter is not None:
        plans = plans.filter(user_filter)
    if year is not None:
        plans = plans.filter(academic_year=year)
    return list(plans[:QUEUE_LIMIT])


def programs_of_faculties(faculty_ids) -> list[Program]:
    """Programs of these faculties (None: every program), for the enrolment page's choice."""
    programs = Program.objects.select_related("department").order_by("code")
    if faculty_ids is not None:
        programs = programs.filter(department__faculty_id__in=list(faculty_ids))
    return list(programs)


def approved_plans(program, year: AcademicYear) -> list[IndividualPlan]:
    return list(
        _plans()
        .prefetch_related(_items_prefetch())
        .filter(program=program, academic_year=year, status=PlanStatus.APPROVED)
        .order_by("student__last_name", "student__first_name", "pk")
    )


def approved_plan_items(student_id: int) -> list[IndividualPlanItem]:
    """Every discipline of the student's approved plans, across all years (the graduation check
    compares them with the program). Oldest year first."""
    return list(
        IndividualPlanItem.objects.filter(
            plan__student_id=student_id, plan__status=PlanStatus.APPROVED
        )
        .select_related("discipline", "plan__academic_year", "offering")
        .order_by("plan__academic_year__starts_on", "period_kind", "discipline__code")
    )


# --- the individual schedule -----------------------------------------------------------------


@dataclass
class ScheduleSemester:
    kind: str
    period: AcademicPeriod | None
    items: list[IndividualPlanItem]
    events: list[CalendarEvent]

    @property
    def label(self) -> str:
        return semester_label(self.kind)

    @property
    def credits(self) -> int:
        return sum(i.credits for i in self.items)


@dataclass
class Schedule:
    plan: IndividualPlan
    semesters: list[ScheduleSemester]
    year_events: list[CalendarEvent]


def individual_schedule(plan: IndividualPlan) -> Schedule:
    """The plan's disciplines per semester with their offerings, the period's dates and the
    academic calendar events of the year (three queries beyond the plan)."""
    periods = {p.kind: p for p in AcademicPeriod.objects.filter(year=plan.academic_year)}
    events = list(
        CalendarEvent.objects.filter(year=plan.academic_year)
        .select_related("period")
        .order_by("starts_on", "kind")
    )
    by_period: dict[int | None, list[CalendarEvent]] = defaultdict(list)
    for event in events:
        by_period[event.period_id].append(event)
    items = sorted(plan.items.all(), key=lambda i: (i.period_kind, i.discipline.code))
    kinds = list(SEMESTERS) + sorted(
        {i.period_kind for i in items} - set(SEMESTERS), key=lambda k: k
    )
    semesters = []
    for kind in kinds:
        period = periods.get(kind)
        semesters.append(
            ScheduleSemester(
                kind=kind,
                period=period,
                items=[i for i in items if i.period_kind == kind],
                events=by_period.get(period.pk, []) if period is not None else [],
            )
        )
    return Schedule(plan=plan, semesters=semesters, year_events=by_period.get(None, []))
