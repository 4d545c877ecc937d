"""The e-journal over the API.

``GET /courses/{course_id}/journal``: the scheme and the rows; the course's tutors, the registrar
and the academic staff whose scope covers the course get every row, a student only their own row
and a parent only their children's (403 for anyone else).
``PATCH /courses/{course_id}/journal/{student_id}``: any of ``tk1``, ``rk1``, ``tk2``, ``rk2``,
``exam`` (numbers or null; a field left out is left alone), all or nothing; tutors of the course
and the registrar only. Errors are JSON with stable codes (``mark_out_of_range``,
``mark_too_precise``, ``permission_denied``, ``not_enrolled``, ``nothing_to_change``; a value
that is not a number is a 422 ``validation_failed``).
"""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from qashyq.accounts.api import AUTH, PersonOut
from qashyq.core.api import ErrorOut
from qashyq.core.errors import PermissionDenied

from . import policies, selectors, services
from .models import COLUMNS, GradingScheme

router = Router(tags=["journal"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


class ScaleRowOut(Schema):
    letter: str
    points: float
    min_percent: float
    max_percent: float


class SchemeOut(Schema):
    id: int | None = Field(..., description="null before the default scheme is saved")
    name: str
    version: int
    admission_weight: float
    exam_weight: float
    admission_threshold: float
    exam_minimum: float
    rounding: str
    fx_in_gpa: bool
    fx_points: float
    first_half_weeks: int
    weeks: int
    week_close_days: int
    scale: list[ScaleRowOut]


class SourceOut(Schema):
    source: str = Field(
        ..., description="manual, test, assignment, import, aggregated; empty for an empty cell"
    )
    source_ref: str


class WeeklyOut(Schema):
    week: int
    value: float
    source: str
    source_ref: str


class JournalRowOut(Schema):
    student: PersonOut
    group_id: int | None
    tk1: float | None
    rk1: float | None
    tk2: float | None
    rk2: float | None
    exam: float | None
    sources: dict[str, SourceOut] = Field(..., description="Where each column's value came from")
    weekly: list[WeeklyOut]
    r1: float | None
    r2: float | None
    admission_rating: float | None
    admitted: bool | None
    final_percent: float | None
    letter: str | None
    points: float | None


class JournalOut(Schema):
    course_id: int
    scheme: SchemeOut
    can_edit: bool
    rows: list[JournalRowOut]


class JournalRowIn(Schema):
    tk1: Decimal | None = None
    rk1: Decimal | None = None
    tk2: Decimal | None = None
    rk2: Decimal | None = None
    exam: Decimal | None = None
    reason: str = Field("", max_length=2000, description="Why the marks change (audit log)")


def _scheme(scheme: GradingScheme) -> dict:
    rules = scheme.rules()
    return {
        "id": scheme.pk,
        "name": scheme.name,
        "version": scheme.version,
        "admission_weight": scheme.admission_weight,
        "exam_weight": scheme.exam_weight,
        "admission_threshold": scheme.admission_threshold,
        "exam_minimum": scheme.exam_minimum,
        "rounding": scheme.rounding,
        "fx_in_gpa": scheme.fx_in_gpa,
        "fx_points": scheme.fx_points,
        "first_half_weeks": scheme.first_half_weeks,
        "weeks": scheme.weeks,
        "week_close_days": scheme.week_close_days,
        "scale": [
            {
                "letter": row.letter,
                "points": row.points,
                "min_percent": row.min_percent,
                "max_percent": row.max_percent,
            }
            for row in rules.scale
        ],
    }


def _row(view: selectors.RowView) -> dict:
    result = view.result
    student = view.student
    return {
        "student": {"id": student.pk, "username": student.username, "full_name": student.full_name},
        "group_id": view.group_id,
        **{column: _number(view.cells[column].value) for column in COLUMNS},
        "sources": {
            column: {
                "source": view.cells[column].source,
                "source_ref": view.cells[column].source_ref,
            }
            for column in COLUMNS
        },
        "weekly": [
            {
                "week": week,
                "value": cell.value,
                "source": cell.source,
                "source_ref": cell.source_ref,
            }
            for week, cell in sorted(view.weekly.items())
        ],
        "r1": _number(result.r1),
        "r2": _number(result.r2),
        "admission_rating": _number(result.admission_rating),
        "admitted": result.admitted,
        "final_percent": _number(result.final_percent),
        "letter": result.letter,
        "points": _number(result.points),
    }


@router.get("/courses/{course_id}/journal", response={200: JournalOut, **ERRORS}, auth=AUTH)
def journal(request: HttpRequest, course_id: int):
    """The course's journal: every row for its tutors, the registrar and the academic staff
    responsible for it; a student's own row; a parent's children's rows."""
    offering = selectors.offering_for_journal(course_id)
    user = request.user
    if policies.can_view_journal(user, offering):
        scheme, rows = selectors.journal_rows(offering)
    else:
        scheme, rows = selectors.journal_rows(offering, student_ids=policies.own_row_ids(user))
        if not rows:
            raise PermissionDenied(
                _(
                    "This journal is open to the course's tutors, its students and the staff "
                    "responsible for it."
                )
            )
    return {
        "course_id": offering.pk,
        "scheme": _scheme(scheme),
        "can_edit": policies.can_edit_journal(user, offering),
        "rows": [_row(row) for row in rows],
    }


@router.patch(
    "/courses/{course_id}/journal/{student_id}",
    response={200: JournalRowOut, **ERRORS},
    auth=AUTH,
)
def journal_row_update(
    request: HttpRequest, course_id: int, student_id: int, payload: JournalRowIn
):
    """Set any of ``tk1``, ``rk1``, ``tk2``, ``rk2``, ``exam`` (0-100, at most two decimals, or
    null to empty the cell); returns the row with its computed columns. A ``tk1``/``tk2`` set
    here wins over the mean of the weekly marks; null brings the mean back."""
    offering = selectors.offering_for_journal(course_id)
    values = {
        column: getattr(payload, column) for column in COLUMNS if column in payload.model_fields_set
    }
    services.marks_set(
        actor=request.user,
        offering=offering,
        student=student_id,
        values=values,
        reason=payload.reason,
    )
    return _row(selectors.journal_row(offering, student_id))
