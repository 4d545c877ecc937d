"""Journal cells: checking a mark, writing one row's cells (with the row locked, every change
audited), the posting entry point for other apps, late edits of closed weeks, the XLSX import,
and the rule that a student on a locked statement keeps a frozen row."""

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

from .. import computation, policies, selectors
from ..models import (
    COLUMNS,
    CurrentMark,
    GradingScheme,
    Journal,
    JournalRow,
    LateEditRequest,
    LateEditStatus,
    MarkChange,
    Source,
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
    return _today() > week_closes_on(offering, scheme, week)


def _today() -> datetime.date:
    # Looked up on the package when called, so that tests may patch ``services.today``.
    from qashyq.gradebook import services

    return services.today()


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


def _refuse_if_locked(offering: CourseOffering, student_id: int, cleaned: dict) -> None:
    """A student on a locked statement of this offering keeps their journal row as locked: only
    the registrar's correction of the statement changes it. The one exception is the exam cell
    of an FX student (of an exam or a retake statement) while their re-sit statement is not
    locked yet (the re-sit mark goes there).
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
    fx_on_first_sitting = any(
        letter == computation.LETTER_FX and kind in (StatementKind.EXAM, StatementKind.RETAKE)
        for kind, letter in kinds
    )
    resit_open = fx_on_first_sitting and not any(
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
