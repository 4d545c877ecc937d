"""Bulk import of students, study groups and staff from spreadsheets.

The pipeline: ``formats.tables.read_table`` reads the file; ``keyed_rows`` maps its headers (English
keys or Russian/Kazakh aliases) to column keys; ``validate`` checks every row against the file
itself and the database and resolves codes to objects. Nothing in this package writes: the write is
``services.people_import``, which validates again and creates everything in one transaction.
"""

from .checks import validate
from .columns import (
    COLUMNS,
    PRIVILEGED_ROLES,
    TEMPLATE_FORMATS,
    Column,
    ImportKind,
    column_keys,
    keyed_rows,
    template_rows,
)
from .report import CleanRow, ImportRejected, ImportReport, RowError
from .values import transliterate, username_base

__all__ = [
    "COLUMNS",
    "PRIVILEGED_ROLES",
    "TEMPLATE_FORMATS",
    "CleanRow",
    "Column",
    "ImportKind",
    "ImportRejected",
    "ImportReport",
    "RowError",
    "column_keys",
    "keyed_rows",
    "template_rows",
    "transliterate",
    "username_base",
    "validate",
]
