"""Importing a parsed question file into a bank, and exporting a bank back to a file.

``questions_import`` takes what ``formats.parse`` read (a ``ParseResult``) and turns every
``ParsedQuestion`` into a question through ``services.question_create``, with its category made
by ``services.category_ensure_path`` under the target category path and its tags. Every question
is checked first, exactly as the editor checks it (``validation.clean_version_fields``, which
runs ``validate_question_data``, and the tags and category names); a question the checks refuse
becomes a rejection with its line, next to those the reader already rejected.

All or nothing: when anything is rejected the import writes nothing, unless the caller chose to
skip the rejected questions; the accepted ones are then written in one transaction. A dry run
checks and counts and writes nothing (the web preview and ``--dry-run``). A written import is
recorded in the audit log with its counts.

Once only: the web import passes the random token of its upload (``upload_token``). The import
locks the bank's row, looks for an audit entry of the bank with that token and refuses
(``Conflict``, ``already_imported``) when there is one; its own entry carries the token. The
guard is the database's (the row lock and the audit entry commit together), so a double click,
two tabs or two web workers import an upload once, without a shared cache.

Leftovers: the web import keeps each upload under ``question-imports/`` between the preview and
the confirmation; confirming or cancelling deletes it, and ``pending_uploads_sweep`` (a periodic
job) deletes those left unconfirmed for a day (a closed tab, an expired session).

``bank_export`` writes the questions of a bank (or of one category and its subcategories) as GIFT
or Moodle XML; see docs/subsystems/questions.md, "Import and export".
"""

from __future__ import annotations

import datetime
import logging
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from qashyq.core.errors import Conflict, PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry
from qashyq.core.services import audit_record

from . import policies, selectors, services
from .formats import (
    QTYPES,
    ParsedQuestion,
    ParseResult,
    RejectedQuestion,
    export_gift,
    export_moodlexml,
)
from .formats.base import lazy_format
from .models import QuestionBank, QuestionCategory
from .services.validation import (
    CATEGORY_DEPTH_MAX,
    NAME_MAX,
    clean_tags,
    clean_version_fields,
)

__all__ = [
    "EXPORT_FORMATS",
    "PENDING_FOLDER",
    "PENDING_MAX_AGE",
    "ExportFile",
    "ImportReport",
    "bank_export",
    "guess_format",
    "pending_uploads_sweep",
    "questions_import",
]

logger = logging.getLogger(__name__)

AUDIT_ACTION = "questions.import"
# uploads waiting between the web preview and the confirmation
PENDING_FOLDER = "question-imports"
PENDING_MAX_AGE = datetime.timedelta(hours=24)
EXTENSION_FORMATS = {
    "gift": "gift",
    "xml": "moodlexml",
    "txt": "platonus",
    "docx": "platonus",
}


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a refused import, would do).

    ``counts``: the accepted questions per type (in the order of ``QTYPES``); ``categories``: the
    accepted questions per category path (the target path included); ``rejected``: every rejected
    question, the reader's and the validator's, by line; ``created``: the questions written (0
    unless ``written``). ``written`` is False for a dry run and for an import refused because
    something was rejected and ``skip_rejected`` was not chosen (then ``refused`` is True).
    """

    counts: dict[str, int] = field(default_factory=dict)
    categories: dict[tuple[str, ...], int] = field(default_factory=dict)
    rejected: list[RejectedQuestion] = field(default_factory=list)
    created: int = 0
    dry_run: bool = False
    skip_rejected: bool = False
    written: bool = False
    refused: bool = False
    question_ids: list[int] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return sum(self.counts.values())

    @property
    def ok(self) -> bool:
        """Nothing was rejected, or the rejected questions were skipped on purpose."""
        return not self.refused


def _clean_name(name: Any) -> str:
    if not isinstance(name, str):
        name = ""
    name = " ".join(unicodedata.normalize("NFC", name).split())
    if not name:
        raise ValidationFailed(_("A category needs a name."), code="title_required")
    if len(name) > NAME_MAX:
        raise ValidationFailed(
            _("The name is too long (at most %(max)s characters).") % {"max": NAME_MAX},
            code="title_too_long",
        )
    return name


def _clean_path(path: Iterable[str]) -> tuple[str, ...]:
    names = tuple(_clean_name(name) for name in path)
    if len(names) > CATEGORY_DEPTH_MAX:
        raise ValidationFailed(
            _("Categories can be nested at most %(max)s levels deep.")
            % {"max": CATEGORY_DEPTH_MAX},
            code="category_too_deep",
        )
    return names


def _check(question: ParsedQuestion, base: tuple[str, ...]) -> tuple[str, ...]:
    """Run the editor's checks on one parsed question; return its full category path."""
    clean_version_fields(
        qtype=question.qtype,
        name=question.name,
        text=question.text,
        text_format=question.text_format,
        data=question.data,
        general_feedback=question.general_feedback,
        default_mark=question.default_mark,
        penalty=question.penalty,
    )
    clean_tags(question.tags)
    return _clean_path((*base, *question.category))


def _rejection(question: ParsedQuestion, reason: Any) -> RejectedQuestion:
    return RejectedQuestion(line=question.line, reason=reason, source=question.title)


def questions_import(
    *,
    actor,
    bank: QuestionBank,
    result: ParseResult,
    category_path: Iterable[str] = (),
    skip_rejected: bool = False,
    dry_run: bool = False,
    source_name: str = "",
    source_format: str = "",
    upload_token: str = "",
) -> ImportReport:
    """Import the questions of ``result`` into ``bank`` under the category ``category_path``.

    Refused (``PermissionDenied``) when the actor may not edit the bank; ``ValidationFailed``
    when ``category_path`` is not a valid path; ``Conflict`` (``already_imported``) when an
    import with the same ``upload_token`` was written already. ``source_name`` and
    ``source_format`` only go to the audit log.
    """
    if not policies.can_edit_bank(actor, bank):
        raise PermissionDenied(_("You may not add questions to this bank."))
    if isinstance(category_path, str):
        category_path = (category_path,)
    base = _clean_path(category_path)

    accepted: list[tuple[ParsedQuestion, tuple[str, ...]]] = []
    rejected = list(result.rejected)
    for question in result.questions:
        try:
            path = _check(question, base)
        except ValidationFailed as exc:
            rejected.append(_rejection(question, exc.message))
        else:
            accepted.append((question, path))
    rejected.sort(key=lambda r: r.line)

    found = Counter(q.qtype for q, _path in accepted)
    report = ImportReport(
        counts={qtype: found[qtype] for qtype in QTYPES if found[qtype]},
        categories=dict(Counter(path for _q, path in accepted)),
        rejected=rejected,
        dry_run=dry_run,
        skip_rejected=skip_rejected,
        refused=bool(rejected) and not skip_rejected,
    )
    if dry_run or report.refused:
        return report

    with transaction.atomic():
        if upload_token:
            _claim_upload(bank, upload_token)
        categories: dict[tuple[str, ...], QuestionCategory | None] = {}
        for question, path in accepted:
            if path not in categories:
                categories[path] = services.category_ensure_path(actor=actor, bank=bank, path=path)
            created = services.question_create(
                actor=actor,
                bank=bank,
                qtype=question.qtype,
                text=question.text,
                data=question.data,
                category=categories[path],
                name=question.name,
                text_format=question.text_format,
                general_feedback=question.general_feedback,
                default_mark=question.default_mark,
                penalty=question.penalty,
                tags=question.tags,
            )
            report.question_ids.append(created.pk)
        report.created = len(report.question_ids)
        report.written = True
        audit_record(
            actor=actor,
            action=AUDIT_ACTION,
            obj=bank,
            new={
                "file": source_name,
                "format": source_format,
                "category": list(base),
                "created": report.created,
                "counts": report.counts,
                "rejected": len(rejected),
                "skip_rejected": skip_rejected,
                **({"token": upload_token} if upload_token else {}),
            },
        )
    return report


def _claim_upload(bank: QuestionBank, token: str) -> None:
    """Inside the import's transaction: lock the bank's row (a second import of the bank waits
    here until the first commits), then refuse a token an earlier import has written."""
    QuestionBank.objects.select_for_update().filter(pk=bank.pk).first()
    done = AuditLogEntry.objects.filter(
        action=AUDIT_ACTION,
        object_type=QuestionBank._meta.label_lower,
        object_id=str(bank.pk),
        new_value__token=token,
    ).exists()
    if done:
        raise Conflict(_("This upload has already been imported."), code="already_imported")


def pending_uploads_sweep(
    *,
    max_age: datetime.timedelta = PENDING_MAX_AGE,
    now: datetime.datetime | None = None,
    storage=None,
) -> int:
    """Delete the uploads under ``question-imports/`` kept for a preview longer than ``max_age``
    (never confirmed nor cancelled); returns how many. The pending entries live in the users'
    sessions only (no database rows): a preview whose file is gone says "upload it again". Safe
    to run twice and next to the web workers; a file it cannot read or delete is logged and left
    for the next run."""
    storage = storage or default_storage
    now = now or timezone.now()
    try:
        _folders, names = storage.listdir(PENDING_FOLDER)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    deleted = 0
    for name in names:
        path = f"{PENDING_FOLDER}/{name}"
        try:
            modified = storage.get_modified_time(path)
        except (OSError, NotImplementedError):
            logger.warning("Cannot read the age of the pending question import %s", path)
            continue
        if timezone.is_naive(modified):
            modified = timezone.make_aware(modified, datetime.UTC)
        if now - modified <= max_age:
            continue
        try:
            storage.delete(path)  # a file already gone is no error
        except OSError:
            logger.warning("Cannot delete the pending question import %s", path)
            continue
        deleted += 1
    return deleted


def guess_format(filename: str, head: bytes = b"") -> str | None:
    """The format of a question file from its extension (``.gift``, ``.xml``, ``.txt`` and
    ``.docx``: Platonus), else from its first bytes; None when neither tells."""
    extension = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower().lstrip(".")
    if extension in EXTENSION_FORMATS:
        return EXTENSION_FORMATS[extension]
    sample = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sample.startswith(b"<?xml") or sample.startswith(b"<quiz"):
        return "moodlexml"
    if b"<question" in sample and b"<variant" in sample:
        return "platonus"
    return None


# --- export ---------------------------------------------------------------------------------------

EXPORT_FORMATS = {
    "gift": ("gift", "text/plain; charset=utf-8"),
    "moodlexml": ("xml", "application/xml; charset=utf-8"),
}


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes
    count: int


def _parsed(question, paths: dict[int, tuple[str, ...]]) -> ParsedQuestion:
    version = question.current_version
    return ParsedQuestion(
        qtype=version.qtype,
        name=version.name,
        text=version.text,
        text_format=version.text_format,
        general_feedback=version.general_feedback,
        default_mark=float(version.default_mark),
        penalty=version.penalty,
        category=paths.get(question.category_id, ()),
        tags=tuple(tag.name for tag in question.tags.all()),
        data=version.data,
    )


def bank_export(
    *, actor, bank: QuestionBank, format: str, category: QuestionCategory | None = None
) -> ExportFile:
    """The bank's questions (not archived), or those of ``category`` and its subcategories, as a
    GIFT or Moodle XML file. Categories are written as their full path from the top of the bank,
    so importing the file into an empty bank rebuilds the tree."""
    if not policies.can_view_bank(actor, bank):
        raise PermissionDenied(_("You may not export this question bank."))
    if format not in EXPORT_FORMATS:
        raise ValidationFailed(
            lazy_format(
                _("Unknown question file format “%(format)s”: use one of %(formats)s."),
                {"format": format, "formats": ", ".join(EXPORT_FORMATS)},
            ),
            code="unknown_format",
        )
    if category is not None and category.bank_id != bank.pk:
        raise ValidationFailed(
            _("The category belongs to another question bank."), code="category_other_bank"
        )
    paths = {node.category.pk: node.path for node in selectors.category_tree(bank)}
    questions = [_parsed(q, paths) for q in selectors.bank_questions(bank, category=category)]
    # the file lists each category's questions together, in the order of the tree
    order = {path: index for index, path in enumerate(((), *paths.values()))}
    questions.sort(key=lambda q: order.get(q.category, 0))
    extension, content_type = EXPORT_FORMATS[format]
    content = (
        export_gift(questions).encode("utf-8") if format == "gift" else export_moodlexml(questions)
    )
    stem = bank.title if category is None else f"{bank.title} {paths[category.pk][-1]}"
    name = slugify(stem, allow_unicode=True)[:80] or "questions"
    return ExportFile(
        filename=f"{name}.{extension}",
        content_type=content_type,
        content=content,
        count=len(questions),
    )
