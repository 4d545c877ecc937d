"""Every write of the e-journal. Each checks a ``policies`` predicate (except the posting entry
point, whose caller has checked its own), validates all input before touching anything, runs
in one short transaction that locks the student's row (``select_for_update``), and writes every
changed cell to ``MarkChange`` and to the site's audit log (who, when, old -> new, why).

Entry points for people: ``mark_set`` / ``marks_set`` (a tutor or the registrar),
``attendance_set``, ``late_edit_decide`` (the registrar), the scheme services, the statement
services. Entry point for other apps: ``mark_post_from_source`` (tests, independent work,
imports). docs/subsystems/gradebook.md describes the rules.

The modules: ``journal`` (cells, late edits, import), ``attendance``, ``schemes``,
``statements``. Import from this package (``from qashyq.gradebook import services``); every
public name is here. ``today`` is looked up here when a week's closing is checked, so tests
patch ``services.today``.
"""

from __future__ import annotations

from .attendance import attendance_record_class, attendance_set
from .journal import (
    MARK_MAX,
    MARK_MIN,
    MARK_QUANTUM,
    PERSON_SOURCES,
    POSTING_SOURCES,
    WEEK_COLUMN,
    MarkOutcome,
    clean_mark,
    journal_for,
    late_edit_decide,
    mark_post_from_source,
    mark_set,
    marks_import,
    marks_set,
    parse_column,
    today,
    week_closes_on,
    week_is_closed,
)
from .schemes import (
    SCHEME_FIELDS,
    scheme_create,
    scheme_set_week_close,
    scheme_update,
    scheme_version_create,
)
from .statements import (
    ATTEMPT_OF_KIND,
    COMMISSION_KINDS,
    COMMISSION_MAX,
    LINE_COLUMNS,
    LINE_FIELDS,
    SITTINGS,
    attempt_kind_for,
    statement_commission_set,
    statement_correct,
    statement_generate,
    statement_lock,
    statement_needs_commission,
    statement_sign,
    statement_signatures_complete,
    statement_signers,
)

__all__ = [
    "ATTEMPT_OF_KIND",
    "COMMISSION_KINDS",
    "COMMISSION_MAX",
    "LINE_COLUMNS",
    "LINE_FIELDS",
    "MARK_MAX",
    "MARK_MIN",
    "MARK_QUANTUM",
    "PERSON_SOURCES",
    "POSTING_SOURCES",
    "SCHEME_FIELDS",
    "SITTINGS",
    "WEEK_COLUMN",
    "MarkOutcome",
    "attempt_kind_for",
    "attendance_record_class",
    "attendance_set",
    "clean_mark",
    "journal_for",
    "late_edit_decide",
    "mark_post_from_source",
    "mark_set",
    "marks_import",
    "marks_set",
    "parse_column",
    "scheme_create",
    "scheme_set_week_close",
    "scheme_update",
    "scheme_version_create",
    "statement_commission_set",
    "statement_correct",
    "statement_generate",
    "statement_lock",
    "statement_sign",
    "statement_needs_commission",
    "statement_signatures_complete",
    "statement_signers",
    "today",
    "week_closes_on",
    "week_is_closed",
]
