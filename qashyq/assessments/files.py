"""Reading the files students uploaded into their attempts (selectors; writes are
``services.attempts.attempt_file_upload``).

A file belongs to one slot of one attempt. The slot's answer references it by id
(``{"files": [ids]}`` for a file question, ``{"text", "files"}`` for an essay); a file the answer
no longer references (the student removed it, or uploaded it and never saved the answer) is kept
and listed with ``attached = False``: staff see it as "uploaded but not attached".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from qashyq.core import files as core_files

from .models import Attempt, AttemptFile, AttemptSlot, QType, QuestionVersion
from .services.validation import ESSAY_MAX_ATTACHMENTS, FILE_MAX_FILES, file_accept_kinds

API_PREFIX = "/api/v1"


def download_url(attempt_id: int, file_id: int) -> str:
    """The download address (owner and the course's staff; Range requests work)."""
    return f"{API_PREFIX}/attempts/{attempt_id}/files/{file_id}"


def slot_max_files(version: QuestionVersion) -> int:
    """How many files an answer to this question may reference (0: none)."""
    data = version.data if isinstance(version.data, dict) else {}
    if version.qtype == QType.FILE:
        value, high = data.get("max_files", 1), FILE_MAX_FILES
    elif version.qtype == QType.ESSAY:
        value, high = data.get("attachments", 0), ESSAY_MAX_ATTACHMENTS
    else:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        return 1 if version.qtype == QType.FILE else 0
    return max(0, min(value, high))


def slot_file_kinds(version: QuestionVersion) -> frozenset[str]:
    """The ``qashyq.core.files`` kinds a slot takes: a file question's ``accept``, any safe kind
    for an essay's attachments."""
    data = version.data if isinstance(version.data, dict) else {}
    if version.qtype == QType.FILE:
        accept = [a for a in data.get("accept") or [] if isinstance(a, str)]
        kinds = file_accept_kinds(accept) if accept else frozenset()
        return kinds or core_files.ANY_SAFE
    return core_files.ANY_SAFE


def accept_attribute(kinds: frozenset[str]) -> str:
    """The ``accept`` attribute of a file input for these kinds: MIME types (so a phone offers
    its camera or recorder) and extensions (so a desktop's dialog filters by name)."""
    mimes: set[str] = set()
    extensions: set[str] = set()
    for name in kinds:
        kind = core_files.KINDS.get(name)
        if kind is None:
            continue
        mimes.add(kind.mime_type)
        extensions.update(f".{e}" for e in kind.extensions)
    if "webm" in kinds:
        mimes.add("audio/webm")  # what a browser's recorder (MediaRecorder) makes
    mimes.discard("application/octet-stream")
    return ",".join(sorted(mimes) + sorted(extensions))


@dataclass(frozen=True)
class AttemptFileEntry:
    id: int
    slot: int  # the slot's number (the question's place in the attempt)
    name: str
    size: int
    kind: str
    mime_type: str
    sha256: str
    uploaded_at: datetime.datetime
    attached: bool  # the slot's current answer references it
    url: str


def _referenced(response) -> set[int]:
    if isinstance(response, dict) and isinstance(response.get("files"), list):
        return {i for i in response["files"] if isinstance(i, int) and not isinstance(i, bool)}
    return set()


def attempt_files(attempt: Attempt | int) -> list[AttemptFileEntry]:
    """Every file uploaded into the attempt, by slot number then upload order, each telling
    whether the slot's current answer references it. Two queries."""
    attempt_id = attempt if isinstance(attempt, int) else attempt.pk
    rows = list(
        AttemptFile.objects.filter(attempt_id=attempt_id)
        .select_related("slot")
        .order_by("slot__number", "pk")
    )
    if not rows:
        return []
    responses = dict(
        AttemptSlot.objects.filter(pk__in={r.slot_id for r in rows}).values_list(
            "pk", "answer__response"
        )
    )
    return [
        AttemptFileEntry(
            id=r.pk,
            slot=r.slot.number,
            name=r.original_name,
            size=r.size,
            kind=r.kind,
            mime_type=r.mime_type,
            sha256=r.sha256,
            uploaded_at=r.uploaded_at,
            attached=r.pk in _referenced(responses.get(r.slot_id)),
            url=download_url(attempt_id, r.pk),
        )
        for r in rows
    ]


def files_by_slot(attempt_id: int) -> dict[int, list[AttemptFile]]:
    """The uploaded files of an attempt by slot id (one query), for the JSON documents."""
    out: dict[int, list[AttemptFile]] = {}
    for row in AttemptFile.objects.filter(attempt_id=attempt_id).order_by("pk"):
        out.setdefault(row.slot_id, []).append(row)
    return out


def attempt_file_get(attempt: Attempt, file_id: int) -> AttemptFile | None:
    """One file of this attempt (None for another attempt's file or none at all)."""
    return AttemptFile.objects.filter(attempt_id=attempt.pk, pk=file_id).first()
