"""Rector's orders: draft, edit, delete a draft, register (sign), and apply to the students.

Kinds (``OrderKind``):

* ``dlt_admission`` -- admits students to distance study. Every line names an application that
  the admission committee approved (and, for paid study, with a signed contract:
  ``registrar.contracts.contract_ok``). Applying a line gives the student's ``StudentProfile``
  the application's ground and disability group (and the ground's document); an applicant with
  no profile gets one (the application's program, year 1, a generated record-book number, the
  application's funding, active, enrolled on the effective date) and the student role. The
  application becomes ``ordered``.
* ``graduation`` -- every line names a student with a profile; applying it sets the profile's
  status to ``graduated``.

A draft may be edited and deleted. A registered order (number, date, effective date) never
changes again. It applies to the students once (``applied_at``): at once when registered with an
effective date today or earlier, else through the periodic job ``orders_apply_due``
(``registrar/periodic.py``). Every step is written to the audit log; applying writes one entry
per student with the old and the new values.

Who may: ``registrar.policies.admission`` (drafting: the registrar and the administrator;
registering: they and the rector).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qashyq.academics.models import DistanceGround, StudentProfile, StudentStatus
from qashyq.accounts import services as account_services
from qashyq.accounts.roles import Role
from qashyq.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record

from .. import contracts
from ..models import (
    AdmissionApplication,
    ApplicationDocument,
    ApplicationStatus,
    DocumentKind,
    OrderKind,
    OrderLine,
    OrderStatus,
    RectorOrder,
)
from ..policies import admission as policies

logger = logging.getLogger(__name__)

User = get_user_model()

# The document that proves the ground; kept on the student's profile when the order applies.
GROUND_DOCUMENT = {
    DistanceGround.SPECIAL_NEEDS: DocumentKind.MEDICAL,
    DistanceGround.EXCHANGE_ABROAD: DocumentKind.EXCHANGE,
    DistanceGround.BUSINESS_TRIP: DocumentKind.BUSINESS_TRIP,
    DistanceGround.ADDITIONAL_EDUCATION: DocumentKind.EDUCATION,
}


@dataclass(frozen=True)
class OrderLineSpec:
    student: User  # type: ignore[valid-type]
    ground: str = ""
    application: AdmissionApplication | None = None


def _today() -> datetime.date:
    return timezone.localdate()


# --- checking lines ------------------------------------------------------------------------------


def _name(user) -> str:
    return getattr(user, "full_name", "") or str(user)


def _check_admission_line(spec: OrderLineSpec, order: RectorOrder | None) -> str | None:
    application = spec.application
    if application is None:
        return _("%(name)s: an admission order needs the student's application.") % {
            "name": _name(spec.student)
        }
    if application.applicant_id != spec.student.pk:
        return _("%(name)s: the application belongs to another person.") % {
            "name": _name(spec.student)
        }
    if application.status != ApplicationStatus.APPROVED:
        return _(
            "%(name)s: the admission committee has not approved the application "
            "(its status: %(status)s). Only approved applications go into an order."
        ) % {"name": _name(spec.student), "status": application.get_status_display()}
    if not contracts.contract_ok(application):
        return _(
            "%(name)s: paid study needs a signed contract before the order; "
            "record the contract on the application first."
        ) % {"name": _name(spec.student)}
    others = OrderLine.objects.filter(application=application)
    if order is not None:
        others = others.exclude(order=order)
    other = others.select_related("order").first()
    if other is not None:
        return _("%(name)s: the application is already in the order %(order)s.") % {
            "name": _name(spec.student),
            "order": other.order.number or _("draft #%(id)s") % {"id": other.order_id},
        }
    return None


def _check_graduation_line(spec: OrderLineSpec) -> str | None:
    if not StudentProfile.objects.filter(user_id=spec.student.pk).exists():
        return _("%(name)s is not a student.") % {"name": _name(spec.student)}
    return None


def _check_lines(kind: str, lines: Sequence[OrderLineSpec], order=None) -> None:
    if kind not in OrderKind.values:
        raise ValidationFailed(_("Unknown kind of order."), details={"kind": kind})
    if not lines:
        raise ValidationFailed(_("An order names at least one student."), code="order_empty")
    problems: list[str] = []
    seen: set[int] = set()
    for spec in lines:
        if spec.student.pk in seen:
            problems.append(
                _("%(name)s is named twice in the order.") % {"name": _name(spec.student)}
            )
            continue
        seen.add(spec.student.pk)
        if kind == OrderKind.DLT_ADMISSION:
            problem = _check_admission_line(spec, order)
        else:
            problem = _check_graduation_line(spec)
        if problem:
            problems.append(problem)
    if problems:
        raise ValidationFailed(" ".join(problems), code="order_lines_invalid", details=problems)


def _line_ground(kind: str, spec: OrderLineSpec) -> str:
    ground = (spec.ground or "").strip()
    if not ground and spec.application is not None:
        ground = spec.application.ground
    return ground[:255]


def _create_lines(order: RectorOrder, lines: Sequence[OrderLineSpec]) -> None:
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                student=spec.student,
                application=spec.application,
                ground=_line_ground(order.kind, spec),
            )
            for spec in lines
        ]
    )


def _snapshot(order: RectorOrder) -> dict:
    return {
        "kind": order.kind,
        "status": order.status,
        "number": order.number,
        "signed_on": order.signed_on.isoformat() if order.signed_on else None,
        "effective_on": order.effective_on.isoformat() if order.effective_on else None,
        "students": sorted(order.lines.values_list("student_id", flat=True)),
    }


# --- drafts --------------------------------------------------------------------------------------


def order_create_draft(
    *, actor, kind: str, lines: Sequence[OrderLineSpec], preamble: str = ""
) -> RectorOrder:
    """A new draft order with its lines. Every line is checked first; one bad line refuses the
    whole order with every problem listed, and nothing is created."""
    if not policies.can_draft_orders(actor):
        raise PermissionDenied(_("Only the registrar drafts rector's orders."))
    with transaction.atomic():
        _lock_applications(lines)
        _check_lines(kind, lines)
        order = RectorOrder.objects.create(
            kind=kind,
            status=OrderStatus.DRAFT,
            preamble=(preamble or "").strip(),
            created_by=actor,
        )
        _create_lines(order, lines)
        audit_record(actor=actor, action="order.draft_created", obj=order, new=_snapshot(order))
    return order


def _lock_applications(lines: Sequence[OrderLineSpec]) -> None:
    """Re-read the lines' applications under a row lock, so that the checks see their current
    status (a decision or a withdrawal in between cannot slip through)."""
    ids = [spec.application.pk for spec in lines if spec.application is not None]
    if not ids:
        return
    fresh = {a.pk: a for a in AdmissionApplication.objects.select_for_update().filter(pk__in=ids)}
    for spec in lines:
        if spec.application is not None and spec.application.pk in fresh:
            current = fresh[spec.application.pk]
            spec.application.status = current.status
            spec.application.contract_number = current.contract_number
            spec.application.contract_signed_on = current.contract_signed_on
            spec.application.funding = current.funding


def _locked_draft(order: RectorOrder) -> RectorOrder:
    locked = RectorOrder.objects.select_for_update().filter(pk=order.pk).first()
    if locked is None:
        raise NotFound(_("There is no such order."))
    if locked.status != OrderStatus.DRAFT:
        raise Conflict(
            _("The order № %(number)s is registered: it can no longer be changed.")
            % {"number": locked.number},
            code="order_registered",
        )
    return locked


def order_update_draft(
    *,
    actor,
    order: RectorOrder,
    lines: Sequence[OrderLineSpec] | None = None,
    preamble: str | None = None,
) -> RectorOrder:
    """Change a draft's preamble and/or replace its lines (checked like a new draft)."""
    if not policies.can_draft_orders(actor):
        raise PermissionDenied(_("Only the registrar edits rector's orders."))
    with transaction.atomic():
        locked = _locked_draft(order)
        old = _snapshot(locked)
        if lines is not None:
            _lock_applications(lines)
            _check_lines(locked.kind, lines, order=locked)
            locked.lines.all().delete()
            _create_lines(locked, lines)
        if preamble is not None:
            locked.preamble = preamble.strip()
            locked.save(update_fields=["preamble"])
        audit_record(
            actor=actor, action="order.draft_changed", obj=locked, old=old, new=_snapshot(locked)
        )
    return locked


def order_remove_line(*, actor, order: RectorOrder, student_id: int) -> RectorOrder:
    """Take one student out of a draft (an order keeps at least one line)."""
    if not policies.can_draft_orders(actor):
        raise PermissionDenied(_("Only the registrar edits rector's orders."))
    with transaction.atomic():
        locked = _locked_draft(order)
        line = locked.lines.filter(student_id=student_id).first()
        if line is None:
            raise NotFound(_("This student is not in the order."))
        if locked.lines.count() == 1:
            raise ValidationFailed(
                _("An order names at least one student; delete the draft instead."),
                code="order_empty",
            )
        old = _snapshot(locked)
        line.delete()
        audit_record(
            actor=actor, action="order.draft_changed", obj=locked, old=old, new=_snapshot(locked)
        )
    return locked


def order_delete_draft(*, actor, order: RectorOrder) -> None:
    """Delete a draft order (its applications stay approved, free for another order)."""
    if not policies.can_draft_orders(actor):
        raise PermissionDenied(_("Only the registrar deletes draft orders."))
    with transaction.atomic():
        locked = _locked_draft(order)
        old = _snapshot(locked)
        audit_record(actor=actor, action="order.draft_deleted", obj=locked, old=old)
        locked.delete()


# --- registering ---------------------------------------------------------------------------------


def _clean_dates(signed_on, effective_on) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not isinstance(signed_on, datetime.date):
        errors["signed_on"] = _("Give the date of the order.")
    if not isinstance(effective_on, datetime.date):
        errors["effective_on"] = _("Give the date the order takes effect.")
    return errors


def order_register(
    *,
    actor,
    order: RectorOrder,
    number: str,
    signed_on: datetime.date,
    effective_on: datetime.date,
) -> RectorOrder:
    """Register (sign) a draft: give it its number, its date and the date it takes effect.

    A number already used by another order is refused. The lines are checked again (an
    application must still be approved, a paid one must still have its contract). When the
    effective date is today or earlier the order applies to the students at once; a later date
    is applied by ``orders_apply_due``."""
    if not policies.can_register_order(actor, order):
        raise PermissionDenied(_("Only the rector or the registrar registers an order."))
    number = (number or "").strip()
    errors = _clean_dates(signed_on, effective_on)
    if not number:
        errors["number"] = _("Give the order's number.")
    elif len(number) > RectorOrder._meta.get_field("number").max_length:
        errors["number"] = _("The number is too long.")
    if errors:
        raise ValidationFailed(" ".join(errors.values()), details=errors)
    try:
        with transaction.atomic():
            locked = _locked_draft(order)
            if RectorOrder.objects.filter(number=number).exclude(pk=locked.pk).exists():
                raise Conflict(
                    _("The number %(number)s is already used by another order.")
                    % {"number": number},
                    code="order_number_taken",
                    details={"number": number},
                )
            lines = list(locked.lines.select_related("student", "application"))
            specs = [
                OrderLineSpec(
                    student=line.student, ground=line.ground, application=line.application
                )
                for line in lines
            ]
            _lock_applications(specs)
            _check_lines(locked.kind, specs, order=locked)
            old = _snapshot(locked)
            locked.number = number
            locked.signed_on = signed_on
            locked.effective_on = effective_on
            locked.status = OrderStatus.REGISTERED
            locked.registered_by = actor
            locked.registered_at = timezone.now()
            locked.save(
                update_fields=[
                    "number",
                    "signed_on",
                    "effective_on",
                    "status",
                    "registered_by",
                    "registered_at",
                ]
            )
            audit_record(
                actor=actor, action="order.registered", obj=locked, old=old, new=_snapshot(locked)
            )
            if effective_on <= _today():
                _apply(locked, actor=actor)
    except IntegrityError:
        # Two registrars registering the same number at the same moment: the unique constraint
        # refuses the second one.
        raise Conflict(
            _("The number %(number)s is already used by another order.") % {"number": number},
            code="order_number_taken",
            details={"number": number},
        ) from None
    return locked


# --- applying ------------------------------------------------------------------------------------


def _new_student_number(on: datetime.date) -> str:
    """A record-book number not used yet: ``DL<yy><nnnn>``."""
    prefix = f"DL{on:%y}"
    used = set(
        StudentProfile.objects.filter(student_number__startswith=prefix).values_list(
            "student_number", flat=True
        )
    )
    n = len(used) + 1
    while f"{prefix}{n:04d}" in used:
        n += 1
    return f"{prefix}{n:04d}"


def _ground_document(application: AdmissionApplication) -> str:
    kind = GROUND_DOCUMENT.get(application.ground)
    if kind is None:
        return ""
    document = (
        ApplicationDocument.objects.filter(application=application, kind=kind)
        .order_by("-uploaded_at")
        .first()
    )
    return document.file.name if document is not None else ""


def _profile_values(profile: StudentProfile | None) -> dict | None:
    if profile is None:
        return None
    return {
        "student_number": profile.student_number,
        "program": profile.program_id,
        "status": profile.status,
        "funding": profile.funding,
        "distance_ground": profile.distance_ground,
        "disability_group": profile.disability_group,
    }


def _apply_admission(order: RectorOrder, line: OrderLine, actor) -> None:
    application = line.application
    if application is None:
        logger.warning(
            "Order %s: the line of user %s has no application", order.pk, line.student_id
        )
        return
    profile = StudentProfile.objects.select_for_update().filter(user_id=line.student_id).first()
    old = _profile_values(profile)
    document = _ground_document(application)
    if profile is None:
        profile = StudentProfile.objects.create(
            user_id=line.student_id,
            student_number=_new_student_number(order.effective_on),
            program_id=application.program_id,
            year_of_study=1,
            status=StudentStatus.ACTIVE,
            funding=application.funding,
            distance_ground=application.ground,
            disability_group=application.disability_group,
            ground_document=document,
            enrolled_on=order.effective_on,
        )
        account_services.role_assign(
            actor=actor,
            user=line.student,
            role=Role.STUDENT,
            reason=_("Rector's order № %(number)s") % {"number": order.number},
            check=False,
        )
    else:
        profile.distance_ground = application.ground
        profile.disability_group = application.disability_group
        fields = ["distance_ground", "disability_group", "updated_at"]
        if document:
            profile.ground_document = document
            fields.append("ground_document")
        profile.save(update_fields=fields)
    AdmissionApplication.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.ORDERED, updated_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="student.distance_admitted",
        obj=profile,
        old=old,
        new=_profile_values(profile),
        reason=_("Rector's order № %(number)s of %(date)s")
        % {"number": order.number, "date": order.signed_on.isoformat()},
    )


def _apply_graduation(order: RectorOrder, line: OrderLine, actor) -> None:
    profile = StudentProfile.objects.select_for_update().filter(user_id=line.student_id).first()
    if profile is None:
        logger.warning("Order %s: user %s has no student profile", order.pk, line.student_id)
        return
    old = _profile_values(profile)
    profile.status = StudentStatus.GRADUATED
    profile.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="student.graduated",
        obj=profile,
        old=old,
        new=_profile_values(profile),
        reason=_("Rector's order № %(number)s of %(date)s")
        % {"number": order.number, "date": order.signed_on.isoformat()},
    )


def _apply(order: RectorOrder, *, actor) -> None:
    """Change the students' records by a registered order (call under a lock on the order)."""
    if order.applied_at is not None or order.status != OrderStatus.REGISTERED:
        return
    for line in order.lines.select_related("student", "application"):
        if order.kind == OrderKind.DLT_ADMISSION:
            _apply_admission(order, line, actor)
        elif order.kind == OrderKind.GRADUATION:
            _apply_graduation(order, line, actor)
    order.applied_at = timezone.now()
    order.save(update_fields=["applied_at"])
    audit_record(actor=actor, action="order.applied", obj=order, new=_snapshot(order))


def orders_apply_due(now=None) -> int:
    """Apply every registered order whose effective date has come and that was not applied yet
    (the periodic job). Returns how many orders it applied. Safe to run twice; an order that
    fails is logged, rolled back on its own and tried again next time."""
    today = timezone.localdate(now) if now is not None else _today()
    due = list(
        RectorOrder.objects.filter(
            status=OrderStatus.REGISTERED, applied_at__isnull=True, effective_on__lte=today
        ).values_list("pk", flat=True)
    )
    applied = 0
    for pk in due:
        try:
            with transaction.atomic():
                order = (
                    RectorOrder.objects.select_for_update()
                    .filter(pk=pk, applied_at__isnull=True)
                    .first()
                )
                if order is None:
                    continue
                _apply(order, actor=None)
                applied += 1
        except Exception:
            logger.exception("Could not apply the rector's order %s; it is tried again later", pk)
    return applied
