"""Individual study plans (IUP) over the API.

``GET /students/{student_id}/iup?year=<title>``: the student's plan for the academic year
(``2026-2027``; the current year when omitted) with its disciplines, the credits per semester and
in the year, the year's credit limits and the status. Readers: the student themself, the program
leader of the plan's program, the registrar (site-wide or of the program's faculty) and the
administrator. Anyone else: 403 ``permission_denied``, also when the student has no plan that
year (nothing leaks); a reader in scope gets 404 ``not_found`` for no plan. An unknown year is
404 for everyone.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from qashyq.accounts.api import AUTH
from qashyq.core.api import ErrorOut
from qashyq.core.errors import NotFound, PermissionDenied

from .policies import iup as policies
from .selectors import iup as selectors

router = Router(tags=["registrar"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ItemOut(Schema):
    discipline_id: int
    discipline_code: str
    name: str
    name_kk: str
    name_ru: str
    name_en: str
    semester: str
    component: str
    credits: int
    offering_id: int | None
    offering_language: str | None


class SemesterOut(Schema):
    semester: str
    credits: int
    limit: int


class LimitsOut(Schema):
    max_credits_per_semester: int
    max_credits_per_year: int
    min_credits_per_year: int


class PlanOut(Schema):
    id: int
    student_id: int
    full_name: str
    academic_year: str
    program_code: str
    year_of_study: int
    status: str
    status_label: str
    submitted_at: str | None
    decided_at: str | None
    decision_note: str
    total_credits: int
    under_minimum: bool
    limits: LimitsOut
    semesters: list[SemesterOut]
    items: list[ItemOut]


def _denied():
    return PermissionDenied(_("You may not see this student's study plan."))


def _no_plan(user, student_id: int):
    if user.pk == student_id:
        return NotFound(_("There is no study plan for this year."))
    profile = selectors.student_profile_of(student_id)
    if profile is not None:
        program = selectors.program_for_page(profile.program_id)
        if policies.is_leader_of(user, program) or policies.is_registrar_of(user, program):
            return NotFound(_("There is no study plan for this year."))
    return _denied()


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


@router.get("/students/{student_id}/iup", response={200: PlanOut, **ERRORS}, auth=AUTH)
def student_iup(request: HttpRequest, student_id: int, year: str = ""):
    academic_year = selectors.year_by_title(year) if year else selectors.current_year()
    if academic_year is None:
        raise NotFound(_("There is no such academic year."))
    plan = selectors.plan_of(student_id, academic_year)
    if plan is None:
        raise _no_plan(request.user, student_id)
    if not policies.can_view_plan(request.user, plan):
        raise _denied()
    summary = selectors.plan_summary(plan)
    limits = summary.limits
    return {
        "id": plan.pk,
        "student_id": plan.student_id,
        "full_name": plan.student.full_name,
        "academic_year": plan.academic_year.title,
        "program_code": plan.program.code,
        "year_of_study": plan.year_of_study,
        "status": plan.status,
        "status_label": str(plan.get_status_display()),
        "submitted_at": _iso(plan.submitted_at),
        "decided_at": _iso(plan.decided_at),
        "decision_note": plan.decision_note,
        "total_credits": summary.total,
        "under_minimum": summary.under_minimum,
        "limits": {
            "max_credits_per_semester": limits.max_credits_per_semester,
            "max_credits_per_year": limits.max_credits_per_year,
            "min_credits_per_year": limits.min_credits_per_year,
        },
        "semesters": [
            {"semester": block.kind, "credits": block.credits, "limit": block.limit}
            for block in summary.semesters
        ],
        "items": [
            {
                "discipline_id": item.discipline_id,
                "discipline_code": item.discipline.code,
                "name": item.discipline.name,
                "name_kk": item.discipline.name_kk,
                "name_ru": item.discipline.name_ru,
                "name_en": item.discipline.name_en,
                "semester": item.period_kind,
                "component": item.component,
                "credits": item.credits,
                "offering_id": item.offering_id,
                "offering_language": item.offering.language if item.offering else None,
            }
            for item in summary.items
        ],
    }
