"""The journal as an XLSX workbook, and reading one back.

The layout (one sheet, the first row holds stable column keys, one row per student):
``student_id``, ``username``, ``full_name``, ``tk1``, ``rk1``, ``r1``, ``tk2``, ``rk2``, ``r2``,
``admission_rating``, ``exam``, ``final_percent``, ``letter``. On upload only the five mark
columns are read (computed columns and names are ignored); a student is found by
``student_id`` (or ``username`` when the id cell is empty). ``check_upload`` reports every bad
cell (row, column, reason) and the cells that would change; nothing is written here.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from qashyq.core.errors import ApplicationError, ValidationFailed
from qashyq.core.files.uploads import validate_upload

from . import selectors, services
from .models import COLUMNS, Source

HEADERS = [
    "student_id",
    "username",
    "full_name",
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
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number(value: Decimal | None):
    return None if value is None else float(value)


def journal_workbook(offering, rows: list[selectors.RowView]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "journal"
    sheet.append(HEADERS)
    for row in rows:
        result = row.result
        cells = row.cells
        sheet.append(
            [
                row.student.pk,
                row.student.username,
                row.student.full_name,
                _number(cells["tk1"].value),
                _number(cells["rk1"].value),
                _number(result.r1),
                _number(cells["tk2"].value),
                _number(cells["rk2"].value),
                _number(result.r2),
                _number(result.admission_rating),
                _number(cells["exam"].value),
                _number(result.final_percent),
                result.letter or "",
            ]
        )
    sheet.freeze_panes = "D2"
    sheet.column_dimensions["C"].width = 32
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class CellProblem:
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class CellChange:
    row: int
    student_id: int
    student_name: str
    column: str
    old: Decimal | None
    new: Decimal | None


@dataclass
class UploadReport:
    file_name: str
    problems: list[CellProblem] = field(default_factory=list)
    changes: list[CellChange] = field(default_factory=list)

    def values_by_student(self) -> dict[int, dict[str, str | None]]:
        """What to pass to ``marks_set``: per student, column -> value (a string, or None)."""
        out: dict[int, dict[str, str | None]] = {}
        for change in self.changes:
            out.setdefault(change.student_id, {})[change.column] = (
                None if change.new is None else str(change.new)
            )
        return out


def _read_rows(upload) -> list[tuple]:
    from openpyxl import load_workbook

    validate_upload(upload, max_bytes=MAX_BYTES, allowed_kinds={"xlsx"})
    upload.seek(0)
    try:
        workbook = load_workbook(io.BytesIO(upload.read()), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ValidationFailed(
            _("The file could not be read as an Excel workbook (XLSX)."), code="bad_xlsx"
        ) from exc
    try:
        rows = []
        for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1):
            if number > MAX_ROWS + 1:
                raise ValidationFailed(
                    _("The file has more than %(max)s rows.") % {"max": MAX_ROWS},
                    code="bad_xlsx",
                )
            rows.append(values)
        return rows
    finally:
        workbook.close()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def check_upload(offering, upload) -> UploadReport:
    """Read the workbook and compare it with the journal: every bad cell, every change."""
    raw = _read_rows(upload)
    report = UploadReport(file_name=getattr(upload, "name", "") or "journal.xlsx")
    header_row = next((i for i, values in enumerate(raw) if any(_text(v) for v in values)), None)
    if header_row is None:
        raise ValidationFailed(_("The file is empty."), code="bad_xlsx")
    headers = [_text(v).lower() for v in raw[header_row]]
    position = {key: i for i, key in enumerate(headers) if key}
    if "student_id" not in position and "username" not in position:
        raise ValidationFailed(
            _("The first row must hold the column keys of the journal, with student_id."),
            code="bad_xlsx",
        )
    mark_columns = [c for c in COLUMNS if c in position]
    if not mark_columns:
        raise ValidationFailed(
            _("The file has none of the columns tk1, rk1, tk2, rk2, exam."), code="bad_xlsx"
        )
    _scheme, rows = selectors.journal_rows(offering)
    by_id = {row.student.pk: row for row in rows}
    by_username = {row.student.username.lower(): row for row in rows}
    seen: set[int] = set()

    def cell(values, key):
        i = position.get(key)
        return values[i] if i is not None and i < len(values) else None

    for offset, values in enumerate(raw[header_row + 1 :], start=header_row + 2):
        if not any(_text(v) for v in values):
            continue
        student_key = _text(cell(values, "student_id"))
        username = _text(cell(values, "username")).lower()
        row = None
        if student_key:
            row = by_id.get(int(student_key)) if student_key.isdigit() else None
            who = student_key
        else:
            row = by_username.get(username)
            who = username
        if row is None:
            report.problems.append(
                CellProblem(
                    offset,
                    "student_id" if student_key else "username",
                    _("No student %(who)s is enrolled in this course.") % {"who": who or "-"},
                )
            )
            continue
        if row.student.pk in seen:
            report.problems.append(
                CellProblem(offset, "student_id", _("This student is in the file twice."))
            )
            continue
        seen.add(row.student.pk)
        for column in mark_columns:
            value = cell(values, column)
            try:
                new = services.clean_mark(value, column=column)
            except ApplicationError as exc:
                report.problems.append(CellProblem(offset, column, str(exc.message)))
                continue
            old = row.cells[column].value
            if new is None and row.cells[column].source == Source.AGGREGATED:
                continue  # an empty ТК over weekly marks: the mean stays, nothing to change
            if new != old:
                report.changes.append(
                    CellChange(offset, row.student.pk, row.student.full_name, column, old, new)
                )
    return report
