"""Writes of graduation: final attestation events, their results, and the draft graduation order
(docs/subsystems/graduation.md). Every function checks ``policies.graduation`` and runs under one
transaction; bad input raises a translated ``ValidationFailed`` and changes nothing; every result
change is written to the audit log (old -> new, with the reason).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qashyq.academics.models import AcademicYear, StudentProfile
from qashyq.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record
from qashyq.gradebook import computation
from qashyq.gradebook.selectors import default_scheme

from ..models import (
    AttestationFormat,
    AttestationKind,
    FinalAttestationEvent,
    FinalAttestationResult,
    OrderKind,
)
from ..policies import graduation as policies
from ..selectors import graduation as selectors

HUNDRED = Decimal(100)
MAX_PLACE = 255
MAX_COMMISSION = 4000
MAX_REASON = 1000


# --- grading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttestationGrade:
    letter: str
    points: Decimal
    passed: bool


def parse_percent(value) -> Decimal:
    """A mark of 0-100 with at most two decimals ("85", "85.5", "85,5"); ValidationFailed else."""
    text = str(value if value is not None else "").strip().replace(",", ".")
    if not text:
        raise ValidationFailed(_("Enter the mark, a number from 0 to 100."))
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(
            _("“%(value)s” is not a number. Enter the mark from 0 to 100.") % {"value": text[:20]}
        ) from None
    if not number.is_finite():
        raise ValidationFailed(_("Enter the mark, a number from 0 to 100."))
    if number < 0 or number > HUNDRED:
        raise ValidationFailed(
            _("The mark must be from 0 to 100, not %(value)s.") % {"value": text[:20]}
        )
    if number != number.quantize(Decimal("0.01")):
        raise ValidationFailed(_("The mark may have at most two decimals."))
    return number.quantize(Decimal("0.01"))


def attestation_grade(percent: Decimal, scheme=None) -> AttestationGrade:
    """The letter and points of a mark by the grading scheme (the default one): the mark is
    rounded as the scheme rounds a final %, then placed on its scale; passed unless FX or F."""
    rules = (scheme or default_scheme()).rules()
    rounded = computation.round_percent(Decimal(percent), rules.rounding)
    row = computation.letter_row(rounded, rules.scale)
    points = rules.fx_points if row.letter == computation.LETTER_FX else row.points
    return AttestationGrade(
        letter=row.letter, points=points, passed=selectors.is_passing(row.letter)
    )


# --- events ----------------------------------------------------------------------------------


def _check_event_fields(
    *, kind, format, starts_at, place, commission, year: AcademicYear
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in AttestationKind.values:
        errors["kind"] = _("Choose the kind of the attestation.")
    if format not in AttestationFormat.values:
        errors["format"] = _("Choose distance or on site.")
    if not isinstance(starts_at, datetime.datetime) or timezone.is_naive(starts_at):
        errors["starts_at"] = _("Enter the date and time the attestation starts.")
    else:
        day = timezone.localdate(starts_at)
        if not (year.starts_on <= day <= year.ends_on):
            errors["starts_at"] = _(
                "The attestation must take place within the academic year %(year)s "
                "(%(start)s – %(end)s)."
            ) % {"year": year.title, "start": year.starts_on, "end": year.ends_on}
    if len(place) > MAX_PLACE:
        errors["place"] = _("The place or link is too long.")
    elif format == AttestationFormat.DISTANCE and place:
        parts = urlsplit(place)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors["place"] = _(
                "For a distance attestation give the link to the online room (https://…)."
            )
    if len(commission) > MAX_COMMISSION:
        errors["commission"] = _("The list of the commission is too long.")
    return errors


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(" ".join(errors.values()), details=errors)


def _event_snapshot(event: FinalAttestationEvent) -> dict:
    return {
        "kind": event.kind,
        "format": event.format,
        "starts_at": event.starts_at.isoformat(),
        "place": event.place,
        "commission": event.commission,
    }


def attestation_event_create(
    *,
    actor,
    program_id: int,
    academic_year_id: int,
    kind: str,
    format: str,
    starts_at: datetime.datetime,
    place: str = "",
    commission: str = "",
) -> FinalAttestationEvent:
    """A final attestation event of a program in an academic year (one per kind)."""
    program = selectors.program(program_id)
    if not policies.can_manage_attestation(actor, program):
        raise PermissionDenied(_("You may not set the final attestation of this program."))
    year = AcademicYear.objects.filter(pk=academic_year_id).first()
    if year is None:
        raise ValidationFailed(_("Choose the academic year."), details={"academic_year": ""})
    place, commission = (place or "").strip(), (commission or "").strip()
    _raise_if(
        _check_event_fields(
            kind=kind,
            format=format,
            starts_at=starts_at,
            place=place,
            commission=commission,
            year=year,
        )
    )
    try:
        with transaction.atomic():
            event = FinalAttestationEvent.objects.create(
                program=program,
                academic_year=year,
                kind=kind,
                format=format,
                starts_at=starts_at,
                place=place,
                commission=commission,
                created_by=actor,
            )
            audit_record(
                actor=actor,
                action="attestation_event.create",
                obj=event,
                new=_event_snapshot(event),
            )
    except IntegrityError:
        raise Conflict(
            _("The program already has a “%(kind)s” in %(year)s.")
            % {"kind": AttestationKind(kind).label, "year": year.title},
            details={"kind": ""},
        ) from None
    return event


@transaction.atomic
def attestation_event_update(
    *,
    actor,
    event_id: int,
    kind: str,
    format: str,
    starts_at: datetime.datetime,
    place: str = "",
    commission: str = "",
) -> FinalAttestationEvent:
    """Change an event before it starts (after that it is what took place)."""
    event = (
        FinalAttestationEvent.objects.select_for_update(of=("self",))
        .filter(pk=event_id)
        .select_related("program__department", "academic_year")
        .first()
    )
    if event is None:
        raise NotFound(_("There is no such final attestation event."))
    if not policies.can_manage_attestation(actor, event.program):
        raise PermissionDenied(_("You may not set the final attestation of this program."))
    if event.starts_at <= timezone.now():
        raise Conflict(_("The attestation has started; it can no longer be changed."))
    place, commission = (place or "").strip(), (commission or "").strip()
    _raise_if(
        _check_event_fields(
            kind=kind,
            format=format,
            starts_at=starts_at,
            place=place,
            commission=commission,
            year=event.academic_year,
        )
    )
    if (
        kind != event.kind
        and FinalAttestationEvent.objects.filter(
            program_id=event.program_id, academic_year_id=event.academic_year_id, kind=kind
        )
        .exclude(pk=event.pk)
        .exists()
    ):
        raise Conflict(
            _("The program already has a “%(kind)s” in %(year)s.")
            % {"kind": AttestationKind(kind).label, "year": event.academic_year.title},
            details={"kind": ""},
        )
    old = _event_snapshot(event)
    event.kind, event.format, event.starts_at = kind, format, starts_at
    event.place, event.commission = place, commission
    new = _event_snapshot(event)
    if new != old:
        event.save(update_fields=["kind", "format", "starts_at", "place", "commission"])
        audit_record(actor=actor, action="attestation_event.change", obj=event, old=old, new=new)
    return event


# --- results ---------------------------------------------------------------------------------


def _result_snapshot(result: FinalAttestationResult) -> dict:
    return {
        "percent": str(result.percent),
        "letter": result.letter,
        "points": str(result.points),
        "passed": result.passed,
    }


@transaction.atomic
def attestation_result_record(
    *, actor, event_id: int, student_id: int, percent, reason: str = ""
) -> FinalAttestationResult:
    """Record (or change) a student's result of an attestation event: the mark in percent gives
    the letter and points by the grading scheme. A change needs a reason; both are audit-logged.
    Recording the same mark again changes nothing."""
    event = selectors.event(event_id)
    if not policies.can_manage_attestation(actor, event.program):
        raise PermissionDenied(_("You may not record results of this attestation."))
    if event.starts_at > timezone.now():
        raise ValidationFailed(_("Results are recorded once the attestation has started."))
    profile = StudentProfile.objects.filter(user_id=student_id).first()
    if profile is None or profile.program_id != event.program_id:
        raise ValidationFailed(_("The student does not study in the program of this attestation."))
    value = parse_percent(percent)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationFailed(_("The reason is too long."))
    grade = attestation_grade(value)
    existing = (
        FinalAttestationResult.objects.select_for_update()
        .filter(event=event, student_id=student_id)
        .first()
    )
    if existing is None:
        try:
            with transaction.atomic():
                result = FinalAttestationResult.objects.create(
                    event=event,
                    student_id=student_id,
                    percent=value,
                    letter=grade.letter,
                    points=grade.points,
                    passed=grade.passed,
                    recorded_by=actor,
                )
        except IntegrityError:  # recorded at the same moment by someone else
            raise Conflict(
                _("Someone has just recorded this result; open the page again.")
            ) from None
        audit_record(
            actor=actor,
            action="attestation_result.create",
            obj=result,
            new=_result_snapshot(result),
            reason=reason,
        )
        return result
    if existing.percent == value:
        return existing
    if not reason:
        raise ValidationFailed(
            _("Say why the recorded result changes."), details={"reason": "required"}
        )
    old = _result_snapshot(existing)
    existing.percent, existing.letter = value, grade.letter
    existing.points, existing.passed = grade.points, grade.passed
    existing.recorded_by = actor
    existing.save(
        update_fields=["percent", "letter", "points", "passed", "recorded_by", "recorded_at"]
    )
    audit_record(
        actor=actor,
        action="attestation_result.change",
        obj=existing,
        old=old,
        new=_result_snapshot(existing),
        reason=reason,
    )
    return existing


# --- the graduation order ----------------------------------------------------------------------


@transaction.atomic
def graduation_order_draft(
    *, actor, program_id: int, academic_year_id: int | None, student_ids=None
):
    """A draft rector's order on graduation with the program's eligible final-year students
    (``student_ids`` narrows it to those, when given) who are not in a graduation order yet.
    Registering and applying the order is the orders part's job."""
    from .orders import OrderLineSpec, order_create_draft

    program = selectors.program(program_id)
    if not policies.can_draft_graduation_order(actor, program):
        raise PermissionDenied(_("Only the registrar drafts the graduation order."))
    year = AcademicYear.objects.filter(pk=academic_year_id).first() if academic_year_id else None
    if year is None:
        raise ValidationFailed(_("Choose the academic year."))
    wanted = None if student_ids is None else {int(s) for s in student_ids}
    rows = [
        row
        for row in selectors.graduates(program, year)
        if row.eligible
        and row.order_line is None
        and (wanted is None or row.profile.user_id in wanted)
    ]
    if not rows:
        raise ValidationFailed(_("No eligible student is left to put into a graduation order."))
    preamble = _(
        "On the graduation of the students of the educational program %(code)s %(name)s "
        "who passed the final attestation in %(year)s and the award of diplomas."
    ) % {"code": program.code, "name": program.name, "year": year.title}
    lines = [
        OrderLineSpec(
            student=row.profile.user,
            ground=_("%(credits)s credits, final attestation passed")
            % {"credits": row.eligibility.credits_passed},
        )
        for row in rows
    ]
    return order_create_draft(
        actor=actor, kind=OrderKind.GRADUATION, lines=lines, preamble=preamble
    )
