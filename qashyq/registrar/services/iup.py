"""Writes of individual study plans (IUP): start a plan, choose electives, submit, approve,
return, reopen, and enrol the student in course offerings as the approved plan says.

Every function checks the actor through ``registrar.policies.iup`` and runs under one
transaction; bad input raises a ``qashyq.core.errors`` error and changes nothing. Decisions are
written to the audit log. See docs/subsystems/iup.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qashyq.academics.models import (
    AcademicPeriod,
    AcademicYear,
    CourseOffering,
    Enrollment,
    PlanComponent,
    Program,
)
from qashyq.core.errors import Conflict, PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record

from ..models import IndividualPlan, IndividualPlanItem, PlanStatus
from ..policies import iup as policies
from ..selectors import iup as selectors

NOTE_MAX = 2000


def _require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You may not change this study plan."))


def _locked(plan: IndividualPlan) -> IndividualPlan:
    """The plan re-read under a row lock (the state another request may just have changed)."""
    fresh = IndividualPlan.objects.select_for_update().get(pk=plan.pk)
    plan.status = fresh.status
    return plan


def _program_with_department(program) -> Program:
    if Program.department.is_cached(program):
        return program
    return Program.objects.select_related("department").get(pk=program.pk)


# --- credit limits ---------------------------------------------------------------------------


def check_credit_limits(totals: dict[str, int], limits) -> None:
    """ValidationFailed naming the semester (or the year) and the numbers when the plan would
    be over a cap. Under the yearly minimum is only a warning (``PlanSummary.under_minimum``)."""
    for kind in sorted(totals):
        credits = totals[kind]
        if credits > limits.max_credits_per_semester:
            raise ValidationFailed(
                _(
                    "%(semester)s would have %(credits)s credits; at most %(limit)s are allowed "
                    "in a semester."
                )
                % {
                    "semester": selectors.semester_label(kind),
                    "credits": credits,
                    "limit": limits.max_credits_per_semester,
                },
                code="iup_over_semester_cap",
                details={
                    "semester": kind,
                    "credits": credits,
                    "limit": limits.max_credits_per_semester,
                },
            )
    total = sum(totals.values())
    if total > limits.max_credits_per_year:
        raise ValidationFailed(
            _("The year would have %(credits)s credits; at most %(limit)s are allowed in a year.")
            % {"credits": total, "limit": limits.max_credits_per_year},
            code="iup_over_year_cap",
            details={"credits": total, "limit": limits.max_credits_per_year},
        )


# --- start -----------------------------------------------------------------------------------


def iup_start(*, actor, student, academic_year, program, year_of_study) -> IndividualPlan:
    """The student's plan for ``academic_year``: a DRAFT prefilled with the mandatory and
    university-component disciplines of the terms of ``year_of_study`` in ``program``'s study
    plan. Returns the existing plan when the student already has one for that year (whatever
    its program). The student may have no StudentProfile yet (an applicant)."""
    program = _program_with_department(program)
    _require(
        policies.can_start_plan(actor, student, program),
        _("You may not start a study plan for this student."),
    )
    if actor.pk == student.pk and not policies.can_start_for_others(actor, program):
        profile = selectors.student_profile_of(student.pk)
        _require(
            # an applicant (no profile yet) drafts the plan of the program applied to
            profile is None or profile.program_id == program.pk,
            _("A student draws up a plan of their own program only."),
        )
    existing = IndividualPlan.objects.filter(student=student, academic_year=academic_year).first()
    if existing is not None:
        return existing
    allowed_years = {year.pk for year in selectors.plan_years()}
    if academic_year.pk not in allowed_years:
        raise ValidationFailed(
            _("A study plan is drawn up for the current academic year or the next one only."),
            code="iup_year_closed",
        )
    if not 1 <= year_of_study <= max(program.duration_years, 1):
        raise ValidationFailed(
            _("The program %(program)s has no year of study %(year)s.")
            % {"program": program.code, "year": year_of_study},
            code="iup_no_such_year_of_study",
        )
    try:
        with transaction.atomic():
            plan = IndividualPlan.objects.create(
                student=student,
                academic_year=academic_year,
                program=program,
                year_of_study=year_of_study,
                status=PlanStatus.DRAFT,
            )
            entries = selectors.plan_entries(program, selectors.terms_of(year_of_study))
            IndividualPlanItem.objects.bulk_create(
                [
                    IndividualPlanItem(
                        plan=plan,
                        discipline=entry.discipline,
                        period_kind=entry.period_kind,
                        credits=entry.discipline.credits,
                        component=entry.component,
                        plan_entry=entry,
                    )
                    for entry in entries
                    if entry.component in selectors.PREFILLED
                ]
            )
    except IntegrityError:
        # Another request started the same plan in the meantime: that one is the plan.
        return IndividualPlan.objects.get(student=student, academic_year=academic_year)
    return plan


# --- the student's choices -------------------------------------------------------------------


@transaction.atomic
def iup_set_electives(*, actor, plan: IndividualPlan, entries) -> IndividualPlan:
    """Make the plan's electives exactly ``entries`` (elective entries of the plan's program in
    the plan's terms). Over a credit cap: ValidationFailed, nothing changed."""
    _locked(plan)
    _require(
        policies.can_edit_plan(actor, plan),
        _("Only the student changes the electives, while the plan is a draft or returned."),
    )
    entries = list(entries)
    terms = set(selectors.terms_of(plan.year_of_study))
    for entry in entries:
        if (
            entry.program_id != plan.program_id
            or entry.component != PlanComponent.ELECTIVE
            or entry.term not in terms
        ):
            raise ValidationFailed(
                _("%(code)s is not an elective of this plan's year.")
                % {"code": entry.discipline.code},
                code="iup_not_an_elective",
            )
    current = list(plan.items.select_related("discipline"))
    fixed = [i for i in current if i.component != PlanComponent.ELECTIVE]
    fixed_disciplines = {i.discipline_id for i in fixed}
    wanted = {e.discipline_id: e for e in entries if e.discipline_id not in fixed_disciplines}
    totals = selectors.totals_by_semester(fixed)
    for entry in wanted.values():
        totals[entry.period_kind] = totals.get(entry.period_kind, 0) + entry.discipline.credits
    check_credit_limits(totals, selectors.credit_limits(plan.academic_year))
    electives = {i.discipline_id: i for i in current if i.component == PlanComponent.ELECTIVE}
    gone = [i.pk for d, i in electives.items() if d not in wanted]
    if gone:
        IndividualPlanItem.objects.filter(pk__in=gone).delete()
    IndividualPlanItem.objects.bulk_create(
        [
            IndividualPlanItem(
                plan=plan,
                discipline=entry.discipline,
                period_kind=entry.period_kind,
                credits=entry.discipline.credits,
                component=PlanComponent.ELECTIVE,
                plan_entry=entry,
            )
            for discipline_id, entry in wanted.items()
            if discipline_id not in electives
        ]
    )
    plan.save(update_fields=["updated_at"])
    return plan


@transaction.atomic
def iup_submit(*, actor, plan: IndividualPlan) -> selectors.PlanSummary:
    """DRAFT or RETURNED → SUBMITTED. Every elective group must have at least its credits
    chosen and no cap may be exceeded. Returns the summary (``under_minimum`` is the warning)."""
    _locked(plan)
    _require(
        policies.can_edit_plan(actor, plan),
        _("Only the student submits the plan, while it is a draft or returned."),
    )
    plan = selectors.plan_for_page(plan.pk)
    summary = selectors.plan_summary(plan)
    if not summary.items:
        raise ValidationFailed(_("The plan has no disciplines."), code="iup_empty")
    check_credit_limits({s.kind: s.credits for s in summary.semesters}, summary.limits)
    missing = summary.missing_groups
    if missing:
        group = missing[0]
        raise ValidationFailed(
            _(
                "Elective group %(group)s (%(semester)s): choose at least %(required)s credits; "
                "%(chosen)s chosen."
            )
            % {
                "group": group.key,
                "semester": selectors.semester_label(group.period_kind),
                "required": group.credits_to_choose,
                "chosen": group.chosen_credits,
            },
            code="iup_elective_group_short",
            details={"group": group.key, "term": group.term},
        )
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.save(update_fields=["status", "submitted_at", "updated_at"])
    return summary


# --- decisions -------------------------------------------------------------------------------


def _note(value: str, *, required: bool, message: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(message, code="iup_note_required")
    if len(value) > NOTE_MAX:
        raise ValidationFailed(
            _("The note is too long (at most %(max)s characters).") % {"max": NOTE_MAX}
        )
    return value


def _decide(plan, *, actor, status: str, note: str, action: str) -> None:
    old = plan.status
    plan.status = status
    plan.decided_at = timezone.now()
    plan.decided_by = actor
    plan.decision_note = note
    plan.save(update_fields=["status", "decided_at", "decided_by", "decision_note", "updated_at"])
    audit_record(
        actor=actor,
        action=action,
        obj=plan,
        old={"status": old},
        new={"status": status},
        reason=note,
    )


@dataclass
class EnrolmentResult:
    plan: IndividualPlan
    enrolled: list[IndividualPlanItem] = field(default_factory=list)
    already: list[IndividualPlanItem] = field(default_factory=list)
    missing: list[IndividualPlanItem] = field(default_factory=list)


@transaction.atomic
def iup_approve(*, actor, plan: IndividualPlan, note: str = "") -> EnrolmentResult:
    """SUBMITTED → APPROVED (audit-logged), then enrol the student as the plan says."""
    _locked(plan)
    _require(policies.can_decide_plan(actor, plan), _("You may not decide on this study plan."))
    if plan.status != PlanStatus.SUBMITTED:
        raise Conflict(_("Only a submitted plan can be approved."), code="iup_not_submitted")
    note = _note(note, required=False, message="")
    _decide(plan, actor=actor, status=PlanStatus.APPROVED, note=note, action="iup.approve")
    return iup_enrol(actor=actor, plan=plan)


@transaction.atomic
def iup_return(*, actor, plan: IndividualPlan, note: str) -> IndividualPlan:
    """SUBMITTED → RETURNED with a note saying what to change (audit-logged)."""
    _locked(plan)
    _require(policies.can_decide_plan(actor, plan), _("You may not decide on this study plan."))
    if plan.status != PlanStatus.SUBMITTED:
        raise Conflict(_("Only a submitted plan can be returned."), code="iup_not_submitted")
    note = _note(note, required=True, message=_("Say what the student should change."))
    _decide(plan, actor=actor, status=PlanStatus.RETURNED, note=note, action="iup.return")
    return plan


@transaction.atomic
def iup_reopen(*, actor, plan: IndividualPlan, reason: str) -> IndividualPlan:
    """APPROVED → RETURNED, by the program leader, with a reason (audit-logged). Enrolments
    already made stay; the next approval enrols in what was added."""
    _locked(plan)
    _require(
        policies.can_reopen_plan(actor, plan),
        _("Only the program leader reopens an approved plan."),
    )
    if plan.status != PlanStatus.APPROVED:
        raise Conflict(_("Only an approved plan can be reopened."), code="iup_not_approved")
    reason = _note(reason, required=True, message=_("Say why the plan is reopened."))
    _decide(plan, actor=actor, status=PlanStatus.RETURNED, note=reason, action="iup.reopen")
    return plan


# --- enrolment -------------------------------------------------------------------------------


def _pick_offering(offerings: list[CourseOffering], language: str | None, group_id):
    """The student's group's language first, then an offering the group is attached to, then
    the first one (by language code)."""
    if not offerings:
        return None
    for offering in offerings:
        if language and offering.language == language:
            return offering
    for offering in offerings:
        if group_id is not None and any(g.pk == group_id for g in offering.groups.all()):
            return offering
    return sorted(offerings, key=lambda o: o.language)[0]


@transaction.atomic
def iup_enrol(*, actor, plan: IndividualPlan) -> EnrolmentResult:
    """Enrol the student of an approved plan in the course offering of each discipline, in the
    plan year's period of the item's kind; set ``item.offering``. Items with no offering are
    reported in ``missing``. Running it again changes nothing."""
    plan = selectors.plan_for_page(plan.pk)
    _require(policies.can_decide_plan(actor, plan), _("You may not enrol from this plan."))
    if plan.status != PlanStatus.APPROVED:
        raise Conflict(_("Enrolment follows an approved plan only."), code="iup_not_approved")
    result = EnrolmentResult(plan=plan)
    items = list(plan.items.all())
    if not items:
        return result
    profile = selectors.student_profile_of(plan.student_id)
    group = profile.group if profile is not None else None
    language = group.language if group is not None else None
    periods = {p.kind: p.pk for p in AcademicPeriod.objects.filter(year_id=plan.academic_year_id)}
    offerings: dict[tuple[int, int], list[CourseOffering]] = {}
    for offering in CourseOffering.objects.filter(
        period_id__in=list(periods.values()),
        discipline_id__in=[i.discipline_id for i in items],
    ).prefetch_related("groups"):
        offerings.setdefault((offering.discipline_id, offering.period_id), []).append(offering)
    enrolled = set(
        Enrollment.objects.filter(
            student_id=plan.student_id,
            offering__period_id__in=list(periods.values()),
        ).values_list("offering_id", flat=True)
    )
    for item in items:
        offering = item.offering
        if offering is None or offering.period_id not in periods.values():
            period_id = periods.get(item.period_kind)
            offering = _pick_offering(
                offerings.get((item.discipline_id, period_id), []),
                language,
                group.pk if group is not None else None,
            )
        if offering is None:
            result.missing.append(item)
            continue
        if offering.pk in enrolled:
            result.already.append(item)
        else:
            Enrollment.objects.get_or_create(
                offering=offering,
                student_id=plan.student_id,
                defaults={"group": group},
            )
            enrolled.add(offering.pk)
            result.enrolled.append(item)
        if item.offering_id != offering.pk:
            item.offering = offering
            item.save(update_fields=["offering"])
    return result


@dataclass
class ProgramEnrolment:
    program: Program
    academic_year: AcademicYear
    results: list[EnrolmentResult]

    @property
    def enrolled_count(self) -> int:
        return sum(len(r.enrolled) for r in self.results)

    @property
    def missing_count(self) -> int:
        return sum(len(r.missing) for r in self.results)


@transaction.atomic
def iup_enrol_program(*, actor, program, academic_year) -> ProgramEnrolment:
    """Run ``iup_enrol`` for every approved plan of ``program`` in ``academic_year``."""
    program = _program_with_department(program)
    _require(
        policies.can_enrol_program(actor, program),
        _("Only the registrar runs the enrolment of a program."),
    )
    results = [
        iup_enrol(actor=actor, plan=plan)
        for plan in selectors.approved_plans(program, academic_year)
    ]
    return ProgramEnrolment(program=program, academic_year=academic_year, results=results)
