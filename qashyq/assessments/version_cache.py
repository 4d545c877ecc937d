"""Question versions, read once per process for the attempt paths (start, read, submit).

A ``QuestionVersion`` never changes once saved (its ``save()`` and its queryset's ``update()``
refuse), and its id is never given to another row: PostgreSQL ids come from a sequence and
Django creates SQLite primary keys with ``AUTOINCREMENT``. So a version read once can be kept
for the life of the process: every student of an exam draws from the same bank, and an exam
storm would otherwise fetch and decode the same 30 texts and JSON documents a thousand times a
minute (bench/README.md, "exam storm").

Only versions that a committed attempt slot points at, or that a start is about to point at,
come through here, never an editor's unsaved preview. The tests clear the cache between tests
(``clear()``), because a rolled-back test transaction lets the next test reuse its ids.

Callers must treat the returned objects as read-only: they are shared between the requests of
the process (and its threads).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

from .models import AttemptSlot, QuestionVersion

# about 2-5 KB each: a few tens of MB at most, for the versions of every exam running at once
MAX_VERSIONS = 5_000

_lock = threading.Lock()
_versions: OrderedDict[int, QuestionVersion] = OrderedDict()


def versions_by_id(ids: Iterable[int]) -> dict[int, QuestionVersion]:
    """``{id: version}`` for the ids, reading from the database only those not seen yet (one
    query, or none)."""
    wanted = set(ids)
    found: dict[int, QuestionVersion] = {}
    with _lock:
        for version_id in wanted:
            version = _versions.get(version_id)
            if version is not None:
                _versions.move_to_end(version_id)
                found[version_id] = version
    missing = wanted - found.keys()
    if missing:
        fetched = QuestionVersion.objects.in_bulk(missing)
        with _lock:
            for version_id, version in fetched.items():
                _versions[version_id] = version
                found[version_id] = version
            while len(_versions) > MAX_VERSIONS:
                _versions.popitem(last=False)
    return found


def attach_versions(slots: list[AttemptSlot]) -> list[AttemptSlot]:
    """Give each slot its question version from the cache (one query at most)."""
    versions = versions_by_id(slot.question_version_id for slot in slots)
    for slot in slots:
        slot.question_version = versions[slot.question_version_id]
    return slots


def clear() -> None:
    with _lock:
        _versions.clear()
