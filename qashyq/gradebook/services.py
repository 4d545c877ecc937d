"""Every write of the e-journal. Each checks a ``policies`` predicate (except the posting entry
point, whose caller has checked its own), validates all input before touching anything, runs
in one short transaction that locks the student's row (``select_for_update``), and writes every
changed cell to ``MarkChange`` and to the site's audit log (who, when, old -> new, why).

Entry points for people: ``mark_set`` / ``marks_set`` (a tutor or the registrar),
``attendance_set``, ``late_edit_decide`` (the registrar), the scheme services.
Entry point for other apps: ``mark_post_from_source`` (tests, independent work, imports).
docs/subsystems/gradebook.md describes the rules.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qashyq.academics.models import CourseOffering, Enrollment
from qashyq.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record

from . import computation, policies, selectors
from .models import (
    COLUMNS,
    Attendance,
    CurrentMark,
    GradingScheme,
    Journal,
    JournalRow,
    LateEditRequest,
    LateEditStatus,
    MarkChange,
    Source,
)

MARK_MIN = Decimal(0)
MARK_MAX = Decimal(100)
MARK_QUANTUM = Decimal("0.01")
WEEK_COLUMN = re.compile(r"^w(\d{1,2})$")
POSTING_SOURCES = (Source.TEST, Source.ASSIGNMENT, Source.IMPORT)
PERSON_SOURCES = (Source.MANUAL, Source.IMPORT)


@dataclass
class MarkOutcome:
    """What a write did: the columns it changed, and the late-edit requests it filed instead."""

    changed: list[str] = field(default_factory=list)
    requests: list[LateEditRequest] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        return bool(self.requests)


def today() -> datetime.date:
    return timezone.localdate()


# --- input checks -------------------------------------------------------------------------------


def clean_mark(value, *, column: str = "") -> Decimal | None:
    """A mark is a number from 0 to 100 with at most two decimals, or None (an empty cell)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _not_a_number(column)
    try:
        number = (
            Decimal(value.strip().replace(",", "."))
            if isinstance(value, str)
            else Decimal(str(value))
        )
    except (InvalidOperation, ValueError, TypeError):
        raise _not_a_number(column) from None
    if not number.is_finite():
        raise _not_a_number(column)
    if number < MARK_MIN or number > MARK_MAX:
        raise ValidationFailed(
            _("A mark must be from 0 to 100."),
            code="mark_out_of_range",
            details={"column": column, "value": str(value)},
        )
    if number != number.quantize(MARK_QUANTUM):
        raise ValidationFailed(
            _("A mark has at most two decimal places."),
            code="mark_too_precise",
            details={"column": column, "value": str(value)},
        )
    return number.quantize(MARK_QUANTUM)


def _not_a_number(column: str) -> ValidationFailed:
    return ValidationFailed(
        _("A mark must be a number from 0 to 100."),
        code="mark_not_a_number",
        details={"column": column},
    )


def parse_column(column: str, scheme: GradingScheme) -> int | None:
    """None for the five columns; the week number for a weekly mark ``w<week>``."""
    if column in COLUMNS:
        return None
    match = WEEK_COLUMN.match(str(column))
    if match and 1 <= int(match.group(1)) <= scheme.weeks:
        return int(match.group(1))
    raise ValidationFailed(
        _("There is no such column in the journal."),
        code="unknown_column",
        details={"column": str(column)},
    )


def week_closes_on(offering: CourseOffering, scheme: GradingScheme, week: int) -> datetime.date:
    """The last day a week's marks may change without the registrar's approval."""
    week_ends = offering.period.starts_on + datetime.timedelta(days=7 * week - 1)
    return week_ends + datetime.timedelta(days=scheme.week_close_days)


def week_is_closed(offering: CourseOffering, scheme: GradingScheme, week: int) -> bool:
    return today() > week_closes_on(offering, scheme, week)


# --- journals -----------------------------------------------------------------------------------


def journal_for(offering: CourseOffering) -> Journal:
    """The offering's journal, created under the default scheme the first time, with a row for
    every enrolled student (rows for students enrolled later are added on the next call)."""
    journal = _journal(offering)
    enrolled = set(
        Enrollment.objects.filter(offering=offering).values_list("student_id", flat=True)
    )
    have = set(JournalRow.objects.filter(journal=journal).values_list("student_id", flat=True))
    missing = enrolled - have
    if missing:
        JournalRow.objects.bulk_create(
            [JournalRow(journal=journal, student_id=pk) for pk in sorted(missing)],
            ignore_conflicts=True,
        )
    return journal


def _journal(offering: CourseOffering) -> Journal:
    """The offering's journal, created (lazily) under the default scheme."""
    journal = selectors.journal_of(offering)
    if journal is None:
        scheme = selectors.default_scheme()
        try:
            with transaction.atomic():
                if scheme.pk is None:  # no default in the database: save the national one
                    scheme, _created = GradingScheme.objects.get_or_create(
                        name=scheme.name,
                        version=scheme.version,
                        defaults={"is_default": True, "valid_from": scheme.valid_from},
                    )
                journal = Journal.objects.create(offering=offering, scheme=scheme)
        except IntegrityError:  # created meanwhile by a concurrent request
            journal = Journal.objects.select_related("scheme").get(offering=offering)
    return journal


def _locked_row(journal: Journal, student_id: int) -> JournalRow:
    """The student's row, created if need be, locked until the transaction ends."""
    JournalRow.objects.get_or_create(journal=journal, student_id=student_id)
    return JournalRow.objects.select_for_update().get(journal=journal, student_id=student_id)


def _student_id(student) -> int:
    return student if isinstance(student, int) else student.pk


def _record(*, actor, journal, student_id, column, old, new, source, source_ref, reason) -> None:
    MarkChange.objects.create(
        journal=journal,
        student_id=student_id,
        column=column,
        old_value=old,
        new_value=new,
        source=source,
        source_ref=source_ref,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
    )
    audit_record(
        actor=actor,
        action="gradebook.mark_change",
        object_type="gradebook.journalrow",
        object_id=f"{journal.offering_id}:{student_id}",
        old={"column": column, "value": None if old is None else str(old)},
        new={
            "column": column,
            "value": None if new is None else str(new),
            "source": source,
            "source_ref": source_ref,
        },
        reason=reason,
    )


def _write(
    *,
    actor,
    offering: CourseOffering,
    student,
    values: dict,
    reason: str,
    source: str,
    source_ref: str,
    may_edit_closed: bool,
) -> MarkOutcome:
    if not values:
        raise ValidationFailed(_("Nothing to change."), code="nothing_to_change")
    student_id = _student_id(student)
    journal = selectors.journal_of(offering)
    scheme = selectors.scheme_for(offering, journal)
    # Every value is checked before anything is written: bad input changes nothing.
    cleaned = {
        column: (parse_column(column, scheme), clean_mark(value, column=column))
        for column, value in values.items()
    }
    reason = (reason or "").strip()
    if not selectors.is_enrolled(offering, student_id):
        raise NotFound(_("This student is not enrolled in this course."), code="not_enrolled")
    closed = [
        column
        for column, (week, _v) in cleaned.items()
        if week is not None and not may_edit_closed and week_is_closed(offering, scheme, week)
    ]
    if closed and source == Source.MANUAL and not reason:
        raise ValidationFailed(
            _("The week is closed: say why the mark must change, for the registrar."),
            code="reason_required",
            details={"columns": closed},
        )
    outcome = MarkOutcome()
    with transaction.atomic():
        journal = _journal(offering)
        row = _locked_row(journal, student_id)
        row_fields: list[str] = []
        for column, (week, value) in cleaned.items():
            if week is None:
                old = getattr(row, column)
                new_source = source if value is not None else ""
                new_ref = source_ref if value is not None else ""
                if old == value and getattr(row, f"{column}_source") == new_source:
                    continue
                setattr(row, column, value)
                setattr(row, f"{column}_source", new_source)
                setattr(row, f"{column}_ref", new_ref)
                row_fields += [column, f"{column}_source", f"{column}_ref"]
                _record(
                    actor=actor,
                    journal=journal,
                    student_id=student_id,
                    column=column,
                    old=old,
                    new=value,
                    source=source,
                    source_ref=source_ref,
                    reason=reason,
                )
                outcome.changed.append(column)
            elif column in closed:
                outcome.requests.append(
                    _late_request(
                        actor=actor,
                        journal=journal,
                        student_id=student_id,
                        week=week,
                        value=value,
                        source=source,
                        source_ref=source_ref,
                        reason=reason,
                    )
                )
            elif _set_weekly(
                actor=actor,
                journal=journal,
                student_id=student_id,
                week=week,
                value=value,
                source=source,
                source_ref=source_ref,
                reason=reason,
            ):
                outcome.changed.append(column)
        if row_fields:
            row.save(update_fields=[*row_fields, "updated_at"])
    return outcome


def _set_weekly(*, actor, journal, student_id, week, value, source, source_ref, reason) -> bool:
    """Set (or clear, with None) one weekly mark; the row lock is already held."""
    mark = CurrentMark.objects.filter(journal=journal, student_id=student_id, week=week).first()
    old = mark.value if mark is not None else None
    if value is None:
        if mark is None:
            return False
        mark.delete()
    elif mark is None:
        CurrentMark.objects.create(
            journal=journal,
            student_id=student_id,
            week=week,
            value=value,
            source=source,
            source_ref=source_ref,
        )
    else:
        if mark.value == value and mark.source == source:
            return False
        mark.value, mark.source, mark.source_ref = value, source, source_ref
        mark.save(update_fields=["value", "source", "source_ref", "updated_at"])
    _record(
        actor=actor,
        journal=journal,
        student_id=student_id,
        column=f"w{week}",
        old=old,
        new=value,
        source=source,
        source_ref=source_ref,
        reason=reason,
    )
    return True


def _late_request(
    *, actor, journal, student_id, week, value, source, source_ref, reason
) -> LateEditRequest:
    request = LateEditRequest.objects.create(
        journal=journal,
        student_id=student_id,
        week=week,
        value=value,
        source=source,
        source_ref=source_ref,
        reason=reason,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action="gradebook.late_edit_requested",
        obj=request,
        new={"week": week, "value": None if value is None else str(value), "source": source},
        reason=reason,
    )
    return request


def marks_set(
    *,
    actor,
    offering: CourseOffering,
    student,
    values: dict,
    reason: str = "",
    source: str = Source.MANUAL,
    source_ref: str = "",
) -> MarkOutcome:
    """Several cells of one student's row at once (all or nothing). Columns: ``tk1``, ``rk1``,
    ``tk2``, ``rk2``, ``exam`` and weekly marks ``w1``..``w<weeks>``; a value of None empties
    the cell. A weekly mark of a closed week files a ``LateEditRequest`` instead of changing,
    unless the actor is the registrar."""
    if not policies.can_edit_journal(actor, offering):
        raise PermissionDenied(
            _("Only the tutors of this course and the registrar may change its journal.")
        )
    if source not in PERSON_SOURCES:
        raise ValidationFailed(_("Unknown source of a mark."), code="bad_source")
    return _write(
        actor=actor,
        offering=offering,
        student=student,
        values=values,
        reason=reason,
        source=source,
        source_ref=source_ref,
        may_edit_closed=policies.is_registrar_for(actor, offering),
    )


def mark_set(
    *,
    actor,
    offering: CourseOffering,
    student,
    column: str,
    value,
    reason: str = "",
    source: str = Source.MANUAL,
    source_ref: str = "",
) -> MarkOutcome:
    """One cell; see ``marks_set``."""
    return marks_set(
        actor=actor,
        offering=offering,
        student=student,
        values={column: value},
        reason=reason,
        source=source,
        source_ref=source_ref,
    )


def mark_post_from_source(
    *,
    actor,
    offering: CourseOffering,
    student,
    column: str,
    value,
    source: str,
    source_ref: str,
    reason: str = "",
) -> MarkOutcome:
    """The entry point other apps call to put a mark into the journal (a graded test, a graded
    independent work, an imported sheet).

    The caller has checked its own policy (that ``actor`` may grade that work; ``actor`` may be
    None for background work); this checks the source, the column, the value and that the
    student is enrolled, and keeps the closed-week rule (a late weekly mark becomes a
    ``LateEditRequest``). ``source_ref`` says what produced the mark, e.g. ``attempt:42``."""
    if source not in POSTING_SOURCES:
        raise ValidationFailed(_("Unknown source of a mark."), code="bad_source")
    if not (source_ref or "").strip():
        raise ValidationFailed(_("Say what produced the mark."), code="source_ref_required")
    return _write(
        actor=actor,
        offering=offering,
        student=student,
        values={column: value},
        reason=reason,
        source=source,
        source_ref=source_ref.strip()[:200],
        may_edit_closed=False,
    )


def late_edit_decide(
    *, actor, request: LateEditRequest, approve: bool, note: str = ""
) -> LateEditRequest:
    """The registrar approves (the mark changes now) or rejects a late edit."""
    offering = (
        CourseOffering.objects.select_related("discipline__department", "period")
        .filter(pk=request.journal.offering_id)
        .get()
    )
    if not policies.can_decide_late_edit(actor, offering):
        raise PermissionDenied(_("Only the registrar decides on late edits."))
    with transaction.atomic():
        request = LateEditRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != LateEditStatus.PENDING:
            raise Conflict(_("This request has already been decided."), code="already_decided")
        journal = request.journal
        if approve:
            JournalRow.objects.select_for_update().get(
                journal=journal, student_id=request.student_id
            )
            why = _("Late edit #%(id)s approved: %(reason)s") % {
                "id": request.pk,
                "reason": request.reason or "-",
            }
            if note:
                why = f"{why} ({note})"
            _set_weekly(
                actor=actor,
                journal=journal,
                student_id=request.student_id,
                week=request.week,
                value=request.value,
                source=request.source,
                source_ref=request.source_ref,
                reason=why,
            )
        request.status = LateEditStatus.APPROVED if approve else LateEditStatus.REJECTED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_note = note
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            actor=actor,
            action="gradebook.late_edit_decided",
            obj=request,
            old={"status": LateEditStatus.PENDING},
            new={"status": request.status},
            reason=note,
        )
    return request


def attendance_set(
    *, actor, offering: CourseOffering, student, date: datetime.date, present: bool, slot: int = 1
) -> Attendance:
    """Mark a student present or absent ("н") at one class of a day within the period."""
    if not policies.can_edit_journal(actor, offering):
        raise PermissionDenied(
            _("Only the tutors of this course and the registrar may change its journal.")
        )
    student_id = _student_id(student)
    if not (offering.period.starts_on <= date <= offering.period.ends_on):
        raise ValidationFailed(
            _("The date is outside the course's period."), code="date_outside_period"
        )
    if not 1 <= int(slot) <= 10:
        raise ValidationFailed(_("There is no such class that day."), code="bad_slot")
    if not selectors.is_enrolled(offering, student_id):
        raise NotFound(_("This student is not enrolled in this course."), code="not_enrolled")
    with transaction.atomic():
        journal = _journal(offering)
        _locked_row(journal, student_id)
        entry = Attendance.objects.filter(
            journal=journal, student_id=student_id, date=date, slot=slot
        ).first()
        old = None if entry is None else entry.present
        if entry is None:
            entry = Attendance.objects.create(
                journal=journal,
                student_id=student_id,
                date=date,
                slot=slot,
                week=selectors.week_of(offering, date),
                present=present,
                recorded_by=actor,
            )
        elif entry.present != present:
            entry.present, entry.recorded_by = present, actor
            entry.save(update_fields=["present", "recorded_by", "updated_at"])
        else:
            return entry
        audit_record(
            actor=actor,
            action="gradebook.attendance",
            obj=entry,
            old=old,
            new=present,
        )
    return entry


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


def marks_import(
    *, actor, offering: CourseOffering, values_by_student: dict, reason: str, source_ref: str = ""
) -> int:
    """Apply an uploaded sheet: ``{student_id: {column: value}}``, all or nothing, each row
    through ``marks_set`` (source "import", the file's name as the reference, ``reason`` in the
    audit log). Returns the number of cells changed."""
    if not policies.can_edit_journal(actor, offering):
        raise PermissionDenied(
            _("Only the tutors of this course and the registrar may change its journal.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the marks change."), code="reason_required")
    if not values_by_student:
        raise ValidationFailed(_("Nothing to change."), code="nothing_to_change")
    changed = 0
    with transaction.atomic():
        for student_id, values in sorted(values_by_student.items()):
            outcome = marks_set(
                actor=actor,
                offering=offering,
                student=int(student_id),
                values=values,
                reason=reason,
                source=Source.IMPORT,
                source_ref=(source_ref or "xlsx")[:200],
            )
            changed += len(outcome.changed)
    return changed


def attendance_record_class(
    *, actor, offering: CourseOffering, date: datetime.date, absent_ids, slot: int = 1
) -> int:
    """One class for the whole course at once: every enrolled student present except
    ``absent_ids`` ("н"), all or nothing. Returns the number of students absent."""
    if not policies.can_edit_journal(actor, offering):
        raise PermissionDenied(
            _("Only the tutors of this course and the registrar may change its journal.")
        )
    absent = {int(pk) for pk in absent_ids}
    enrolled = set(
        Enrollment.objects.filter(offering=offering).values_list("student_id", flat=True)
    )
    if absent - enrolled:
        raise NotFound(_("This student is not enrolled in this course."), code="not_enrolled")
    with transaction.atomic():
        for student_id in sorted(enrolled):
            attendance_set(
                actor=actor,
                offering=offering,
                student=student_id,
                date=date,
                present=student_id not in absent,
                slot=slot,
            )
    return len(absent)
