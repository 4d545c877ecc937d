"""Academic debts and summer registrations over the API (mounted by config.api).

* ``GET /students/{student_id}/debts``: the disciplines the student owes (latest attempt FX or
  F): the student, the registrar (site-wide or for the student's faculty), the administrator,
  a linked parent. Anyone else gets 403 (also for a student who does not exist).
* ``GET /summer/{summer_id}/registrations``: a student gets their own, the registrar all.
* ``POST /summer/{summer_id}/registrations`` ``{"discipline_id", "reason"}``: the student
  registers (``reason`` is ``debt`` or ``ahead``); over the cap ``validation_failed`` with the
  numbers in the message; outside the window 409 ``registration_closed``.
* ``DELETE /summer/{summer_id}/registrations/{registration_id}``: the student cancels while the
  window is open.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from qashyq.accounts.api import AUTH
from qashyq.core.api import ErrorOut
from qashyq.core.errors import NotFound, PermissionDenied

from . import access
from .policies import summer as policies
from .selectors import summer as selectors
from .services import summer as services

router = Router(tags=["registrar"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
ACTION_ERRORS = {400: ErrorOut, 409: ErrorOut, 422: ErrorOut, **ERRORS}


class PeriodOut(Schema):
    id: int
    academic_year: str
    kind: str


class DebtOut(Schema):
    discipline_id: int
    discipline_code: str
    name_kk: str
    name_ru: str
    name_en: str
    kind: str
    credits: int
    period: PeriodOut


class DebtsOut(Schema):
    student_id: int
    credits: int
    debts: list[DebtOut]


class RegistrationOut(Schema):
    id: int
    summer_id: int
    student_id: int
    discipline_id: int
    discipline_code: str
    credits: int
    reason: str
    status: str
    offering_id: int | None


class RegistrationIn(Schema):
    discipline_id: int
    reason: str


def _period(period) -> dict:
    return {"id": period.pk, "academic_year": period.year.title, "kind": period.kind}


def _registration(reg) -> dict:
    return {
        "id": reg.pk,
        "summer_id": reg.summer_id,
        "student_id": reg.student_id,
        "discipline_id": reg.discipline_id,
        "discipline_code": reg.discipline.code,
        "credits": reg.credits,
        "reason": reg.reason,
        "status": reg.status,
        "offering_id": reg.offering_id,
    }


@router.get("/students/{student_id}/debts", response={200: DebtsOut, **ERRORS}, auth=AUTH)
def student_debts(request: HttpRequest, student_id: int):
    access.profile_for(request.user, student_id, policies.can_view_debts)
    debts = selectors.academic_debts(student_id)
    return {
        "student_id": student_id,
        "credits": sum(d.credits for d in debts),
        "debts": [
            {
                "discipline_id": d.discipline.pk,
                "discipline_code": d.discipline.code,
                "name_kk": d.discipline.name_kk,
                "name_ru": d.discipline.name_ru,
                "name_en": d.discipline.name_en,
                "kind": d.kind,
                "credits": d.credits,
                "period": _period(d.period),
            }
            for d in debts
        ],
    }


@router.get(
    "/summer/{summer_id}/registrations",
    response={200: list[RegistrationOut], **ERRORS},
    auth=AUTH,
)
def summer_registrations(request: HttpRequest, summer_id: int):
    """Live and cancelled registrations, by discipline code: the registrar gets every
    student's, a student their own."""
    summer = selectors.summer_semester(summer_id)
    if policies.can_manage_summer(request.user):
        regs = selectors.registrations_for_summer(summer)
    elif selectors.is_student(request.user.pk):
        regs = selectors.registrations_for_summer(summer, student_id=request.user.pk)
    else:
        raise PermissionDenied(_("Only the registrar and students see summer registrations."))
    return [_registration(reg) for reg in regs]


@router.post(
    "/summer/{summer_id}/registrations",
    response={201: RegistrationOut, **ACTION_ERRORS},
    auth=AUTH,
)
def summer_register(request: HttpRequest, summer_id: int, payload: RegistrationIn):
    summer = selectors.summer_semester(summer_id)
    discipline = selectors.discipline(payload.discipline_id)
    reg = services.summer_register(
        actor=request.user, summer=summer, discipline=discipline, reason=payload.reason
    )
    return Status(201, _registration(reg))


@router.delete(
    "/summer/{summer_id}/registrations/{registration_id}",
    response={200: RegistrationOut, **ACTION_ERRORS},
    auth=AUTH,
)
def summer_cancel(request: HttpRequest, summer_id: int, registration_id: int):
    reg = selectors.registration(registration_id)
    if reg.summer_id != summer_id:
        raise NotFound(_("There is no such registration."))
    if reg.student_id != request.user.pk:
        raise PermissionDenied(_("Only the student cancels their own registration."))
    reg = services.summer_cancel(actor=request.user, registration=reg)
    return _registration(reg)
