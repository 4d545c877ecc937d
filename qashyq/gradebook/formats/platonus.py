"""The journal export a Platonus operator loads: XLSX, or CSV as Russian-locale Excel writes it.

One header row, then one row per student (``selectors.ExportRow``), in the order of
``HEADERS``. The headers are the column names of Platonus's Russian interface and are part of
the format (an operator maps them once), so they are not translated.

* XLSX: IIN and record-book number are text (an IIN may start with 0); marks are numbers,
  rounded half up to two decimals; an empty mark is an empty cell.
* CSV: UTF-8 with a BOM, ``;`` between fields, CRLF line ends, and a **decimal comma**
  (``87,5``): what Excel in a Russian or Kazakh locale writes and reads as numbers
  (docs/subsystems/gradebook.md records why).
* A text cell that would start a formula (``=``, ``+``, ``-``, ``@``) gets a leading
  apostrophe in the CSV and is stored as text in the XLSX, so a name cannot run in Excel.
"""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from ..selectors import ExportRow

HEADERS = (
    "ИИН",
    "ФИО",
    "Номер зачетной книжки",
    "Группа",
    "Код дисциплины",
    "Дисциплина",
    "Кредиты",
    "ТК1",
    "РК1",
    "ТК2",
    "РК2",
    "Рейтинг допуска",
    "Экзамен",
    "Итоговая оценка, %",
    "Буквенная оценка",
    "Цифровой эквивалент",
    "Пропуски (н)",
)
TEXT_COLUMNS = ("ИИН", "Номер зачетной книжки")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@")
TWO_PLACES = Decimal("0.01")


def rounded(value: Decimal | None) -> Decimal | None:
    """Half up to two decimals, without trailing zeros (87.50 -> 87.5, 92.00 -> 92)."""
    if value is None:
        return None
    number = Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP).normalize()
    return number.quantize(Decimal(1)) if number == number.to_integral() else number


def _values(row: ExportRow) -> list:
    return [
        row.iin,
        row.full_name,
        row.record_book,
        row.group,
        row.discipline_code,
        row.discipline_name_ru,
        row.credits,
        rounded(row.tk1),
        rounded(row.rk1),
        rounded(row.tk2),
        rounded(row.rk2),
        rounded(row.admission),
        rounded(row.exam),
        rounded(row.final_percent),
        row.letter,
        rounded(row.points),
        row.absences,
    ]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def journal_csv(rows: list[ExportRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in _values(row)])
    return out.getvalue().encode("utf-8-sig")


def journal_xlsx(rows: list[ExportRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Журнал"
    sheet.append(list(HEADERS))
    text_columns = {HEADERS.index(name) + 1 for name in TEXT_COLUMNS}
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(_values(row), start=1):
            cell = sheet.cell(row=number, column=column)
            if isinstance(value, Decimal):
                cell.value = float(value)
            elif value is None:
                continue
            elif isinstance(value, str):
                cell.value = value
                cell.data_type = "s"  # never a formula, whatever the text starts with
                if column in text_columns:
                    cell.number_format = "@"
            else:
                cell.value = value
    sheet.freeze_panes = "C2"
    sheet.column_dimensions[get_column_letter(1)].width = 14
    sheet.column_dimensions[get_column_letter(2)].width = 34
    sheet.column_dimensions[get_column_letter(6)].width = 30
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
