"""The registrar's admission API (mounted by config.api).

``GET /admission/applications``: the caller's own applications for distance study; for the
admission committee (role ``admission``, the registrar, the administrator) the queue instead
(``?status=submitted`` by default, ``all`` for every status but drafts; ``?mine=true`` gives a
committee member their own). ``GET /orders/{id}``: a rector's order with its lines, for the
rector's office, the registrar, the administrator and the admission committee; a student named
in a registered order gets it with their own line only; anyone else 403 ``permission_denied``
(also for an order that does not exist, so nothing leaks), an order reader 404 ``not_found``.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from qashyq.accounts.api import AUTH
from qashyq.core.api import ErrorOut
from qashyq.core.errors import NotFound, PermissionDenied

from . import contracts
from .models import ApplicationStatus
from .policies import admission as policies
from .selectors import admission as selectors

router = Router(tags=["registrar"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ApplicationOut(Schema):
    id: int
    applicant_id: int
    applicant_name: str
    program_code: str
    ground: str
    ground_label: str
    disability_group: int | None
    funding: str
    status: str
    status_label: str
    submitted_at: str | None
    decided_at: str | None
    decision_note: str
    contract_ok: bool
    draft_plan_id: int | None


class OrderLineOut(Schema):
    number: int
    student_id: int
    full_name: str
    program_code: str | None
    ground: str
    ground_label: str
    application_id: int | None


class OrderOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    number: str
    signed_on: str | None
    effective_on: str | None
    applied_at: str | None
    extract: bool
    lines: list[OrderLineOut]


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _application(a) -> dict:
    return {
        "id": a.pk,
        "applicant_id": a.applicant_id,
        "applicant_name": a.applicant.full_name,
        "program_code": a.program.code,
        "ground": a.ground,
        "ground_label": str(a.get_ground_display()),
        "disability_group": a.disability_group,
        "funding": a.funding,
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "submitted_at": _iso(a.submitted_at),
        "decided_at": _iso(a.decided_at),
        "decision_note": a.decision_note,
        "contract_ok": contracts.contract_ok(a),
        "draft_plan_id": a.draft_plan_id,
    }


@router.get("/admission/applications", response={200: list[ApplicationOut], **ERRORS}, auth=AUTH)
def applications(request: HttpRequest, status: str = "", mine: bool = False):
    user = request.user
    if mine or not policies.can_review_applications(user):
        rows = selectors.applications_of(user)
    else:
        wanted = status or ApplicationStatus.SUBMITTED
        if wanted != "all" and wanted not in ApplicationStatus.values:
            raise NotFound(_("There is no such status."))
        rows = selectors.application_queue(None if wanted == "all" else wanted)
    return [_application(a) for a in rows]


@router.get("/orders/{order_id}", response={200: OrderOut, **ERRORS}, auth=AUTH)
def order(request: HttpRequest, order_id: int):
    user = request.user
    try:
        found = selectors.order_for_page(order_id)
    except NotFound:
        if policies.can_view_orders(user):
            raise
        raise PermissionDenied(_("You may not see this order.")) from None
    student_ids = selectors.order_student_ids(found)
    if not policies.can_view_order_extract(user, found, student_ids):
        raise PermissionDenied(_("You may not see this order."))
    extract = not policies.can_view_order(user, found)
    rows = selectors.order_rows(found, only_student_id=user.pk if extract else None)
    return {
        "id": found.pk,
        "kind": found.kind,
        "kind_label": str(found.get_kind_display()),
        "status": found.status,
        "number": found.number,
        "signed_on": _iso(found.signed_on),
        "effective_on": _iso(found.effective_on),
        "applied_at": _iso(found.applied_at),
        "extract": extract,
        "lines": [
            {
                "number": row.number,
                "student_id": row.line.student_id,
                "full_name": row.student.full_name,
                "program_code": row.program.code if row.program is not None else None,
                "ground": row.line.ground,
                "ground_label": row.ground,
                "application_id": row.line.application_id,
            }
            for row in rows
        ],
    }
