"""Attempts that never lose an answer: start or resume, save one answer, next, submit, the
overdue sweep, grading by hand, regrading and the final mark.

The rules (docs/subsystems/attempts.md, "Server side"):

* the server's clock is the truth; an attempt's ``deadline`` is fixed at its start;
* a save is one short transaction: the attempt row is locked (``FOR NO KEY UPDATE``, so it waits
  for a concurrent submit and then sees it) and the answer is written by a conditional
  ``UPDATE … WHERE seq < new``, so a replayed or out-of-order save changes nothing;
* a save after the deadline plus ``QASHYQ_ATTEMPT_GRACE_SECONDS`` (default 30) or after the
  attempt finished is refused, and the refusal is logged (``AnswerEvent``);
* submit is idempotent; objective types are scored with ``scoring.score``, essays and files wait
  for a tutor;
* overdue attempts are finished by ``attempts_finish_overdue`` (a task, a management command, and
  lazily whenever an overdue attempt is read or written).
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import hmac
import ipaddress
import json
import logging
import random
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qashyq.academics.models import Enrollment, StudentProfile
from qashyq.core import files as core_files
from qashyq.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record

from .. import policies, scoring, version_cache
from ..files import slot_file_kinds, slot_max_files
from ..models import (
    MANUAL_QTYPES,
    Answer,
    AnswerEvent,
    AnswerOutcome,
    Attempt,
    AttemptFile,
    AttemptSlot,
    AttemptState,
    FinishedBy,
    GradingMethod,
    Navigation,
    QType,
    Question,
    QuestionVersion,
    Test,
    TestOverride,
)
from ..selectors_student import merge_overrides
from .tests_admin import eligible_questions, parse_ip_ranges
from .validation import rubric_of, rubric_points

logger = logging.getLogger(__name__)

__all__ = [
    "Effective",
    "answer_grade_manually",
    "answer_save",
    "attempt_file_upload",
    "attempt_finish_if_overdue",
    "attempt_next",
    "attempt_start_or_resume",
    "attempt_submit_by_id",
    "attempt_submit",
    "attempts_finish_overdue",
    "effective_settings",
    "grace",
    "offline_answers_apply",
    "response_files_problem",
    "response_problem",
    "test_final_mark",
    "test_regrade",
]

POINTS = Decimal("0.0001")
MAX_RESPONSE_BYTES = 200_000


def grace() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "QASHYQ_ATTEMPT_GRACE_SECONDS", 30))


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now if now is not None else timezone.now()


# --- effective settings (overrides) ---------------------------------------------------------------


@dataclass(frozen=True)
class Effective:
    opens_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    time_limit: int | None
    attempts_allowed: int


def effective_settings(test: Test, student) -> Effective:
    """The test's dates, time limit and attempts for one student after overrides: the student's
    own override wins field by field; of several group overrides the most lenient value counts."""
    group_ids = Enrollment.objects.filter(
        offering_id=test.offering_id, student_id=student.pk, group_id__isnull=False
    ).values("group_id")
    profile_groups = StudentProfile.objects.filter(user_id=student.pk).values("group_id")
    overrides = list(
        TestOverride.objects.filter(test_id=test.pk).filter(
            Q(student_id=student.pk) | Q(group_id__in=group_ids) | Q(group_id__in=profile_groups)
        )
    )
    return Effective(**merge_overrides(test, overrides))


# --- start or resume ------------------------------------------------------------------------------


def _ip_allowed(test: Test, ip: str | None) -> bool:
    if not test.allowed_ip_ranges.strip():
        return True
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in network for network in parse_ip_ranges(test.allowed_ip_ranges))


def _overdue(attempt: Attempt, now: datetime.datetime) -> bool:
    return (
        attempt.state == AttemptState.IN_PROGRESS
        and attempt.deadline is not None
        and now > attempt.deadline + grace()
    )


def attempt_start_or_resume(
    *,
    actor,
    test: Test,
    password: str | None = "",
    ip: str | None = None,
    now: datetime.datetime | None = None,
) -> tuple[Attempt, bool]:
    """The student's unfinished attempt (a reload, another device), or a new one. Returns
    ``(attempt, created)``. Refusals are ``PermissionDenied`` with the contract's codes:
    ``not_enrolled``, ``ip_not_allowed``, ``test_closed``, ``no_attempts_left``,
    ``wrong_password``. The password is asked only to start, not to resume.

    A new attempt carries its slots (with their versions and empty answers) in
    ``attempt.built_slots``, so that the caller can answer without reading them back."""
    now = _now(now)
    if not policies.can_take_test(actor, test):
        if not test.published:
            raise NotFound(_("There is no such test."))
        raise PermissionDenied(
            _("Only the students of this course may take this test."), code="not_enrolled"
        )
    if not _ip_allowed(test, ip):
        raise PermissionDenied(
            _("This test can be taken only from the rooms it is set for (your address: %(ip)s).")
            % {"ip": ip or "?"},
            code="ip_not_allowed",
        )
    # one query for both questions: is there an unfinished attempt, and how many were used
    mine = list(Attempt.objects.filter(test=test, student=actor).order_by("number"))
    existing = next((a for a in mine if a.state == AttemptState.IN_PROGRESS), None)
    if existing is not None:
        existing.test = test
        if not attempt_finish_if_overdue(existing, now=now):
            return existing, False
    effective = effective_settings(test, actor)
    if (effective.opens_at is not None and now < effective.opens_at) or (
        effective.closes_at is not None and now >= effective.closes_at
    ):
        raise PermissionDenied(_("The test is not open now."), code="test_closed")
    used = max((a.number for a in mine), default=0)
    if effective.attempts_allowed and used >= effective.attempts_allowed:
        raise PermissionDenied(
            _("You have used all your attempts at this test."), code="no_attempts_left"
        )
    if test.password and not hmac.compare_digest(
        str(password or "").strip().encode(), test.password.encode()
    ):
        raise PermissionDenied(_("The password is not right."), code="wrong_password")
    deadlines = []
    if effective.time_limit:
        deadlines.append(now + datetime.timedelta(minutes=effective.time_limit))
    if effective.closes_at is not None:
        deadlines.append(effective.closes_at)
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                test=test,
                student=actor,
                number=used + 1,
                started_at=now,
                deadline=min(deadlines) if deadlines else None,
                offline_key=base64.b64encode(secrets.token_bytes(32)).decode(),
                ip=ip or None,
            )
            attempt.built_slots = _build_slots(attempt, test)
    except IntegrityError:
        # a second start of the same student at the same moment (a double click, two devices):
        # the partial unique index let one through; answer with that one
        other = Attempt.objects.filter(
            test=test, student=actor, state=AttemptState.IN_PROGRESS
        ).first()
        if other is None:
            raise
        other.test = test
        return other, False
    attempt.test = test
    return attempt, True


def attempt_random(attempt_id: int) -> random.Random:
    """The attempt's own random generator: seeded from its id through the secret key, so the
    draw is the same whenever it is rebuilt but cannot be computed outside the server. Fairness,
    not secrecy, is asked of it (the student sees the questions anyway)."""
    seed = hmac.new(
        settings.SECRET_KEY.encode(), f"qashyq-attempt-{attempt_id}".encode(), "sha256"
    ).digest()
    return random.Random(seed)  # noqa: S311


def _build_slots(attempt: Attempt, test: Test) -> list[AttemptSlot]:
    """Draw the questions (seeded from the attempt id: a different draw per student, the same
    one whenever this attempt is rebuilt), shuffle, and fix the option orders."""
    rng = attempt_random(attempt.pk)
    picked: list[tuple[int, Decimal | None]] = []  # (version id, section mark)
    used: set[int] = set()
    sections = list(test.sections.prefetch_related("fixed_questions__question"))
    for section in sections:
        if section.category_id is not None:
            pool = sorted(
                eligible_questions(section)
                .exclude(pk__in=used)
                .values_list("pk", "current_version_id")
            )
            chosen = rng.sample(pool, min(section.count, len(pool)))
            if not test.shuffle_questions:
                chosen.sort()
        else:
            chosen = [
                (tq.question.pk, tq.question.current_version_id)
                for tq in section.fixed_questions.all()
                if tq.question.current_version_id is not None and not tq.question.archived
            ]
            if test.shuffle_questions:
                rng.shuffle(chosen)
        for question_id, version_id in chosen:
            used.add(question_id)
            picked.append((version_id, section.mark))
    if not picked:
        raise ValidationFailed(_("The test has no questions yet."), code="no_questions")
    versions = version_cache.versions_by_id(v for v, _m in picked)
    slots = []
    for number, (version_id, section_mark) in enumerate(picked, start=1):
        version = versions[version_id]
        if version.qtype == QType.DESCRIPTION:
            mark = Decimal(0)
        else:
            mark = section_mark if section_mark is not None else version.default_mark
        slots.append(
            AttemptSlot(
                attempt=attempt,
                number=number,
                question_version=version,
                option_order=option_order(version, rng, shuffle=test.shuffle_options),
                mark=mark,
            )
        )
    AttemptSlot.objects.bulk_create(slots)
    if any(s.pk is None for s in slots):  # pragma: no cover - databases without RETURNING
        slots = list(attempt.slots.order_by("number"))
    Answer.objects.bulk_create([Answer(slot=s) for s in slots])  # also sets each slot.answer
    attempt.max_score = sum((s.mark for s in slots), Decimal(0))
    Attempt.objects.filter(pk=attempt.pk).update(max_score=attempt.max_score)
    return slots


def option_order(version: QuestionVersion, rng: random.Random, *, shuffle: bool) -> dict:
    data = version.data if isinstance(version.data, dict) else {}
    qtype = version.qtype
    if qtype in (QType.SINGLE, QType.MULTIPLE):
        ids = [str(o.get("id")) for o in data.get("options") or []]
        if shuffle and data.get("shuffle", True):
            rng.shuffle(ids)
        return {"options": ids}
    if qtype == QType.MATCHING:
        pairs = [p for p in data.get("pairs") or [] if isinstance(p, dict)]
        prompts = [
            str(p.get("id"))
            for p in pairs
            if isinstance(p.get("prompt"), str) and p["prompt"].strip()
        ]
        if shuffle and data.get("shuffle", True):
            rng.shuffle(prompts)
        choices: list[str] = []
        for text in [p.get("answer") for p in pairs] + list(data.get("distractors") or []):
            if isinstance(text, str) and text.strip() and text not in choices:
                choices.append(text)
        # always shuffled: in the bank's order the choices would follow the prompts
        rng.shuffle(choices)
        return {"prompts": prompts, "choices": choices}
    if qtype == QType.ORDERING:
        correct = [str(i.get("id")) for i in data.get("items") or []]
        items = list(correct)
        # always shuffled, and never shown in the right order
        for _try in range(10):
            rng.shuffle(items)
            if items != correct:
                break
        if items == correct and len(items) > 1:
            items = items[1:] + items[:1]
        return {"items": items}
    if qtype == QType.CLOZE:
        gaps = {}
        for gap in data.get("gaps") or []:
            if isinstance(gap, dict) and gap.get("kind") == "single":
                ids = [str(o.get("id")) for o in gap.get("options") or []]
                if shuffle and gap.get("shuffle", True):
                    rng.shuffle(ids)
                gaps[str(gap.get("id"))] = ids
        return {"gaps": gaps} if gaps else {}
    return {}


# --- reading ------------------------------------------------------------------------------------


def attempt_finish_if_overdue(attempt: Attempt, *, now: datetime.datetime | None = None) -> bool:
    """The lazy half of the sweep: finish an attempt whose deadline (plus grace) has passed.
    Returns True when the attempt is (now) finished; refreshes ``attempt`` in place."""
    now = _now(now)
    if attempt.state != AttemptState.IN_PROGRESS:
        return True
    if not _overdue(attempt, now):
        return False
    finished = _finish(attempt.pk, by=FinishedBy.DEADLINE, now=now)
    for name in ("state", "finished_at", "finished_by", "score", "max_score", "needs_grading"):
        setattr(attempt, name, getattr(finished, name))
    return True


def attempt_get(attempt_id: int) -> Attempt | None:
    return Attempt.objects.select_related("test", "test__offering").filter(pk=attempt_id).first()


# --- saving one answer ----------------------------------------------------------------------------


def _is_text(value: Any, limit: int) -> bool:
    return isinstance(value, str) and len(value) <= limit


def _is_id(value: Any) -> bool:
    return _is_text(value, 64) or (isinstance(value, int) and not isinstance(value, bool))


def _is_files(value: Any) -> bool:
    return isinstance(value, list) and len(value) <= 10 and all(_is_id(v) for v in value)


def _gap_value(value: Any) -> bool:
    return (
        value is None
        or _is_text(value, 2_000)
        or (isinstance(value, int | float) and not isinstance(value, bool))
    )


def response_problem(qtype: str, response: Any) -> str | None:
    """Why a response has the wrong shape for its type (None: fine). Only the shape: unknown
    ids or wrong answers are the scoring engine's business and simply earn nothing."""
    if response is None:
        return None
    if len(json.dumps(response, ensure_ascii=False)) > MAX_RESPONSE_BYTES:
        return "too_large"
    ok: bool
    if qtype == QType.SINGLE:
        ok = _is_text(response, 64)
    elif qtype in (QType.MULTIPLE, QType.ORDERING):
        ok = (
            isinstance(response, list)
            and len(response) <= 200
            and all(_is_text(r, 64) for r in response)
        )
    elif qtype == QType.TRUEFALSE:
        ok = isinstance(response, bool)
    elif qtype == QType.SHORT:
        ok = _is_text(response, 2_000)
    elif qtype == QType.NUMERICAL:
        ok = _is_text(response, 100) or (
            isinstance(response, int | float) and not isinstance(response, bool)
        )
    elif qtype == QType.MATCHING:
        ok = isinstance(response, dict) and all(
            _is_text(k, 64) and (v is None or _is_text(v, 2_000)) for k, v in response.items()
        )
    elif qtype == QType.CLOZE:
        ok = isinstance(response, dict) and all(
            _is_text(k, 64) and _gap_value(v) for k, v in response.items()
        )
    elif qtype == QType.ESSAY:
        ok = (
            isinstance(response, dict)
            and set(response) <= {"text", "files"}
            and (response.get("text") is None or isinstance(response.get("text"), str))
            and (response.get("files") is None or _is_files(response.get("files")))
        )
    elif qtype == QType.FILE:
        ok = (
            isinstance(response, dict)
            and set(response) <= {"files"}
            and (response.get("files") is None or _is_files(response.get("files")))
        )
    else:  # description: nothing to answer
        ok = False
    return None if ok else "wrong_shape"


@dataclass(frozen=True)
class SaveResult:
    slot: int
    seq: int
    saved_at: datetime.datetime | None
    deadline: datetime.datetime | None
    saved: bool  # False: a replay or an out-of-order save that changed nothing


def _refused_finished() -> Conflict:
    return Conflict(
        _("The attempt is finished; answers can no longer be changed."), code="attempt_finished"
    )


def answer_save(
    *,
    actor,
    attempt: Attempt | int,
    slot: int,
    response: Any,
    seq: int,
    now: datetime.datetime | None = None,
    source: str = "",
) -> SaveResult:
    """Save one answer if ``seq`` is newer than the stored one. A stale ``seq`` changes nothing
    and answers the stored one. Refused (and logged): after the attempt finished or after its
    deadline plus the grace (``Conflict attempt_finished``), a response of the wrong shape
    (``ValidationFailed invalid_response``). In a sequential test only the current slot takes
    answers (earlier ones: ``Conflict slot_locked``; later ones do not exist yet).

    ``attempt`` may be the attempt's id (the API's save: one load of the attempt, the locked one):
    then somebody who may not write in it gets ``NotFound`` (as if it did not exist), checked
    under the lock before anything else."""
    by_id = not isinstance(attempt, Attempt)
    attempt_pk = attempt if by_id else attempt.pk
    if not by_id and not policies.can_write_attempt(actor, attempt):
        raise PermissionDenied(_("Only the student who took the attempt may answer in it."))
    if not by_id:
        _check_seq(seq)
    now = _now(now)
    outcome: str
    detail: dict[str, Any] = {"source": source} if source else {}
    with transaction.atomic():
        row = (
            AttemptSlot.objects.select_related("attempt", "attempt__test", "question_version")
            .only(*_SAVE_FIELDS)
            .select_for_update(no_key=True, of=("attempt",))
            .filter(attempt_id=attempt_pk, number=slot)
            .first()
        )
        locked = row.attempt if row is not None else None
        if by_id:
            if locked is None or not policies.can_write_attempt(actor, locked):
                if locked is None and _owns_attempt(actor, attempt_pk):
                    raise NotFound(_("There is no such question in this attempt."))
                raise NotFound(_("There is no such attempt."))
            _check_seq(seq)
        sequential = (
            locked is not None
            and locked.test.navigation == Navigation.SEQUENTIAL
            and locked.state == AttemptState.IN_PROGRESS
        )
        if row is None or (sequential and slot > locked.current_slot):
            raise NotFound(_("There is no such question in this attempt."))
        if locked.state != AttemptState.IN_PROGRESS:
            outcome = AnswerOutcome.REFUSED_FINISHED
        elif locked.deadline is not None and now > locked.deadline + grace():
            outcome = AnswerOutcome.REFUSED_LATE
            detail["deadline"] = locked.deadline.isoformat()
        elif sequential and slot < locked.current_slot:
            raise Conflict(
                _("This question is behind you: a sequential test has no way back."),
                code="slot_locked",
            )
        elif (
            problem := response_problem(row.question_version.qtype, response)
            or response_files_problem(row, response)
        ) is not None:
            outcome = AnswerOutcome.INVALID
            detail["problem"] = problem
        else:
            updated = Answer.objects.filter(slot_id=row.pk, seq__lt=seq).update(
                response=response, seq=seq, saved_at=now
            )
            if updated:
                return SaveResult(slot, seq, now, locked.deadline, True)
            outcome = AnswerOutcome.STALE
        AnswerEvent.objects.create(
            attempt_id=attempt_pk, slot_number=slot, seq=seq, outcome=outcome, at=now, detail=detail
        )
        if outcome == AnswerOutcome.STALE:
            stored = Answer.objects.filter(slot_id=row.pk).values("seq", "saved_at").get()
            return SaveResult(slot, stored["seq"], stored["saved_at"], locked.deadline, False)
    if outcome == AnswerOutcome.INVALID:
        if detail.get("problem") == "unknown_file":
            raise ValidationFailed(
                _("The answer names a file that was not uploaded to this question."),
                code="invalid_response",
            )
        if detail.get("problem") == "too_many_files":
            raise ValidationFailed(
                _("The answer has more files than this question allows."),
                code="invalid_response",
            )
        raise ValidationFailed(
            _("The answer has the wrong form for this question."), code="invalid_response"
        )
    if outcome == AnswerOutcome.REFUSED_LATE:
        attempt_finish_if_overdue(locked if by_id else attempt, now=now)
    raise _refused_finished()


# what a save reads of the locked slot: the version's ``data`` only for a response with files
_SAVE_FIELDS = (
    "id",
    "attempt",
    "question_version",
    "attempt__student",
    "attempt__state",
    "attempt__deadline",
    "attempt__current_slot",
    "attempt__test",
    "attempt__test__navigation",
    "question_version__qtype",
)


def _check_seq(seq: Any) -> None:
    if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= 2**62:
        raise ValidationFailed(_("The sequence number must be a positive integer."), code="bad_seq")


def _owns_attempt(actor, attempt_id: Any) -> bool:
    """May ``actor`` write in the attempt (False: there is none)? For a save's 404 message."""
    attempt = Attempt.objects.only("id", "student_id").filter(pk=attempt_id).first()
    return attempt is not None and policies.can_write_attempt(actor, attempt)


# --- files of an answer (a file question, an essay's attachments) ------------------------------


def response_file_ids(response: Any) -> list:
    """The file ids an essay or file response references (as sent)."""
    if isinstance(response, dict) and isinstance(response.get("files"), list):
        return list(response["files"])
    return []


def response_files_problem(slot: AttemptSlot, response: Any) -> str | None:
    """Why the files of a response cannot be taken (None: fine): more than the question allows
    (``too_many_files``), or an id that is not a file uploaded to this very slot
    (``unknown_file``: another attempt's, another question's, a made-up number, twice)."""
    if slot.question_version.qtype not in MANUAL_QTYPES:
        return None
    ids = response_file_ids(response)
    if not ids:
        return None
    if len(ids) > slot_max_files(slot.question_version):
        return "too_many_files"
    if any(isinstance(i, bool) or not isinstance(i, int) for i in ids) or len(set(ids)) != len(ids):
        return "unknown_file"
    found = AttemptFile.objects.filter(slot_id=slot.pk, pk__in=ids).count()
    return None if found == len(ids) else "unknown_file"


def attempt_file_max_bytes() -> int:
    return settings.QASHYQ_ATTEMPT_FILE_MAX_MB * 1024 * 1024


# every upload into one slot, attached or not: a bound on what one student can store
MAX_UPLOADS_PER_SLOT = 30


def _upload_refusal(
    attempt: Attempt, row: AttemptSlot, now: datetime.datetime, *, current_slot: int
) -> tuple[str | None, Exception | None]:
    """The reason an upload into ``row`` is refused now: ``(outcome to log, error)``."""
    if attempt.state != AttemptState.IN_PROGRESS:
        return AnswerOutcome.REFUSED_FINISHED, _refused_finished()
    if attempt.deadline is not None and now > attempt.deadline + grace():
        return AnswerOutcome.REFUSED_LATE, _refused_finished()
    if attempt.test.navigation == Navigation.SEQUENTIAL and row.number < current_slot:
        return None, Conflict(
            _("This question is behind you: a sequential test has no way back."),
            code="slot_locked",
        )
    limit = slot_max_files(row.question_version)
    if limit == 0:
        return None, ValidationFailed(_("This question takes no files."), code="files_not_allowed")
    answer = Answer.objects.filter(slot_id=row.pk).values_list("response", flat=True).first()
    if len(response_file_ids(answer)) >= limit:
        return None, ValidationFailed(
            _("This question takes at most %(count)s files: remove one first.") % {"count": limit},
            code="too_many_files",
            details={"max_files": limit},
        )
    if AttemptFile.objects.filter(slot_id=row.pk).count() >= MAX_UPLOADS_PER_SLOT:
        return None, ValidationFailed(
            _("Too many files were uploaded to this question."), code="too_many_uploads"
        )
    return None, None


def attempt_file_upload(
    *, actor, attempt: Attempt, slot: int, upload, now: datetime.datetime | None = None
) -> AttemptFile:
    """Store one file a student uploads into a slot of their attempt (a file question, an
    essay's attachment). The owner only, while the attempt is in progress and before its
    deadline plus the grace (a late upload is refused and logged like a late save). The file is
    sniffed against the question's ``accept`` kinds and the size limit
    (``QASHYQ_ATTEMPT_FILE_MAX_MB``, default 50) and stored atomically; refused, nothing is
    stored. At most ``max_files`` (``attachments`` for an essay) counting the files the current
    response references. The response then references the file through ``answer_save``."""
    if not policies.can_write_attempt(actor, attempt):
        raise PermissionDenied(_("Only the student who took the attempt may answer in it."))
    row = (
        AttemptSlot.objects.select_related("question_version")
        .filter(attempt_id=attempt.pk, number=slot)
        .first()
    )
    sequential = attempt.test.navigation == Navigation.SEQUENTIAL
    if row is None or (
        sequential and attempt.state == AttemptState.IN_PROGRESS and slot > attempt.current_slot
    ):
        raise NotFound(_("There is no such question in this attempt."))

    now = _now(now)
    # cheap checks first, without a lock, so a refused upload is not even read
    outcome, error = _upload_refusal(attempt, row, now, current_slot=attempt.current_slot)
    if error is not None:
        _refuse_upload(attempt, slot, upload, outcome, error, now)
    max_bytes = attempt_file_max_bytes()
    kinds = slot_file_kinds(row.question_version)
    checked = core_files.validate_upload(upload, max_bytes=max_bytes, allowed_kinds=kinds)
    stored = core_files.store_upload(
        upload, folder=f"attempt-files/{attempt.pk}", max_bytes=max_bytes
    )
    try:
        with transaction.atomic():
            # the attempt's row lock: a concurrent submit either sees this file or refuses it
            locked = Attempt.objects.select_for_update(no_key=True).get(pk=attempt.pk)
            locked.test = attempt.test
            outcome, error = _upload_refusal(locked, row, now, current_slot=locked.current_slot)
            record = None
            if error is None:
                record = AttemptFile.objects.create(
                    attempt=locked,
                    slot=row,
                    file=stored.name,
                    original_name=stored.original_name[:255] or "file",
                    kind=checked.kind,
                    mime_type=checked.mime_type,
                    size=stored.size,
                    sha256=stored.sha256,
                    uploaded_at=now,
                )
    except BaseException:
        _delete_quietly(stored.name)
        raise
    if record is None:
        _delete_quietly(stored.name)
        _refuse_upload(attempt, slot, upload, outcome, error, now)
    return record


def _delete_quietly(name: str) -> None:
    with contextlib.suppress(OSError):  # best effort: a refused upload keeps nothing
        default_storage.delete(name)


def _refuse_upload(attempt, slot, upload, outcome, error, now) -> NoReturn:
    """Log a late or finished refusal as a refused save is logged, then raise ``error``."""
    if outcome is not None:
        detail: dict[str, Any] = {
            "source": "upload",
            "name": str(getattr(upload, "name", "") or "")[:255],
        }
        if attempt.deadline is not None:
            detail["deadline"] = attempt.deadline.isoformat()
        AnswerEvent.objects.create(
            attempt_id=attempt.pk, slot_number=slot, seq=0, outcome=outcome, at=now, detail=detail
        )
        if outcome == AnswerOutcome.REFUSED_LATE:
            attempt_finish_if_overdue(attempt, now=now)
    raise error


# --- next, submit, sweep --------------------------------------------------------------------------


def attempt_next(*, actor, attempt: Attempt, now: datetime.datetime | None = None) -> Attempt:
    """Move a sequential attempt to its next question (no way back)."""
    if not policies.can_write_attempt(actor, attempt):
        raise PermissionDenied(_("Only the student who took the attempt may answer in it."))
    now = _now(now)
    if attempt_finish_if_overdue(attempt, now=now):
        raise _refused_finished()
    if attempt.test.navigation != Navigation.SEQUENTIAL:
        raise ValidationFailed(
            _("This test lets you move between questions freely."), code="not_sequential"
        )
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.state != AttemptState.IN_PROGRESS:
            raise _refused_finished()
        count = AttemptSlot.objects.filter(attempt_id=locked.pk).count()
        if locked.current_slot >= count:
            raise Conflict(_("This is the last question."), code="last_slot")
        locked.current_slot += 1
        Attempt.objects.filter(pk=locked.pk).update(current_slot=locked.current_slot)
    attempt.current_slot = locked.current_slot
    return attempt


def _points(mark: Decimal, fraction: float) -> Decimal:
    return (mark * Decimal(str(fraction))).quantize(POINTS)


def _score_slots(slots: list[AttemptSlot]) -> list[Answer]:
    """Score every answer of the slots; returns the answers whose score changed."""
    changed = []
    for slot in slots:
        version = slot.question_version
        answer = slot.answer
        fraction = scoring.score(version.qtype, version.data, answer.response)
        points = None if fraction is None else _points(slot.mark, fraction)
        if fraction != answer.fraction or points != answer.points:
            answer.fraction, answer.points = fraction, points
            changed.append(answer)
    return changed


def _store_scores(answers: list[Answer]) -> None:
    """Write the answers' new fraction and points: one parameterised UPDATE sent for each row
    in a batch (``executemany``). ``bulk_update`` would build a CASE expression of every row
    for each column, which cost more CPU than the scoring itself in a submit wave
    (bench/README.md, "exam storm")."""
    if not answers:
        return
    table = connection.ops.quote_name(Answer._meta.db_table)
    fraction = connection.ops.quote_name(Answer._meta.get_field("fraction").column)
    points = connection.ops.quote_name(Answer._meta.get_field("points").column)
    pk = connection.ops.quote_name(Answer._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {fraction} = %s, {points} = %s WHERE {pk} = %s",  # noqa: S608
            [(a.fraction, a.points, a.pk) for a in answers],
        )


def _total(attempt: Attempt, slots: list[AttemptSlot]) -> None:
    attempt.score = sum(
        (s.answer.effective_points or Decimal(0) for s in slots), Decimal(0)
    ).quantize(POINTS)
    attempt.max_score = sum((s.mark for s in slots), Decimal(0))
    attempt.needs_grading = any(
        s.question_version.qtype in MANUAL_QTYPES and s.answer.manual_points is None for s in slots
    )


def _finish(attempt_id: int, *, by: str, now: datetime.datetime) -> Attempt:
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt_id)
        _finish_locked(attempt, by=by, now=now)
    return attempt


def _finish_locked(attempt: Attempt, *, by: str, now: datetime.datetime) -> None:
    """Score and finish ``attempt``, whose row the caller holds locked (a finished one is left
    as it is)."""
    if attempt.state == AttemptState.IN_PROGRESS:
        slots = version_cache.attach_versions(
            list(AttemptSlot.objects.filter(attempt_id=attempt.pk).select_related("answer"))
        )
        changed = _score_slots(slots)
        if changed:
            _store_scores(changed)
        _total(attempt, slots)
        attempt.state = AttemptState.FINISHED
        attempt.finished_at = now
        attempt.finished_by = by
        attempt.save(
            update_fields=[
                "state",
                "finished_at",
                "finished_by",
                "score",
                "max_score",
                "needs_grading",
            ]
        )


def attempt_submit_by_id(
    *, actor, attempt_id: int, now: datetime.datetime | None = None
) -> Attempt:
    """The API's submit, with one load of the attempt (the locked one, with its test and
    offering), as the save does. The same rules as ``attempt_submit``: the owner submits, a tutor
    of the course may finish a student's attempt, an overdue attempt is finished by its deadline,
    and a second call answers the same. Anybody else gets ``NotFound``, as if it did not exist."""
    now = _now(now)
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("test", "test__offering")
            .filter(pk=attempt_id)
            .first()
        )
        if attempt is None or not policies.can_finish_attempt(actor, attempt):
            raise NotFound(_("There is no such attempt."))
        if _overdue(attempt, now):
            by = FinishedBy.DEADLINE
        elif attempt.student_id == actor.pk:
            by = FinishedBy.STUDENT
        else:
            by = FinishedBy.STAFF
        _finish_locked(attempt, by=by, now=now)
    return attempt


def attempt_submit(*, actor, attempt: Attempt, now: datetime.datetime | None = None) -> Attempt:
    """Finish the attempt and score it; a second call answers the same (idempotent). The owner
    submits; a tutor of the course may finish a student's attempt (``finished_by = staff``)."""
    if not policies.can_finish_attempt(actor, attempt):
        raise PermissionDenied(_("Only the student who took the attempt may submit it."))
    finished = attempt_submit_by_id(actor=actor, attempt_id=attempt.pk, now=now)
    finished.test = attempt.test
    return finished


def attempts_finish_overdue(*, now: datetime.datetime | None = None) -> int:
    """The sweep: finish every attempt whose deadline plus the grace has passed. Safe to run
    twice or concurrently (each attempt is finished under its row lock, once)."""
    now = _now(now)
    ids = list(
        Attempt.objects.filter(
            state=AttemptState.IN_PROGRESS, deadline__lt=now - grace()
        ).values_list("pk", flat=True)
    )
    finished = 0
    for attempt_id in ids:
        attempt = _finish(attempt_id, by=FinishedBy.DEADLINE, now=now)
        finished += attempt.finished_by == FinishedBy.DEADLINE and attempt.finished_at == now
    if finished:
        logger.info("Finished %s overdue attempts", finished)
    return finished


# --- grading by hand, regrading, final mark -------------------------------------------------------


def answer_grade_manually(
    *,
    actor,
    answer: Answer,
    points: Any = None,
    comment: str = "",
    rubric_levels: dict[str, str] | None = None,
) -> Answer:
    """A tutor's mark for one answer (an essay, a file, or overriding the automatic score);
    ``points`` None (and no ``rubric_levels``) gives the answer back to the automatic score.
    With ``rubric_levels`` (``{criterion id: level id}``, one level for every criterion of the
    rubric of the slot's question version) the points are computed from the rubric
    (``validation.rubric_points``: chosen / rubric total × the slot's mark) and the choice is
    kept on the answer; ``points`` must then be left out. Audit-logged."""
    slot = AttemptSlot.objects.select_related("attempt", "attempt__test", "question_version").get(
        pk=answer.slot_id
    )
    attempt = slot.attempt
    if not policies.can_grade_attempt(actor, attempt):
        raise PermissionDenied(_("Only the tutors of this course grade its tests."))
    if attempt.state != AttemptState.FINISHED:
        raise Conflict(_("The attempt is not finished yet."), code="attempt_in_progress")
    chosen: dict[str, str] = {}
    rubric_audit: list[dict[str, Any]] = []
    if rubric_levels is not None:
        if points is not None:
            raise ValidationFailed(
                _("Give either the points or the rubric levels, not both."),
                code="points_and_rubric",
            )
        rubric = rubric_of(slot.question_version.data)
        if rubric is None:
            raise ValidationFailed(_("This question has no rubric."), code="no_rubric")
        points, chosen = rubric_points(rubric, rubric_levels, slot.mark)
        for criterion in rubric:
            level = next(lv for lv in criterion["levels"] if lv["id"] == chosen[criterion["id"]])
            rubric_audit.append(
                {
                    "criterion": criterion["id"],
                    "level": level["id"],
                    "label": level["label"],
                    "points": level["points"],
                }
            )
    if points is not None:
        try:
            points = Decimal(str(points))
            if not points.is_finite():
                raise ArithmeticError
            points = points.quantize(POINTS)
        except ArithmeticError:
            raise ValidationFailed(_("The points must be a number."), code="bad_points") from None
        if not Decimal(0) <= points <= slot.mark:
            raise ValidationFailed(
                _("The points must be between 0 and %(mark)s.") % {"mark": slot.mark},
                code="bad_points",
            )
    comment = str(comment or "")[:10_000]
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        row = Answer.objects.get(pk=answer.pk)
        old = {
            "manual_points": None if row.manual_points is None else str(row.manual_points),
            "comment": row.comment,
            "rubric_levels": row.rubric_levels or {},
            "attempt_score": None if locked.score is None else str(locked.score),
        }
        row.manual_points = points
        row.comment = comment
        row.rubric_levels = chosen
        row.graded_by = actor
        row.graded_at = timezone.now()
        row.save(
            update_fields=["manual_points", "comment", "rubric_levels", "graded_by", "graded_at"]
        )
        slots = list(
            AttemptSlot.objects.filter(attempt_id=locked.pk).select_related(
                "question_version", "answer"
            )
        )
        _total(locked, slots)
        locked.save(update_fields=["score", "max_score", "needs_grading"])
        new = {
            "manual_points": None if points is None else str(points),
            "comment": comment,
            "rubric_levels": chosen,
            "attempt_score": str(locked.score),
            "attempt": locked.pk,
            "slot": slot.number,
        }
        if rubric_audit:
            new["rubric"] = rubric_audit
        audit_record(actor=actor, action="assessments.answer_graded", obj=row, old=old, new=new)
    return row


def test_regrade(*, actor, test: Test, use_current_versions: bool = False) -> list[dict]:
    """Score every finished attempt of the test again, against the version each slot showed or,
    with ``use_current_versions``, the question's current version (after a key was corrected;
    a version of another type is not switched to). Returns the attempts whose score changed:
    ``{"attempt", "student_id", "student", "old", "new", "slots": [{"slot", "old", "new"}]}``.
    Audit-logged as one entry."""
    if not policies.can_manage_tests(actor, test.offering_id):
        raise PermissionDenied(_("Only the tutors of this course grade its tests."))
    report: list[dict] = []
    with transaction.atomic():
        attempts = list(
            Attempt.objects.select_for_update()
            .filter(test=test, state=AttemptState.FINISHED)
            .order_by("pk")
        )
        students = {
            a.student_id: a.student
            for a in Attempt.objects.filter(pk__in=[a.pk for a in attempts]).select_related(
                "student"
            )
        }
        current: dict[int, QuestionVersion] = {}
        if use_current_versions:
            question_ids = AttemptSlot.objects.filter(attempt__in=attempts).values(
                "question_version__question_id"
            )
            current = {
                q.pk: q.current_version
                for q in Question.objects.filter(pk__in=question_ids).select_related(
                    "current_version"
                )
                if q.current_version is not None
            }
        for attempt in attempts:
            slots = list(
                AttemptSlot.objects.filter(attempt_id=attempt.pk)
                .select_related("question_version", "answer")
                .order_by("number")
            )
            before = {s.number: s.answer.effective_points for s in slots}
            switched = []
            for slot in slots:
                newer = current.get(slot.question_version.question_id)
                if (
                    newer is not None
                    and newer.pk != slot.question_version_id
                    and newer.qtype == slot.question_version.qtype
                ):
                    slot.question_version = newer
                    switched.append(slot)
            if switched:
                AttemptSlot.objects.bulk_update(switched, ["question_version"])
            changed = _score_slots(slots)
            if changed:
                _store_scores(changed)
            old_score = attempt.score
            _total(attempt, slots)
            attempt.save(update_fields=["score", "max_score", "needs_grading"])
            slot_changes = [
                {
                    "slot": s.number,
                    "old": _str(before[s.number]),
                    "new": _str(s.answer.effective_points),
                }
                for s in slots
                if before[s.number] != s.answer.effective_points
            ]
            if old_score != attempt.score or slot_changes:
                student = students.get(attempt.student_id)
                report.append(
                    {
                        "attempt": attempt.pk,
                        "student_id": attempt.student_id,
                        "student": str(student) if student is not None else "",
                        "old": _str(old_score),
                        "new": _str(attempt.score),
                        "slots": slot_changes,
                    }
                )
        audit_record(
            actor=actor,
            action="assessments.test_regraded",
            obj=test,
            new={
                "use_current_versions": use_current_versions,
                "attempts": len(attempts),
                "changed": [
                    {"attempt": r["attempt"], "old": r["old"], "new": r["new"]} for r in report
                ],
            },
        )
    return report


test_regrade.__test__ = False  # type: ignore[attr-defined]


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def final_mark(scores: list[Decimal], method: str) -> Decimal | None:
    """The mark by a grading method over finished attempts' scores in attempt order (None for
    none): the one rule behind ``test_final_mark`` and the tutor's attempts page."""
    if not scores:
        return None
    if method == GradingMethod.FIRST:
        return scores[0]
    if method == GradingMethod.LAST:
        return scores[-1]
    if method == GradingMethod.AVERAGE:
        return (sum(scores, Decimal(0)) / len(scores)).quantize(POINTS)
    return max(scores)


def test_final_mark(test: Test, student) -> Decimal | None:
    """The student's mark for the test by its grading method over the finished attempts (None
    before any)."""
    scores = list(
        Attempt.objects.filter(
            test=test, student=student, state=AttemptState.FINISHED, score__isnull=False
        )
        .order_by("number")
        .values_list("score", flat=True)
    )
    return final_mark(scores, test.grading_method)


test_final_mark.__test__ = False  # type: ignore[attr-defined]


# --- the offline answers file ---------------------------------------------------------------------


def _b64(value: Any) -> bytes:
    if not isinstance(value, str) or len(value) > 4_000_000:
        raise ValueError("not base64")
    return base64.b64decode(value, validate=True)


def _unreadable() -> ValidationFailed:
    return ValidationFailed(
        _("This answers file cannot be read: it is damaged or belongs to another attempt."),
        code="offline_file_unreadable",
    )


def offline_answers_apply(*, actor, attempt: Attempt, document: Any) -> list[dict]:
    """Apply the answers of a student's offline answers file (docs/subsystems/attempts.md): a
    tutor of the course uploads ``{"attempt", "created", "ciphertext", "iv"}``; the ciphertext
    is AES-GCM with the attempt's ``offline_key`` over ``{"attempt", "created", "answers":
    [{"slot", "seq", "response"}]}``. Each answer follows the save rules (a ``seq`` not above the
    stored one changes nothing, a wrong shape is refused) but not the deadline: the tutor
    decides that the file is to be trusted (the student's browser held the key). Every answer
    is logged (``AnswerEvent``, source ``offline_file``); a finished attempt is scored again;
    the whole upload is audit-logged. Returns ``[{"slot", "seq", "outcome", "old_seq"}]``."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not policies.can_grade_attempt(actor, attempt):
        raise PermissionDenied(_("Only the tutors of this course may upload an answers file."))
    if isinstance(document, bytes | str):
        try:
            document = json.loads(document)
        except ValueError:
            raise _unreadable() from None
    if not isinstance(document, dict) or document.get("attempt") != attempt.pk:
        raise _unreadable()
    try:
        key = _b64(attempt.offline_key)
        plain = AESGCM(key).decrypt(
            _b64(document.get("iv")), _b64(document.get("ciphertext")), None
        )
        content = json.loads(plain)
    except (ValueError, InvalidTag, TypeError):
        raise _unreadable() from None
    if not isinstance(content, dict) or content.get("attempt") != attempt.pk:
        raise _unreadable()
    answers = content.get("answers")
    if not isinstance(answers, list):
        raise _unreadable()
    now = timezone.now()
    created = str(content.get("created", ""))[:40]
    report: list[dict] = []
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        slots = {
            s.number: s
            for s in AttemptSlot.objects.filter(attempt_id=locked.pk).select_related(
                "question_version", "answer"
            )
        }
        events = []
        for item in answers[:1000]:
            if not isinstance(item, dict):
                continue
            number, seq = item.get("slot"), item.get("seq")
            row = slots.get(number) if isinstance(number, int) else None
            if row is None or isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
                continue
            response = item.get("response")
            old_seq = row.answer.seq
            if (
                response_problem(row.question_version.qtype, response) is not None
                or response_files_problem(row, response) is not None
            ):
                outcome = AnswerOutcome.INVALID
            elif Answer.objects.filter(slot_id=row.pk, seq__lt=seq).update(
                response=response, seq=seq, saved_at=now
            ):
                outcome = AnswerOutcome.SAVED
                row.answer.response, row.answer.seq, row.answer.saved_at = response, seq, now
            else:
                outcome = AnswerOutcome.STALE
            events.append(
                AnswerEvent(
                    attempt_id=locked.pk,
                    slot_number=number,
                    seq=seq,
                    outcome=outcome,
                    at=now,
                    detail={"source": "offline_file", "created": created},
                )
            )
            report.append({"slot": number, "seq": seq, "outcome": outcome, "old_seq": old_seq})
        AnswerEvent.objects.bulk_create(events)
        old_score = locked.score
        if locked.state == AttemptState.FINISHED and any(
            r["outcome"] == AnswerOutcome.SAVED for r in report
        ):
            ordered = list(slots.values())
            changed = _score_slots(ordered)
            if changed:
                _store_scores(changed)
            _total(locked, ordered)
            locked.save(update_fields=["score", "max_score", "needs_grading"])
        audit_record(
            actor=actor,
            action="assessments.offline_answers_applied",
            obj=locked,
            old={"score": _str(old_score)},
            new={"score": _str(locked.score), "created": created, "answers": report},
        )
    attempt.score = locked.score
    return report
