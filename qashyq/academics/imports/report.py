"""What an import check found: the checked rows and every error with its row and column."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qashyq.core.errors import ValidationFailed


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class CleanRow:
    number: int
    data: dict[str, Any]


@dataclass
class ImportReport:
    kind: str
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    clean: list[CleanRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    file_name: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.clean)

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


class ImportRejected(ValidationFailed):
    """The file has errors; ``errors`` lists each one with its row number and column."""

    default_message = gettext_lazy("The file has errors; nothing was imported.")

    def __init__(self, errors: list[RowError], message: Any = None):
        self.errors = errors
        details = {
            _("row %(row)s, %(column)s") % {"row": e.row, "column": e.column}: e.message
            for e in errors
        }
        super().__init__(message, details=details)
