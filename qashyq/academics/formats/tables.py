"""Read and write simple tables: XLSX (openpyxl) and CSV as Excel and Platonus produce them.

CSV files come in UTF-8 (with or without a byte-order mark), in Windows-1251 (what a Russian or
Kazakh Windows saves by default) or, from Excel's "Unicode text", in UTF-16 with tabs. The
delimiter is a semicolon, a comma or a tab: whichever the header row holds most of.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from qashyq.core.errors import ValidationFailed

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .doc) container
_DELIMITERS = (";", ",", "\t")


@dataclass
class Table:
    """A header row and the data rows below it, each with its 1-based row number in the file."""

    headers: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    file_format: str = ""
    encoding: str = ""


def _unreadable(message: str) -> ValidationFailed:
    return ValidationFailed(message, details={"file": message})


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _build(raw_rows, file_format: str, encoding: str = "") -> Table:
    table: Table | None = None
    for number, raw in enumerate(raw_rows, start=1):
        cells = [_cell_text(v) for v in raw]
        if not any(cells):
            continue
        if table is None:
            table = Table(headers=cells, file_format=file_format, encoding=encoding)
            continue
        if len(table.rows) >= MAX_ROWS:
            raise _unreadable(
                _("The file has more than %(max)s rows; split it into smaller files.")
                % {"max": MAX_ROWS}
            )
        table.rows.append((number, cells))
    if table is None:
        raise _unreadable(_("The file is empty: the first row must hold the column headers."))
    return table


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise _unreadable(
            _(
                "The file could not be read as an Excel workbook (XLSX). "
                "Save it again as XLSX or CSV."
            )
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        return _build(sheet.iter_rows(values_only=True), "xlsx")
    finally:
        workbook.close()


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        try:
            return data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1251")
            except UnicodeDecodeError:
                text = None
            if text is not None and not any(ord(c) < 32 and c not in "\t\r\n" for c in text):
                return text, "cp1251"
    raise _unreadable(
        _(
            "The file is neither an Excel workbook (XLSX) nor a CSV text in UTF-8 or "
            "Windows-1251. Save it from Excel as “CSV UTF-8” or as XLSX and upload it again."
        )
    )


def _read_csv(data: bytes) -> Table:
    text, encoding = _decode(data)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(_DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _build(reader, "csv", encoding)
    except csv.Error as exc:
        raise _unreadable(_("The CSV file is malformed: %(error)s") % {"error": exc}) from exc


def read_table(upload) -> Table:
    """Read an uploaded XLSX or CSV file into a Table; raise ValidationFailed when it can't."""
    if upload is None:
        raise _unreadable(_("Choose a file to upload."))
    if getattr(upload, "size", 0) and upload.size > MAX_BYTES:
        raise _unreadable(_("The file is larger than 5 MB; split it into smaller files."))
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _unreadable(_("The file is larger than 5 MB; split it into smaller files."))
    if not data.strip():
        raise _unreadable(_("The file is empty: the first row must hold the column headers."))
    if data.startswith(_XLSX_MAGIC):
        return _read_xlsx(data)
    if data.startswith(_OLE_MAGIC):
        raise _unreadable(
            _("Old Excel files (.xls) are not supported. Save the file as XLSX or CSV.")
        )
    return _read_csv(data)


def write_xlsx(headers: list[str], rows: list[list[str]], *, title: str = "import") -> bytes:
    """A workbook with a bold header row; every cell is text so IINs keep their leading zeros."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column_cells in sheet.columns:
        width = max(len(str(c.value or "")) for c in column_cells) + 2
        sheet.column_dimensions[column_cells[0].column_letter].width = min(max(width, 10), 40)
        for cell in column_cells:
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(headers: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 with a byte-order mark and semicolons: what Excel opens correctly in kk/ru locales."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")
