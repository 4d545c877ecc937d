"""Transcripts and GPA over the API.

``GET /students/{student_id}/transcript``: every attempt of every discipline with credits, ECTS,
letter, points, percent, the retake flag and the period, and the GPA per period and overall;
the student themself, the registrar (site-wide or for the student's faculty) and the
administrator. ``GET /students/{student_id}/gpa``: the GPA per period and cumulative; the same
readers and a linked parent. Anyone else: 403 ``permission_denied`` (also for a student id that
does not exist, so that nothing leaks); the registrar gets 404 ``not_found`` for no such student.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from qashyq.accounts.api import AUTH
from qashyq.core.api import ErrorOut

from . import access, gpa, policies, selectors

router = Router(tags=["registrar"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _number(value) -> float | None:
    return None if value is None else float(value)


class PeriodOut(Schema):
    id: int
    academic_year: str
    kind: str
    starts_on: str


class PeriodGpaOut(Schema):
    period: PeriodOut
    gpa: float | None
    cumulative_gpa: float | None


class GpaOut(Schema):
    student_id: int
    gpa: float | None
    credits_earned: int
    periods: list[PeriodGpaOut]


class AttemptOut(Schema):
    discipline_id: int
    discipline_code: str
    name_kk: str
    name_ru: str
    name_en: str
    period: PeriodOut
    attempt: str
    retake: bool
    counted_in_gpa: bool
    credits: int
    ects: float
    percent: float | None
    letter: str
    points: float


class TranscriptOut(Schema):
    student_id: int
    full_name: str
    student_number: str
    program_code: str
    gpa: float | None
    credits_earned: int
    periods: list[PeriodGpaOut]
    attempts: list[AttemptOut]


def _period(period) -> dict:
    return {
        "id": period.pk,
        "academic_year": period.year.title,
        "kind": period.kind,
        "starts_on": period.starts_on.isoformat(),
    }


@router.get("/students/{student_id}/transcript", response={200: TranscriptOut, **ERRORS}, auth=AUTH)
def transcript(request: HttpRequest, student_id: int):
    profile = access.profile_for(request.user, student_id, policies.can_view_transcript)
    record = selectors.transcript(student_id, profile)
    return {
        "student_id": student_id,
        "full_name": record.student.full_name,
        "student_number": profile.student_number,
        "program_code": profile.program.code,
        "gpa": _number(gpa.rounded(record.gpa)),
        "credits_earned": record.credits_earned,
        "periods": [
            {
                "period": _period(block.period),
                "gpa": _number(gpa.rounded(block.gpa)),
                "cumulative_gpa": _number(gpa.rounded(block.cumulative_gpa)),
            }
            for block in record.periods
        ],
        "attempts": [
            {
                "discipline_id": row.discipline.pk,
                "discipline_code": row.discipline.code,
                "name_kk": row.discipline.name_kk,
                "name_ru": row.discipline.name_ru,
                "name_en": row.discipline.name_en,
                "period": _period(row.period),
                "attempt": row.grade.attempt_kind,
                "retake": row.retake,
                "counted_in_gpa": row.counted,
                "credits": row.grade.credits,
                "ects": float(row.grade.ects),
                "percent": _number(row.grade.percent),
                "letter": row.grade.letter,
                "points": float(row.grade.points),
            }
            for row in record.rows
        ],
    }


@router.get("/students/{student_id}/gpa", response={200: GpaOut, **ERRORS}, auth=AUTH)
def student_gpa(request: HttpRequest, student_id: int):
    access.profile_for(request.user, student_id, policies.can_view_gpa)
    summary = selectors.gpa_summary(student_id)
    return {
        "student_id": student_id,
        "gpa": _number(gpa.rounded(summary["cumulative"])),
        "credits_earned": summary["credits_earned"],
        "periods": [
            {
                "period": _period(period),
                "gpa": _number(gpa.rounded(period_gpa)),
                "cumulative_gpa": _number(gpa.rounded(cumulative)),
            }
            for period, period_gpa, cumulative in summary["periods"]
        ],
    }
