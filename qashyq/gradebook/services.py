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
    COLUMN_LABELS,
    COLUMNS,
    AttemptKind,
    Attendance,
    CurrentMark,
    FinalGrade,
    GradingScheme,
    Journal,
    JournalRow,
    LateEditRequest,
    LateEditStatus,
    MarkChange,
    Source,
    Statement,
    StatementKind,
    StatementLine,
    StatementStatus,
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
    statement_correction: bool = False,
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
    if not statement_correction:
        _refuse_if_locked(offering, student_id, cleaned)
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


# --- statements (ведомость) -------------------------------------------------------------------

LINE_COLUMNS = ("tk1", "rk1", "tk2", "rk2", "exam")
ATTEMPT_OF_KIND = {
    StatementKind.EXAM: AttemptKind.REGULAR,
    StatementKind.FX_RESIT: AttemptKind.FX_RESIT,
    StatementKind.RETAKE: AttemptKind.RETAKE,
}


def _refuse_if_locked(offering: CourseOffering, student_id: int, cleaned: dict) -> None:
    """A student on a locked statement of this offering keeps their journal row as locked: only
    the registrar's correction of the statement changes it. The one exception is the exam cell
    of an FX student while their re-sit statement is not locked yet (the re-sit mark goes there).
    """
    kinds = {
        (kind, letter)
        for kind, letter in StatementLine.objects.filter(
            statement__offering=offering,
            statement__status=StatementStatus.LOCKED,
            student_id=student_id,
        ).values_list("statement__kind", "letter")
    }
    if not kinds:
        return
    resit_open = (StatementKind.EXAM, computation.LETTER_FX) in kinds and not any(
        kind == StatementKind.FX_RESIT for kind, _letter in kinds
    )
    if resit_open and set(cleaned) == {"exam"}:
        return
    raise Conflict(
        _(
            "The statement with this student's result is locked: only the registrar may "
            "correct it, on the statement's page."
        ),
        code="statement_locked",
    )


def _line_values(row: selectors.RowView) -> dict:
    return {column: row.cells[column].value for column in LINE_COLUMNS}


def _apply_result(line: StatementLine, rules: computation.Rules) -> None:
    result = computation.compute(*(getattr(line, c) for c in LINE_COLUMNS), rules=rules)
    line.r1, line.r2, line.admission = result.r1, result.r2, result.admission_rating
    line.admitted = bool(result.admitted)
    line.percent = result.final_percent
    line.letter = result.letter or ""
    line.points = result.points


LINE_FIELDS = (*LINE_COLUMNS, "r1", "r2", "admission", "percent", "letter", "points", "admitted")


def _line_json(line: StatementLine) -> dict:
    return {
        name: (None if (value := getattr(line, name)) is None else str(value))
        for name in LINE_FIELDS
    }


def _missing_cells(row: selectors.RowView, rules: computation.Rules) -> list[str]:
    missing = [c for c in ("tk1", "rk1", "tk2", "rk2") if row.cells[c].value is None]
    result = row.result
    admitted = result is not None and result.admitted
    if not missing and admitted and row.cells["exam"].value is None:
        missing.append("exam")
    return missing


def _statement_number(offering: CourseOffering, kind: str) -> str:
    count = Statement.objects.filter(offering=offering).count() + 1
    prefix = {StatementKind.EXAM: "E", StatementKind.FX_RESIT: "FX", StatementKind.RETAKE: "R"}
    return f"{offering.discipline.code}-{offering.pk}-{prefix[kind]}{count}"


def statement_generate(*, actor, offering: CourseOffering, group=None, kind: str) -> Statement:
    """A draft statement from the journal: one line per enrolled student of the offering (or of
    ``group``), refused while a cell that matters is empty (the message lists them).

    ``exam`` and ``retake`` take every student; ``fx_resit`` only the FX students of the
    offering's locked exam statement, with the admission they had and the exam cell as it is
    now (the re-sit mark). A draft of the same offering, group and kind is replaced."""
    if not policies.can_edit_journal(actor, offering):
        raise PermissionDenied(
            _("Only the tutors of this course and the registrar may prepare its statements.")
        )
    if kind not in StatementKind.values:
        raise ValidationFailed(_("Unknown kind of statement."), code="bad_kind")
    if group is not None and not offering.groups.filter(pk=group.pk).exists():
        raise ValidationFailed(_("This group does not study this course."), code="bad_group")
    scheme, rows = selectors.journal_rows(offering)
    if group is not None:
        rows = [row for row in rows if row.group_id == group.pk]
    rules = scheme.rules()
    based_on = None
    base_lines: dict[int, StatementLine] = {}
    if kind == StatementKind.FX_RESIT:
        base = StatementLine.objects.filter(
            statement__offering=offering,
            statement__kind=StatementKind.EXAM,
            statement__status=StatementStatus.LOCKED,
            letter=computation.LETTER_FX,
        ).select_related("statement")
        base_lines = {line.student_id: line for line in base}
        resat = set(
            StatementLine.objects.filter(
                statement__offering=offering,
                statement__kind=StatementKind.FX_RESIT,
                statement__status=StatementStatus.LOCKED,
            ).values_list("student_id", flat=True)
        )
        rows = [r for r in rows if r.student_id in base_lines and r.student_id not in resat]
        if rows:
            based_on = base_lines[rows[0].student_id].statement
    if not rows:
        raise ValidationFailed(
            _("There is nobody to put on this statement."), code="statement_empty"
        )
    busy = (
        StatementLine.objects.filter(
            statement__offering=offering,
            statement__kind=kind,
            student_id__in=[r.student_id for r in rows],
        )
        .exclude(statement__status=StatementStatus.DRAFT)
        .exists()
    )
    if busy:
        raise Conflict(
            _("Some of these students are already on a signed or locked statement of this kind."),
            code="statement_exists",
        )
    missing = []
    for row in rows:
        if kind == StatementKind.FX_RESIT:
            empty = ["exam"] if row.cells["exam"].value is None else []
        else:
            empty = _missing_cells(row, rules)
        if empty:
            name = row.student.get_full_name() or row.student.get_username()
            labels = ", ".join(str(COLUMN_LABELS[c]) for c in empty)
            missing.append(f"{name}: {labels}")
    if missing:
        raise ValidationFailed(
            _("The journal has empty cells: %(cells)s.") % {"cells": "; ".join(missing)},
            code="empty_cells",
            details={"cells": missing},
        )
    tutor = (
        actor if policies.is_tutor_of(actor, offering) else offering.tutors.order_by("pk").first()
    )
    if tutor is None:
        raise ValidationFailed(_("The course has no tutor to sign the statement."), code="no_tutor")
    with transaction.atomic():
        journal = _journal(offering)
        Statement.objects.filter(
            offering=offering, group=group, kind=kind, status=StatementStatus.DRAFT
        ).delete()
        statement = Statement.objects.create(
            offering=offering,
            group=group,
            kind=kind,
            scheme=journal.scheme,
            number=_statement_number(offering, kind),
            based_on=based_on,
            created_by=actor,
            tutor=tutor,
        )
        lines = []
        for row in rows:
            line = StatementLine(statement=statement, student=row.student, **_line_values(row))
            if kind == StatementKind.FX_RESIT:
                base = base_lines[row.student_id]
                for column in ("tk1", "rk1", "tk2", "rk2"):
                    setattr(line, column, getattr(base, column))
            _apply_result(line, rules)
            lines.append(line)
        StatementLine.objects.bulk_create(lines)
        audit_record(
            actor=actor,
            action="gradebook.statement_generate",
            obj=statement,
            new={"number": statement.number, "kind": kind, "lines": len(lines)},
        )
    return statement


def statement_signers(statement: Statement) -> set[int]:
    required = set(statement.commission.values_list("pk", flat=True))
    if statement.tutor_id:
        required.add(statement.tutor_id)
    return required


def statement_sign(*, actor, statement: Statement) -> Statement:
    """The tutor's (and each commission member's) signature; signed once all have signed."""
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        required = statement_signers(statement)
        if not getattr(actor, "is_authenticated", False) or actor.pk not in required:
            raise PermissionDenied(
                _("Only the statement's tutor and its commission members sign it.")
            )
        if statement.status != StatementStatus.DRAFT:
            raise Conflict(_("This statement is already signed."), code="already_signed")
        statement.signed_by.add(actor)
        signed = set(statement.signed_by.values_list("pk", flat=True))
        if required <= signed:
            statement.status = StatementStatus.SIGNED
            statement.signed_at = timezone.now()
            statement.save(update_fields=["status", "signed_at"])
        audit_record(
            actor=actor,
            action="gradebook.statement_sign",
            obj=statement,
            new={"status": statement.status},
        )
    return statement


def statement_lock(*, actor, statement: Statement) -> Statement:
    """The registrar locks a signed statement: a ``FinalGrade`` per line (written once; locking
    again changes nothing), and the lines and the students' journal rows are frozen."""
    offering = CourseOffering.objects.select_related("discipline__department", "period").get(
        pk=statement.offering_id
    )
    if not policies.is_registrar_for(actor, offering):
        raise PermissionDenied(_("Only the registrar locks statements."))
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        if statement.status == StatementStatus.LOCKED:
            return statement
        if statement.status != StatementStatus.SIGNED:
            raise Conflict(
                _("The statement must be signed before it is locked."), code="not_signed"
            )
        statement.status = StatementStatus.LOCKED
        statement.locked_at = timezone.now()
        statement.locked_by = actor
        statement.save(update_fields=["status", "locked_at", "locked_by"])
        attempt = ATTEMPT_OF_KIND[statement.kind]
        discipline = offering.discipline
        for line in statement.lines.all():
            FinalGrade.objects.get_or_create(
                student_id=line.student_id,
                offering=offering,
                attempt_kind=attempt,
                defaults=_final_values(line, discipline, offering, statement, actor),
            )
        audit_record(
            actor=actor,
            action="gradebook.statement_lock",
            obj=statement,
            new={"status": statement.status, "lines": statement.lines.count()},
        )
    return statement


def _final_values(line, discipline, offering, statement, actor) -> dict:
    return {
        "discipline": discipline,
        "period_id": offering.period_id,
        "percent": line.percent if line.admitted else None,
        "letter": line.letter or computation.LETTER_F,
        "points": line.points if line.points is not None else Decimal(0),
        "credits": discipline.credits,
        "ects": discipline.ects,
        "statement": statement,
        "recorded_by": actor,
    }


def statement_correct(
    *, actor, statement: Statement, student, field: str, value, reason: str
) -> StatementLine:
    """The registrar's correction of a locked statement: the line is re-computed, its
    ``FinalGrade`` and the journal cell follow, audited (old -> new, why)."""
    offering = CourseOffering.objects.select_related("discipline__department", "period").get(
        pk=statement.offering_id
    )
    if not policies.is_registrar_for(actor, offering):
        raise PermissionDenied(_("Only the registrar corrects a locked statement."))
    if statement.status != StatementStatus.LOCKED:
        raise Conflict(
            _("Only a locked statement is corrected; change the journal instead."),
            code="not_locked",
        )
    if field not in LINE_COLUMNS:
        raise ValidationFailed(_("This column cannot be corrected."), code="bad_column")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the result must change."), code="reason_required")
    cleaned = clean_mark(value, column=field)
    student_id = _student_id(student)
    with transaction.atomic():
        try:
            line = StatementLine.objects.select_for_update().get(
                statement=statement, student_id=student_id
            )
        except StatementLine.DoesNotExist:
            raise NotFound(_("This student is not on this statement.")) from None
        old = _line_json(line)
        setattr(line, field, cleaned)
        _apply_result(line, statement.scheme.rules())
        line.save()
        values = _final_values(line, offering.discipline, offering, statement, actor)
        values.pop("recorded_by")
        FinalGrade.objects.update_or_create(
            student_id=student_id,
            offering=offering,
            attempt_kind=ATTEMPT_OF_KIND[statement.kind],
            defaults=values,
            create_defaults={**values, "recorded_by": actor},
        )
        _write(
            actor=actor,
            offering=offering,
            student=student_id,
            values={field: cleaned},
            reason=reason,
            source=Source.MANUAL,
            source_ref=f"statement:{statement.number}",
            may_edit_closed=True,
            statement_correction=True,
        )
        audit_record(
            actor=actor,
            action="gradebook.statement_correct",
            object_type="gradebook.statementline",
            object_id=f"{statement.pk}:{student_id}",
            old=old,
            new={**_line_json(line), "field": field},
            reason=reason,
        )
    return line
