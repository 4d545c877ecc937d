"""Item analysis as a spreadsheet: the Questions, Options and Test sheets (openpyxl)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from .analysis import (
    TestAnalysis,
    flag_label,
    score_bands,
)

_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def _sheet_title(text: str) -> str:
    return str(text).translate(_SHEET_FORBIDDEN).strip()[:31] or "Sheet"


def _qtype_label(qtype: str) -> str:
    from qashyq.assessments.models import QType

    try:
        return str(QType(qtype).label)
    except ValueError:
        return qtype


def analysis_xlsx(analysis: TestAnalysis, *, title: str) -> bytes:
    """The analysis as a workbook: sheets Questions, Options and Test, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    def write(sheet, headers, rows, formats, widths):
        sheet.append([str(h) for h in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows:
            sheet.append([None] * len(row))
            for column, value in enumerate(row, start=1):
                cell = sheet.cell(row=sheet.max_row, column=column)
                if isinstance(value, str):
                    # Set as a string explicitly: a label starting with "=" must not become a
                    # formula in the tutor's spreadsheet.
                    cell.value = value
                    cell.data_type = "s"
                else:
                    cell.value = value
                    if formats[column - 1] and value is not None:
                        cell.number_format = formats[column - 1]
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = width
        sheet.freeze_panes = "A2"

    def flags_text(codes):
        return "; ".join(flag_label(code) for code in codes)

    workbook = Workbook()
    questions_sheet = workbook.active
    questions_sheet.title = _sheet_title(_("Questions"))
    labels = {q.question_id: q.label for q in analysis.questions}
    slots = {q.question_id: ", ".join(str(s) for s in q.slots) for q in analysis.questions}
    write(
        questions_sheet,
        [
            _("Slot"),
            _("Question"),
            _("Type"),
            _("Mark"),
            _("Graded responses"),
            _("Awaiting grade"),
            _("Facility, %"),
            _("Standard deviation, %"),
            _("Discrimination index (upper − lower 27%)"),
            _("Point-biserial (item − rest of test)"),
            _("Discriminative efficiency, %"),
            _("Flags"),
        ],
        [
            [
                slots[q.question_id],
                q.label,
                _qtype_label(q.qtype),
                q.max_mark,
                q.responses,
                q.pending,
                q.facility,
                q.sd,
                q.discrimination_index,
                q.point_biserial,
                q.discriminative_efficiency,
                flags_text(q.flags),
            ]
            for q in analysis.questions
        ],
        [None, None, None, "0.##", "0", "0", "0.0", "0.0", "0.00", "0.00", "0.0", None],
        [8, 48, 18, 8, 12, 12, 12, 14, 18, 18, 16, 60],
    )

    write(
        workbook.create_sheet(_sheet_title(_("Options"))),
        [
            _("Slot"),
            _("Question"),
            _("Option"),
            _("Credit, %"),
            _("Chosen by"),
            _("Share, %"),
            _("Point-biserial (choice − rest of test)"),
            _("Flags"),
        ],
        [
            [
                slots[o.question_id],
                labels[o.question_id],
                o.label,
                o.fraction * 100,
                o.chosen,
                o.share,
                o.point_biserial,
                flags_text(o.flags),
            ]
            for o in analysis.options
        ],
        [None, None, None, "0.##", "0", "0.0", "0.00", None],
        [8, 40, 40, 10, 10, 10, 18, 60],
    )

    s = analysis.summary
    bands = score_bands(t.percent for t in analysis.attempts if t.complete)
    summary_rows = [
        [_("Test"), title, None],
        [_("Complete attempts analysed"), s.attempts, "0"],
        [_("Attempts awaiting grading (left out)"), s.attempts_pending, "0"],
        [_("Questions"), s.questions, "0"],
        [_("Maximum mark"), s.max_mark, "0.##"],
        [_("Mean"), s.mean, "0.00"],
        [_("Median"), s.median, "0.00"],
        [_("Standard deviation"), s.sd, "0.00"],
        [_("Lowest score"), s.minimum, "0.00"],
        [_("Highest score"), s.maximum, "0.00"],
        [_("Mean, %"), s.mean_percent, "0.0"],
        [_("Median, %"), s.median_percent, "0.0"],
        [_("Skewness"), s.skewness, "0.00"],
        [_("Excess kurtosis"), s.kurtosis, "0.00"],
        [_("Cronbach's alpha"), s.alpha, "0.00"],
        [_("Standard error of measurement"), s.sem, "0.00"],
        [_("Error ratio, %"), s.error_ratio, "0.0"],
        [_("Flags"), flags_text(s.flags), None],
        [_("Score distribution"), None, None],
    ]
    summary_rows += [[f"{i * 10}–{(i + 1) * 10}%", count, "0"] for i, count in enumerate(bands)]
    test_sheet = workbook.create_sheet(_sheet_title(_("Test")))
    write(
        test_sheet,
        [_("Measure"), _("Value")],
        [row[:2] for row in summary_rows],
        [None, None],
        [40, 40],
    )
    for index, row in enumerate(summary_rows, start=2):
        if row[2] and row[1] is not None:
            test_sheet.cell(row=index, column=2).number_format = row[2]

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
