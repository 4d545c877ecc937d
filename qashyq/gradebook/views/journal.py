"""The e-journal pages: the tutor's grid (keyboard-driven with journal.js, a plain form per row
without it), the weekly marks, XLSX download and upload, a student's and a parent's read-only
rows, and the registrar's queue of late edits. Thin: parse, call a service or selector, render.
"""

from __future__ import annotations

import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qashyq.accounts.roles import Role, ScopeType
from qashyq.accounts.selectors import has_role, role_scope_ids
from qashyq.core.errors import (
    ApplicationError,
    PermissionDenied,
    ValidationFailed,
)

from .. import policies, selectors, services, xlsx
from ..forms import AttendanceForm, JournalUploadForm, LateEditDecisionForm
from ..models import COLUMN_LABELS, COLUMNS, Source

SESSION_KEY = "gradebook_import"
SOURCE_SYMBOLS = {
    Source.MANUAL: "✎",
    Source.TEST: "T",
    Source.ASSIGNMENT: "S",
    Source.IMPORT: "⇪",
    Source.AGGREGATED: "Σ",
}
COMPUTED = ("r1", "r2", "admission_rating", "final_percent", "letter")


def fmt(value) -> str:
    """A mark as people write it: 85, 85.5, 43.75 (at most two decimals, no trailing zeros)."""
    if value is None:
        return ""
    number = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return format(number, "f")


def _labels() -> dict[str, str]:
    return {
        **{column: str(label) for column, label in COLUMN_LABELS.items()},
        "r1": _("R1"),
        "r2": _("R2"),
        "admission_rating": _("Admission rating"),
        "final_percent": _("Final %"),
        "letter": _("Letter"),
    }


def _source(cell) -> dict:
    if not cell.source:
        return {"code": "", "symbol": "", "title": ""}
    title = str(Source(cell.source).label)
    if cell.source_ref:
        title = f"{title}: {cell.source_ref}"
    return {"code": cell.source, "symbol": SOURCE_SYMBOLS.get(cell.source, "?"), "title": title}


def _row_context(row: selectors.RowView) -> dict:
    result = row.result
    marks = {
        column: {
            "column": column,
            "value": fmt(row.cells[column].value),
            "source": _source(row.cells[column]),
        }
        for column in COLUMNS
    }
    computed = {
        "r1": fmt(result.r1),
        "r2": fmt(result.r2),
        "admission_rating": fmt(result.admission_rating),
        "final_percent": fmt(result.final_percent),
        "letter": result.letter or "",
    }
    # The order of the grid: ТК1 РК1 Р1 ТК2 РК2 Р2 admission exam final letter.
    order = [
        ("tk1", None),
        ("rk1", None),
        (None, "r1"),
        ("tk2", None),
        ("rk2", None),
        (None, "r2"),
        (None, "admission_rating"),
        ("exam", None),
        (None, "final_percent"),
        (None, "letter"),
    ]
    cells = [{"mark": marks[m]} if m else {"computed": c, "value": computed[c]} for m, c in order]
    return {
        "student": row.student,
        "cells": cells,
        "admitted": result.admitted,
        "weekly": row.weekly,
    }


def _grid_columns() -> list[dict]:
    labels = _labels()
    keys = [
        "tk1",
        "rk1",
        "r1",
        "tk2",
        "rk2",
        "r2",
        "admission_rating",
        "exam",
        "final_percent",
        "letter",
    ]
    return [{"key": k, "label": labels[k], "computed": k not in COLUMNS} for k in keys]


def _offering(pk: int):
    return selectors.offering_for_journal(pk)


def _require_view(user, offering) -> None:
    if not policies.can_view_journal(user, offering):
        raise PermissionDenied(
            _(
                "This journal is open to the course's tutors and the staff responsible for it; "
                "students see their own row."
            )
        )


def _require_edit(user, offering) -> None:
    if not policies.can_edit_journal(user, offering):
        raise PermissionDenied(
            _("Only the tutors of this course and the registrar may change its journal.")
        )


def _journal_page(request, offering, *, row_errors=None, status=200):
    scheme, rows = selectors.journal_rows(offering)
    can_export = policies.can_export_journal(request.user, offering)
    return render(
        request,
        "gradebook/journal.html",
        {
            "offering": offering,
            "scheme": scheme,
            "columns": _grid_columns(),
            "rows": [_row_context(row) for row in rows],
            "can_edit": policies.can_edit_journal(request.user, offering),
            "can_export": can_export,
            "export_groups": list(offering.groups.all()) if can_export else [],
            "row_errors": row_errors or {},
            "sources": [
                {"code": s.value, "symbol": SOURCE_SYMBOLS[s], "label": s.label}
                for s in (
                    Source.MANUAL,
                    Source.TEST,
                    Source.ASSIGNMENT,
                    Source.IMPORT,
                    Source.AGGREGATED,
                )
            ],
        },
        status=status,
    )


def _current(row: selectors.RowView, column: str):
    if column in row.cells:
        return row.cells[column].value
    cell = row.weekly.get(int(column[1:]))
    return cell.value if cell is not None else None


def _changed_values(post, row: selectors.RowView, columns) -> dict:
    """The posted cells that differ from what the page showed. A value that does not parse is
    passed on as typed, for ``marks_set`` to refuse with its message."""
    values = {}
    for column in columns:
        if column not in post:
            continue
        text = post.get(column, "")
        try:
            new = services.clean_mark(text, column=column)
        except ValidationFailed:
            values[column] = text
            continue
        if new is None and column in row.cells and row.cells[column].source == Source.AGGREGATED:
            continue  # an empty ТК over weekly marks: the mean stays
        if new != _current(row, column):
            values[column] = text
    return values


def _student_from_post(request) -> int:
    try:
        return int(request.POST.get("student", ""))
    except ValueError:
        raise ValidationFailed(_("Choose a student."), code="no_student") from None


@login_required
def journal(request, pk: int):
    """The grid. POST (one row's form, no JavaScript needed) sets the row's changed marks."""
    offering = _offering(pk)
    if not policies.can_view_journal(request.user, offering):
        if request.method != "POST" and selectors.enrolled_among(
            offering, policies.own_row_ids(request.user)
        ):
            return redirect("gradebook:journal_mine", pk=offering.pk)
        _require_view(request.user, offering)
    if request.method != "POST":
        return _journal_page(request, offering)
    _require_edit(request.user, offering)
    student_id = _student_from_post(request)
    row = selectors.journal_row(offering, student_id)
    values = _changed_values(request.POST, row, COLUMNS)
    if not values:
        messages.info(request, _("Nothing changed."))
        return redirect(reverse("gradebook:journal", args=[offering.pk]) + f"#row-{student_id}")
    try:
        services.marks_set(
            actor=request.user,
            offering=offering,
            student=student_id,
            values=values,
            reason=request.POST.get("reason", ""),
        )
    except ApplicationError as exc:
        return _journal_page(
            request, offering, row_errors={student_id: str(exc.message)}, status=exc.status
        )
    messages.success(request, _("Saved the marks of %(name)s.") % {"name": row.student.full_name})
    return redirect(reverse("gradebook:journal", args=[offering.pk]) + f"#row-{student_id}")


@login_required
def journal_weeks(request, pk: int):
    """Weekly current-control marks (they average into ТК1/ТК2) and absences per week."""
    offering = _offering(pk)
    _require_view(request.user, offering)
    scheme, rows = selectors.journal_rows(offering)
    weeks = list(range(1, scheme.weeks + 1))
    row_errors = {}
    status = 200
    if request.method == "POST":
        _require_edit(request.user, offering)
        student_id = _student_from_post(request)
        row = selectors.journal_row(offering, student_id)
        values = _changed_values(request.POST, row, [f"w{w}" for w in weeks])
        anchor = reverse("gradebook:journal_weeks", args=[offering.pk]) + f"#row-{student_id}"
        if not values:
            messages.info(request, _("Nothing changed."))
            return redirect(anchor)
        try:
            outcome = services.marks_set(
                actor=request.user,
                offering=offering,
                student=student_id,
                values=values,
                reason=request.POST.get("reason", ""),
            )
        except ApplicationError as exc:
            row_errors = {student_id: str(exc.message)}
            status = exc.status
        else:
            if outcome.pending:
                messages.warning(
                    request,
                    _("Closed weeks: %(count)s change(s) wait for the registrar's approval.")
                    % {"count": len(outcome.requests)},
                )
            if outcome.changed:
                messages.success(
                    request, _("Saved the marks of %(name)s.") % {"name": row.student.full_name}
                )
            return redirect(anchor)
    absences = selectors.absences_by_week(offering)
    closed = {w for w in weeks if services.week_is_closed(offering, scheme, w)}
    table = [
        {
            "student": row.student,
            "weeks": [
                {
                    "week": w,
                    "name": f"w{w}",
                    "value": fmt(row.weekly[w].value) if w in row.weekly else "",
                    "source": _source(row.weekly.get(w, selectors.Cell(None))),
                    "absent": absences.get((row.student.pk, w), 0),
                    "closed": w in closed,
                }
                for w in weeks
            ],
            "tk1": fmt(row.cells["tk1"].value),
            "tk2": fmt(row.cells["tk2"].value),
        }
        for row in rows
    ]
    return render(
        request,
        "gradebook/journal_weeks.html",
        {
            "offering": offering,
            "scheme": scheme,
            "weeks": [{"number": w, "closed": w in closed} for w in weeks],
            "rows": table,
            "can_edit": policies.can_edit_journal(request.user, offering),
            "can_edit_closed": policies.is_registrar_for(request.user, offering),
            "row_errors": row_errors,
            "attendance_form": AttendanceForm(initial={"date": _class_day(offering), "slot": 1}),
        },
        status=status,
    )


def _class_day(offering):
    day = services.today()
    return min(max(day, offering.period.starts_on), offering.period.ends_on)


@login_required
@require_POST
def journal_attendance(request, pk: int):
    """Record one class: everyone present except the students ticked absent ("н")."""
    offering = _offering(pk)
    _require_edit(request.user, offering)
    form = AttendanceForm(request.POST)
    back = reverse("gradebook:journal_weeks", args=[offering.pk]) + "#attendance"
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.values()))
        return redirect(back)
    try:
        absent_ids = [int(v) for v in request.POST.getlist("absent")]
    except ValueError:
        raise ValidationFailed(_("Choose the students who were absent.")) from None
    count = services.attendance_record_class(
        actor=request.user,
        offering=offering,
        date=form.cleaned_data["date"],
        slot=form.cleaned_data["slot"],
        absent_ids=absent_ids,
    )
    messages.success(
        request,
        _("Attendance of %(date)s recorded: %(count)s absent.")
        % {"date": form.cleaned_data["date"].isoformat(), "count": count},
    )
    return redirect(back)


@login_required
def journal_mine(request, pk: int):
    """A student's own row, a parent's children's rows: read-only."""
    offering = _offering(pk)
    own = policies.own_row_ids(request.user)
    _scheme, rows = selectors.journal_rows(offering, student_ids=own)
    if not rows:
        raise PermissionDenied(_("You have no row in this journal."))
    return render(
        request,
        "gradebook/journal_mine.html",
        {
            "offering": offering,
            "columns": _grid_columns(),
            "rows": [_row_context(row) for row in rows],
            "absences": selectors.absences_by_week(offering, student_ids=own),
        },
    )


@login_required
def journal_xlsx(request, pk: int):
    offering = _offering(pk)
    _require_view(request.user, offering)
    _scheme, rows = selectors.journal_rows(offering)
    response = HttpResponse(xlsx.journal_workbook(offering, rows), content_type=xlsx.CONTENT_TYPE)
    name = f"journal-{offering.discipline.code}-{offering.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _import_page(request, offering, form, *, report=None, token="", status=200):
    return render(
        request,
        "gradebook/journal_import.html",
        {
            "offering": offering,
            "form": form,
            "report": report,
            "token": token,
            "labels": _labels(),
            "headers": xlsx.HEADERS,
        },
        status=status,
    )


@login_required
def journal_import(request, pk: int):
    """Upload an XLSX: a dry run lists every bad cell and every change; confirming applies
    all of it or nothing."""
    offering = _offering(pk)
    _require_edit(request.user, offering)
    if request.method != "POST":
        return _import_page(request, offering, JournalUploadForm())
    if "confirm" in request.POST or "cancel" in request.POST:
        return _import_confirm(request, offering)
    form = JournalUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, offering, form, status=400)
    try:
        report = xlsx.check_upload(offering, form.cleaned_data["file"])
    except ApplicationError as exc:
        form.add_error("file", str(exc.message))
        return _import_page(request, offering, form, status=400)
    if report.problems or not report.changes:
        request.session.pop(SESSION_KEY, None)
        return _import_page(
            request, offering, form, report=report, status=400 if report.problems else 200
        )
    token = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {
        "token": token,
        "user_id": request.user.pk,
        "offering_id": offering.pk,
        "file_name": report.file_name,
        "reason": form.cleaned_data["reason"],
        "values": {str(k): v for k, v in report.values_by_student().items()},
    }
    return _import_page(request, offering, form, report=report, token=token)


def _import_confirm(request, offering):
    stored = request.session.pop(SESSION_KEY, None)
    back = redirect("gradebook:journal_import", pk=offering.pk)
    if "cancel" in request.POST:
        messages.info(request, _("The upload was cancelled; nothing was changed."))
        return back
    if (
        not stored
        or stored.get("user_id") != request.user.pk
        or stored.get("offering_id") != offering.pk
        or not secrets.compare_digest(str(stored.get("token", "")), request.POST.get("token", ""))
    ):
        messages.error(request, _("This upload has expired or was already applied."))
        return back
    try:
        count = services.marks_import(
            actor=request.user,
            offering=offering,
            values_by_student={int(k): v for k, v in stored["values"].items()},
            reason=stored["reason"],
            source_ref=stored["file_name"],
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return back
    messages.success(
        request,
        _("Changed %(count)s marks from %(file)s.") % {"count": count, "file": stored["file_name"]},
    )
    return redirect("gradebook:journal", pk=offering.pk)


@login_required
def my_journal(request):
    """The courses of the signed-in student (or of a parent's children), each with a link to
    its read-only row."""
    own = policies.own_row_ids(request.user)
    enrollments = selectors.own_offerings(own)
    return render(request, "gradebook/my_journal.html", {"enrollments": enrollments})


def _require_registrar(user) -> None:
    faculties = role_scope_ids(user, Role.REGISTRAR, ScopeType.FACULTY)
    if not has_role(user, Role.REGISTRAR, [(ScopeType.FACULTY, pk) for pk in faculties]):
        raise PermissionDenied(_("Only the registrar decides on late edits."))


@login_required
def late_edits(request):
    _require_registrar(request.user)
    requests = selectors.late_edits_for(request.user, decide=policies.can_decide_late_edit)
    return render(
        request,
        "gradebook/late_edits.html",
        {"requests": requests, "form": LateEditDecisionForm()},
    )


@login_required
@require_POST
def late_edit_decide(request, pk: int):
    late = selectors.late_edit(pk)
    form = LateEditDecisionForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(_("Approve or reject the request."), code="bad_decision")
    approve = form.cleaned_data["decision"] == "approve"
    services.late_edit_decide(
        actor=request.user, request=late, approve=approve, note=form.cleaned_data["note"]
    )
    messages.success(
        request, _("The late edit was approved.") if approve else _("The late edit was rejected.")
    )
    return redirect("gradebook:late_edits")
