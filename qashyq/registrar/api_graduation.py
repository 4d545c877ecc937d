"""The registrar's graduation API (mounted by config.api).

``GET /students/{student_id}/graduation``: whether the student may graduate in the current
academic year, each condition with the reasons it fails (in the caller's language), the plan
disciplines with their latest letters, the credits passed and required, and the final attestation
events with the student's results. Readers: the student themself, the registrar (site-wide or for
the student's faculty), the administrator and the program leader of the student's program.
Anyone else: 403 ``permission_denied`` (also for a student id that does not exist, so that
nothing leaks); the registrar gets 404 ``not_found`` for no such student.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from qashyq.accounts.api import AUTH
from qashyq.core.api import ErrorOut

from . import access
from .policies import graduation as policies
from .selectors import graduation as selectors

router = Router(tags=["registrar"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ConditionOut(Schema):
    code: str
    label: str
    ok: bool
    reasons: list[str]


class DisciplineOut(Schema):
    discipline_id: int
    code: str
    name_kk: str
    name_ru: str
    name_en: str
    credits: int
    letter: str
    passed: bool
    practice: bool


class AttestationOut(Schema):
    event_id: int
    kind: str
    format: str
    starts_at: str
    percent: float | None
    letter: str
    passed: bool


class EligibilityOut(Schema):
    student_id: int
    program_code: str
    academic_year: str | None
    eligible: bool
    credits_passed: int
    credits_required: int
    conditions: list[ConditionOut]
    disciplines: list[DisciplineOut]
    attestation: list[AttestationOut]


@router.get(
    "/students/{student_id}/graduation", response={200: EligibilityOut, **ERRORS}, auth=AUTH
)
def graduation(request: HttpRequest, student_id: int):
    profile = access.profile_for(request.user, student_id, policies.can_view_eligibility)
    e = selectors.graduation_check(student_id, profile=profile)
    return {
        "student_id": student_id,
        "program_code": profile.program.code,
        "academic_year": e.year.title if e.year else None,
        "eligible": e.eligible,
        "credits_passed": e.credits_passed,
        "credits_required": e.credits_required,
        "conditions": [
            {"code": c.code, "label": str(c.label), "ok": c.ok, "reasons": c.reasons}
            for c in e.conditions
        ],
        "disciplines": [
            {
                "discipline_id": d.discipline.pk,
                "code": d.discipline.code,
                "name_kk": d.discipline.name_kk,
                "name_ru": d.discipline.name_ru,
                "name_en": d.discipline.name_en,
                "credits": d.credits,
                "letter": d.letter,
                "passed": d.passed,
                "practice": d.is_practice,
            }
            for d in e.disciplines
        ],
        "attestation": [
            {
                "event_id": a.event.pk,
                "kind": a.event.kind,
                "format": a.event.format,
                "starts_at": a.event.starts_at.isoformat(),
                "percent": float(a.result.percent) if a.result else None,
                "letter": a.result.letter if a.result else "",
                "passed": a.passed,
            }
            for a in e.attestation
        ],
    }
