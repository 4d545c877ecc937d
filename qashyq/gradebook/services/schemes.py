"""Grading schemes: versions, frozen once a journal uses them (docs/subsystems/gradebook.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from qashyq.core.errors import Conflict, PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record

from .. import computation, policies
from ..models import (
    GradingScheme,
    Journal,
)
from .journal import MARK_MAX, MARK_MIN

# --- grading schemes ----------------------------------------------------------------------------

SCHEME_FIELDS = (*GradingScheme.GRADING_FIELDS, "name", "valid_from", "week_close_days")


def _check_scheme(scheme: GradingScheme) -> None:
    problems = []
    one = Decimal(1)
    if not (0 <= scheme.admission_weight <= one and 0 <= scheme.exam_weight <= one) or (
        scheme.admission_weight + scheme.exam_weight != one
    ):
        problems.append(_("The weights must be from 0 to 1 and add up to 1."))
    for value in (scheme.admission_threshold, scheme.exam_minimum):
        if not MARK_MIN <= Decimal(value) <= MARK_MAX:
            problems.append(_("Thresholds are percentages from 0 to 100."))
            break
    if not Decimal(0) <= Decimal(scheme.fx_points) <= Decimal(4):
        problems.append(_("The points of FX must be from 0 to 4."))
    if not 1 <= scheme.first_half_weeks < scheme.weeks <= 30:
        problems.append(_("The first half must be shorter than the period (at most 30 weeks)."))
    try:
        scale = computation.scale_from_json(scheme.scale)
    except (ValueError, TypeError):
        scale = ()
        problems.append(_("Each row of the scale needs a letter, points, min % and max %."))
    if scale and computation.scale_problems(scale):
        problems.append(
            _("The scale must cover 0 to 100 % without overlaps, with distinct letters.")
        )
    fx = [row for row in scale if row.letter == computation.LETTER_FX]
    if fx and fx[0].points != Decimal(scheme.fx_points):
        problems.append(_("The FX row of the scale must carry the points of FX."))
    if problems:
        raise ValidationFailed(" ".join(str(p) for p in problems), code="bad_scheme")


def _scheme_snapshot(scheme: GradingScheme) -> dict:
    return {
        name: getattr(scheme, name)
        if name == "scale" or isinstance(getattr(scheme, name), bool | int)
        else str(getattr(scheme, name))
        for name in SCHEME_FIELDS
    }


def _require_manager(actor) -> None:
    if not policies.can_manage_schemes(actor):
        raise PermissionDenied(_("Only the registrar manages grading schemes."))


def _apply_changes(scheme: GradingScheme, changes: dict) -> None:
    unknown = set(changes) - set(SCHEME_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown settings of a grading scheme."),
            code="bad_scheme",
            details={"fields": sorted(unknown)},
        )
    decimals = {"admission_weight", "exam_weight", "admission_threshold", "exam_minimum"}
    for name, value in changes.items():
        if name in decimals or name == "fx_points":
            try:
                value = Decimal(str(value))
            except InvalidOperation:
                raise ValidationFailed(
                    _("The settings of a grading scheme must be numbers."),
                    code="bad_scheme",
                    details={"field": name},
                ) from None
        setattr(scheme, name, value)


def scheme_create(*, actor, name: str, valid_from: datetime.date, **changes) -> GradingScheme:
    """A new scheme (version 1) with the national defaults for what ``changes`` leaves out."""
    _require_manager(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("A grading scheme needs a name."), code="bad_scheme")
    scheme = GradingScheme(name=name, valid_from=valid_from, version=1, created_by=actor)
    _apply_changes(scheme, changes)
    _check_scheme(scheme)
    with transaction.atomic():
        if GradingScheme.objects.filter(name=name).exists():
            raise Conflict(_("A scheme of this name exists; create a new version of it."))
        scheme.save()
        audit_record(
            actor=actor, action="gradebook.scheme_created", obj=scheme, new=_scheme_snapshot(scheme)
        )
    return scheme


def scheme_update(*, actor, scheme: GradingScheme, **changes) -> GradingScheme:
    """Change a version no journal uses yet. A version in use is frozen: create a new one
    (only ``week_close_days``, which is not a grading rule, may change; see
    ``scheme_set_week_close``)."""
    _require_manager(actor)
    with transaction.atomic():
        scheme = GradingScheme.objects.select_for_update().get(pk=scheme.pk)
        if Journal.objects.filter(scheme=scheme).exists():
            raise Conflict(
                _("Journals are graded under this version; create a new version instead."),
                code="scheme_in_use",
            )
        old = _scheme_snapshot(scheme)
        _apply_changes(scheme, changes)
        _check_scheme(scheme)
        scheme.save()
        audit_record(
            actor=actor,
            action="gradebook.scheme_changed",
            obj=scheme,
            old=old,
            new=_scheme_snapshot(scheme),
        )
    return scheme


def scheme_version_create(
    *,
    actor,
    base: GradingScheme,
    valid_from: datetime.date,
    make_default: bool | None = None,
    **changes,
) -> GradingScheme:
    """The next version of ``base`` with ``changes``; it becomes the default for new journals
    when ``base`` was (or when ``make_default``). Existing journals keep their version."""
    _require_manager(actor)
    with transaction.atomic():
        latest = (
            GradingScheme.objects.select_for_update()
            .filter(name=base.name)
            .order_by("-version")
            .first()
        )
        scheme = GradingScheme(
            **{name: getattr(base, name) for name in SCHEME_FIELDS},
            version=latest.version + 1,
            created_by=actor,
        )
        scheme.valid_from = valid_from
        _apply_changes(scheme, {k: v for k, v in changes.items() if k != "name"})
        _check_scheme(scheme)
        default = base.is_default if make_default is None else make_default
        if default:
            GradingScheme.objects.filter(is_default=True).update(is_default=False)
        scheme.is_default = default
        scheme.save()
        audit_record(
            actor=actor,
            action="gradebook.scheme_version_created",
            obj=scheme,
            old={"version": base.version},
            new=_scheme_snapshot(scheme),
        )
    return scheme


def scheme_set_week_close(*, actor, scheme: GradingScheme, days: int) -> GradingScheme:
    """The registrar sets after how many days past its end a week closes (also on a version
    in use: how long marks stay open is not a grading rule)."""
    _require_manager(actor)
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = -1
    if not 0 <= days <= 365:
        raise ValidationFailed(_("A week closes after 0 to 365 days."), code="bad_week_close_days")
    with transaction.atomic():
        scheme = GradingScheme.objects.select_for_update().get(pk=scheme.pk)
        old = scheme.week_close_days
        if old != days:
            scheme.week_close_days = days
            scheme.save(update_fields=["week_close_days"])
            audit_record(
                actor=actor,
                action="gradebook.week_close_days",
                obj=scheme,
                old=old,
                new=days,
            )
    return scheme
