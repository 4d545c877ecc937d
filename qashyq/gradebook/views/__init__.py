"""The gradebook's pages: ``journal`` (the grid, weekly marks, attendance, XLSX download and
upload, a student's and a parent's rows, late edits), ``statements`` (statements and their PDF)
and ``exports`` (the Platonus journal export)."""

from .exports import journal_platonus
from .journal import (
    journal,
    journal_attendance,
    journal_import,
    journal_mine,
    journal_weeks,
    journal_xlsx,
    late_edit_decide,
    late_edits,
    my_journal,
)
from .statements import (
    statement,
    statement_commission,
    statement_correct,
    statement_lock,
    statement_pdf,
    statement_sign,
    statements,
)

__all__ = [
    "journal",
    "journal_attendance",
    "journal_import",
    "journal_mine",
    "journal_platonus",
    "journal_weeks",
    "journal_xlsx",
    "late_edit_decide",
    "late_edits",
    "my_journal",
    "statement",
    "statement_commission",
    "statement_correct",
    "statement_lock",
    "statement_pdf",
    "statement_sign",
    "statements",
]
