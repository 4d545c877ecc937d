"""Statements (ведомость): generated from the journal, signed, locked into final grades,
corrected only by the registrar."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qashyq.academics.models import CourseOffering, PeriodKind
from qashyq.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record

from .. import computation, policies, selectors
from ..models import (
    COLUMN_LABELS,
    AttemptKind,
    FinalGrade,
    Source,
    Statement,
    StatementKind,
    StatementLine,
    StatementStatus,
)
from .journal import _journal, _student_id, _write, clean_mark

# --- statements (ведомость) -------------------------------------------------------------------

LINE_COLUMNS = ("tk1", "rk1", "tk2", "rk2", "exam")
ATTEMPT_OF_KIND = {
    StatementKind.EXAM: AttemptKind.REGULAR,
    StatementKind.FX_RESIT: AttemptKind.FX_RESIT,
    StatementKind.RETAKE: AttemptKind.RETAKE,
}
# The statements of one sitting of a course: a student is on at most one signed or locked
# statement of each group (an exam and a retake statement would both record the first result).
SITTINGS = {
    StatementKind.EXAM: (StatementKind.EXAM, StatementKind.RETAKE),
    StatementKind.RETAKE: (StatementKind.EXAM, StatementKind.RETAKE),
    StatementKind.FX_RESIT: (StatementKind.FX_RESIT,),
}
# Statements signed by a commission besides the tutor (issue 5, item 3): FX re-sits and
# retakes. Until the registrar names at least one member, such a statement cannot be signed.
COMMISSION_KINDS = (StatementKind.FX_RESIT, StatementKind.RETAKE)


def attempt_kind_for(statement_kind: str, period_kind: str) -> str:
    """The ``FinalGrade.attempt_kind`` a locked statement records. An exam or retake statement
    of a summer-semester offering records ``summer`` (also for a student whose earlier result
    was FX or F: the transcript flags it as a retake because an earlier attempt exists); an FX
    re-sit stays ``fx_resit`` in every period."""
    if period_kind == PeriodKind.SUMMER and statement_kind in SITTINGS[StatementKind.EXAM]:
        return AttemptKind.SUMMER
    return ATTEMPT_OF_KIND[statement_kind]


def statement_needs_commission(statement: Statement) -> bool:
    return statement.kind in COMMISSION_KINDS


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

    ``exam`` takes every student; ``retake`` only the students who study the discipline again
    (their latest result of it from an earlier period is F); ``fx_resit`` only the FX students
    of the offering's locked exam or retake statements who have no locked re-sit yet, with the
    admission they had and the exam cell as it is now (the re-sit mark). A draft of the same
    offering, group and kind is replaced."""
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
    if kind == StatementKind.RETAKE:
        earlier = selectors.latest_earlier_letters(offering, [r.student_id for r in rows])
        rows = [r for r in rows if earlier.get(r.student_id) == computation.LETTER_F]
    if kind == StatementKind.FX_RESIT:
        base = StatementLine.objects.filter(
            statement__offering=offering,
            statement__kind__in=SITTINGS[StatementKind.EXAM],
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
        message = (
            _(
                "Nobody on this course studies the discipline again: a retake statement lists "
                "only the students whose latest earlier result of it is F."
            )
            if kind == StatementKind.RETAKE
            else _("There is nobody to put on this statement.")
        )
        raise ValidationFailed(message, code="statement_empty")
    busy = (
        StatementLine.objects.filter(
            statement__offering=offering,
            statement__kind__in=SITTINGS[kind],
            student_id__in=[r.student_id for r in rows],
        )
        .exclude(statement__status=StatementStatus.DRAFT)
        .exists()
    )
    if busy:
        raise Conflict(
            _(
                "Some of these students are already on a signed or locked statement of this "
                "sitting."
            ),
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


def statement_signatures_complete(statement: Statement) -> bool:
    """Every required signer (the tutor, each commission member) has signed, and a statement
    that needs a commission has one."""
    commission = set(statement.commission.values_list("pk", flat=True))
    if statement_needs_commission(statement) and not commission:
        return False
    required = commission | ({statement.tutor_id} if statement.tutor_id else set())
    return required <= set(statement.signed_by.values_list("pk", flat=True))


def _mark_signed_if_complete(statement: Statement) -> None:
    if statement.status == StatementStatus.DRAFT and statement_signatures_complete(statement):
        statement.status = StatementStatus.SIGNED
        statement.signed_at = timezone.now()
        statement.save(update_fields=["status", "signed_at"])


def statement_sign(*, actor, statement: Statement) -> Statement:
    """The tutor's (and each commission member's) signature; signed once all have signed (a
    statement that needs a commission stays a draft until the registrar names one and every
    member has signed)."""
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        required = statement_signers(statement)
        if not getattr(actor, "is_authenticated", False) or actor.pk not in required:
            raise PermissionDenied(
                _("Only the statement's tutor and its commission members sign it.")
            )
        if statement.status != StatementStatus.DRAFT:
            raise Conflict(_("This statement is already signed."), code="already_signed")
        if statement.signed_by.filter(pk=actor.pk).exists():
            raise Conflict(_("You have already signed this statement."), code="already_signed")
        statement.signed_by.add(actor)
        _mark_signed_if_complete(statement)
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
        if statement.status != StatementStatus.SIGNED or not statement_signatures_complete(
            statement
        ):
            raise Conflict(
                _("The statement must be signed by everyone before it is locked."),
                code="not_signed",
            )
        statement.status = StatementStatus.LOCKED
        statement.locked_at = timezone.now()
        statement.locked_by = actor
        statement.save(update_fields=["status", "locked_at", "locked_by"])
        attempt = attempt_kind_for(statement.kind, offering.period.kind)
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
    statement = Statement.objects.select_related("scheme").get(pk=statement.pk)  # fresh status
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
            attempt_kind=attempt_kind_for(statement.kind, offering.period.kind),
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


COMMISSION_MAX = 7


def statement_commission_set(*, actor, statement: Statement, members) -> Statement:
    """The registrar names the commission of a draft statement (users or ids of academic staff,
    not the statement's tutor, at most ``COMMISSION_MAX``). A statement that needs a commission
    (``COMMISSION_KINDS``) needs at least one member. Signatures of members taken off are
    dropped; when everyone left has signed, the statement is signed. Audited (old -> new)."""
    offering = CourseOffering.objects.select_related("discipline__department", "period").get(
        pk=statement.offering_id
    )
    if not policies.can_assign_commission(actor, offering):
        raise PermissionDenied(_("Only the registrar names the commission of a statement."))
    try:
        ids = {m if isinstance(m, int) else int(getattr(m, "pk", m)) for m in members}
    except (TypeError, ValueError):
        raise ValidationFailed(_("Choose the commission members."), code="bad_member") from None
    if statement.tutor_id in ids:
        raise ValidationFailed(
            _("The tutor signs the statement already; choose other commission members."),
            code="tutor_in_commission",
        )
    if len(ids) > COMMISSION_MAX:
        raise ValidationFailed(
            _("A commission has at most %(max)s members.") % {"max": COMMISSION_MAX},
            code="commission_too_large",
        )
    if not ids and statement_needs_commission(statement):
        raise ValidationFailed(
            _("This statement is signed by a commission: name at least one member."),
            code="commission_required",
        )
    unfit = ids - selectors.commission_eligible_ids(ids)
    if unfit:
        raise ValidationFailed(
            _(
                "Only academic staff (tutors, heads of department, methodologists, program "
                "leaders, the rector and vice-rectors) sit on a commission."
            ),
            code="not_academic_staff",
            details={"users": sorted(unfit)},
        )
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        if statement.status != StatementStatus.DRAFT:
            raise Conflict(
                _("The commission of a signed or locked statement cannot change."),
                code="already_signed",
            )
        old = set(statement.commission.values_list("pk", flat=True))
        if old == ids:
            return statement
        statement.commission.set(ids)
        dropped = old - ids
        if dropped:
            statement.signed_by.remove(*dropped)
        _mark_signed_if_complete(statement)
        audit_record(
            actor=actor,
            action="gradebook.statement_commission",
            obj=statement,
            old={"commission": sorted(old)},
            new={"commission": sorted(ids), "status": statement.status},
        )
    return statement
