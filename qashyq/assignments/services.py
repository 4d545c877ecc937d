"""Every write of the assignments app, each under one transaction and a policy check."""

from __future__ import annotations

import contextlib
import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qashyq.core import files
from qashyq.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record

from . import policies
from .models import (
    GRADEBOOK_COLUMN_CHOICES,
    Grade,
    LatePolicy,
    RubricCriterion,
    RubricLevel,
    SimilarityReport,
    Submission,
    SubmissionFile,
    SubmissionFingerprint,
    SubmissionStatus,
    Task,
)

SUBMISSION_KINDS = files.DOCUMENT | files.IMAGE | files.AUDIO | files.ARCHIVE
FEEDBACK_KINDS = files.DOCUMENT | files.IMAGE | files.AUDIO
FEEDBACK_MAX_BYTES = 50 * 1024 * 1024
TEXT_MAX_CHARS = 200_000
SIMILARITY_THRESHOLD = 0.3
CONTAINMENT_THRESHOLD = 0.5
EXTRACTABLE_MIME = ("application/pdf", "text/plain")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

TASK_FIELDS = (
    "kind",
    "title",
    "instructions",
    "opens_at",
    "due_at",
    "cut_off_at",
    "late_policy",
    "late_penalty_percent",
    "late_penalty_cap",
    "max_points",
    "allow_text",
    "allow_files",
    "max_files",
    "max_file_mb",
    "group_task",
    "gradebook_column",
)


# --- tasks -------------------------------------------------------------------------------------


def _check_task_data(data: dict[str, Any]) -> None:
    if not str(data.get("title") or "").strip():
        raise ValidationFailed(_("Give the task a title."), code="title_required")
    due, cut_off = data.get("due_at"), data.get("cut_off_at")
    if due is None:
        raise ValidationFailed(_("Set the due date."), code="due_required")
    if cut_off is not None and cut_off < due:
        raise ValidationFailed(
            _("The cut-off cannot be earlier than the due date."), code="cut_off_before_due"
        )
    opens = data.get("opens_at")
    if opens is not None and opens > due:
        raise ValidationFailed(
            _("The task cannot open after its due date."), code="opens_after_due"
        )
    if not data.get("allow_text", True) and not data.get("allow_files", True):
        raise ValidationFailed(_("Allow a text answer, files, or both."), code="nothing_allowed")
    if int(data.get("late_penalty_cap", 100)) > 100:
        raise ValidationFailed(_("The maximum penalty is at most 100%."), code="cap_too_high")
    if int(data.get("max_points", 100)) < 1:
        raise ValidationFailed(_("Maximum points must be at least 1."), code="max_points")


def _check_gradebook_column(offering, column: str) -> None:
    """A column of the offering's e-journal: tk1, rk1, tk2, rk2, exam, or a week of its scheme."""
    if not column:
        return
    from qashyq.gradebook.selectors import scheme_for
    from qashyq.gradebook.services import parse_column

    valid = {c for c, _label in GRADEBOOK_COLUMN_CHOICES}
    try:
        if column not in valid:
            raise ValidationFailed("", code="unknown_column")
        parse_column(column, scheme_for(offering))
    except ValidationFailed as exc:
        raise ValidationFailed(
            _("There is no such column in this course's e-journal."),
            code="unknown_gradebook_column",
            details={"column": column},
        ) from exc


def _set_rubric(task: Task, rubric: Sequence[dict[str, Any]]) -> None:
    """Replace the rubric: ``[{"title", "description", "levels": [{"title", "points"}]}]``."""
    task.criteria.all().delete()
    for c_pos, criterion in enumerate(rubric):
        levels = criterion.get("levels") or []
        if not str(criterion.get("title") or "").strip() or not levels:
            raise ValidationFailed(
                _("Every rubric criterion needs a title and at least one level."),
                code="rubric_invalid",
            )
        row = RubricCriterion.objects.create(
            task=task,
            position=c_pos,
            title=criterion["title"].strip(),
            description=criterion.get("description", ""),
        )
        for l_pos, level in enumerate(levels):
            points = Decimal(str(level["points"]))
            if points < 0:
                raise ValidationFailed(
                    _("Rubric points cannot be negative."), code="rubric_invalid"
                )
            RubricLevel.objects.create(
                criterion=row, position=l_pos, title=level["title"].strip(), points=points
            )


def task_create(*, actor, offering, rubric: Sequence[dict[str, Any]] = (), **data) -> Task:
    if not policies.can_manage_tasks(actor, offering):
        raise PermissionDenied(_("Only the tutors of this course may create its tasks."))
    data = {k: v for k, v in data.items() if k in TASK_FIELDS}
    data.setdefault("cut_off_at", data.get("due_at"))
    if data.get("cut_off_at") is None:
        data["cut_off_at"] = data.get("due_at")
    data["gradebook_column"] = data.get("gradebook_column") or ""
    _check_task_data(data)
    _check_gradebook_column(offering, data["gradebook_column"])
    with transaction.atomic():
        task = Task.objects.create(offering=offering, created_by=actor, **data)
        _set_rubric(task, rubric)
    return task


def task_update(*, actor, task: Task, rubric: Sequence[dict[str, Any]] | None = None, **data):
    if not policies.can_manage_tasks(actor, task.offering):
        raise PermissionDenied(_("Only the tutors of this course may edit its tasks."))
    values = {f: getattr(task, f) for f in TASK_FIELDS}
    values.update({k: v for k, v in data.items() if k in TASK_FIELDS})
    if values.get("cut_off_at") is None:
        values["cut_off_at"] = values["due_at"]
    values["gradebook_column"] = values.get("gradebook_column") or ""
    _check_task_data(values)
    _check_gradebook_column(task.offering, values["gradebook_column"])
    # The marks sent so far were for another column or another maximum: send them again.
    repost = (values["gradebook_column"], int(values["max_points"])) != (
        task.gradebook_column,
        task.max_points,
    )
    with transaction.atomic():
        for name, value in values.items():
            setattr(task, name, value)
        task.save()
        if repost:
            Grade.objects.filter(submission__task=task, posted_to_gradebook=True).update(
                posted_to_gradebook=False
            )
        if rubric is not None:
            if Grade.objects.filter(submission__task=task).exists() and rubric_changed(
                task, rubric
            ):
                raise ValidationFailed(
                    _("The rubric cannot change once submissions have been graded by it."),
                    code="rubric_in_use",
                )
            if rubric_changed(task, rubric):
                _set_rubric(task, rubric)
    return task


def rubric_changed(task: Task, rubric: Sequence[dict[str, Any]]) -> bool:
    current = [
        (c.title, [(lv.title, Decimal(lv.points)) for lv in c.levels.all()])
        for c in task.criteria.prefetch_related("levels")
    ]
    wanted = [
        (
            str(c.get("title", "")).strip(),
            [(str(lv["title"]).strip(), Decimal(str(lv["points"]))) for lv in c.get("levels", [])],
        )
        for c in rubric
    ]
    return current != wanted


def task_set_published(*, actor, task: Task, published: bool) -> Task:
    if not policies.can_manage_tasks(actor, task.offering):
        raise PermissionDenied(_("Only the tutors of this course may publish its tasks."))
    with transaction.atomic():
        Task.objects.filter(pk=task.pk).update(published=published, updated_at=timezone.now())
    task.published = published
    return task


# --- submissions -------------------------------------------------------------------------------


def _delete_stored(stored: Iterable[files.StoredFile]) -> None:
    for item in stored:
        with contextlib.suppress(OSError):  # best-effort clean-up
            default_storage.delete(item.name)


def submission_submit(
    *,
    actor,
    task: Task,
    text: str = "",
    uploads: Sequence[Any] = (),
    group_members: Sequence[Any] = (),
    now: datetime.datetime | None = None,
) -> Submission:
    """Submit (or resubmit before the due date) the actor's answer to ``task``.

    Every file is validated before anything is stored; if a file or the database write fails,
    nothing is kept and the earlier attempt stays current.
    """
    if not policies.can_submit(actor, task):
        raise PermissionDenied(_("Only the students of this course may submit this task."))
    now = now or timezone.now()
    text = (text or "").strip()
    uploads = [u for u in uploads if u]
    if task.opens_at and now < task.opens_at:
        raise ValidationFailed(_("This task is not open for submissions yet."), code="not_open")
    if now > task.cut_off_at:
        raise ValidationFailed(
            _("The cut-off date has passed: submissions are closed."), code="after_cut_off"
        )
    if text and not task.allow_text:
        raise ValidationFailed(_("This task accepts files only."), code="text_not_allowed")
    if uploads and not task.allow_files:
        raise ValidationFailed(_("This task accepts a text answer only."), code="files_not_allowed")
    if not text and not uploads:
        raise ValidationFailed(
            _("The submission is empty: write an answer or attach a file."), code="empty"
        )
    if len(text) > TEXT_MAX_CHARS:
        raise ValidationFailed(_("The text answer is too long."), code="text_too_long")
    if len(uploads) > task.max_files:
        raise ValidationFailed(
            _("Too many files: at most %(count)s.") % {"count": task.max_files},
            code="too_many_files",
        )
    has_earlier = Submission.objects.filter(task=task, student=actor, is_current=True).exists()
    if has_earlier and now > task.due_at:
        raise ValidationFailed(
            _("The due date has passed: an answer already submitted can no longer be replaced."),
            code="resubmit_after_due",
        )
    members = _check_members(task, actor, group_members)

    max_bytes = task.max_file_mb * 1024 * 1024
    for upload in uploads:
        files.validate_upload(upload, max_bytes=max_bytes, allowed_kinds=SUBMISSION_KINDS)
    stored: list[files.StoredFile] = []
    try:
        for upload in uploads:
            stored.append(files.store_upload(upload, folder="submissions", max_bytes=max_bytes))
        with transaction.atomic():
            previous = list(
                Submission.objects.select_for_update()
                .filter(task=task, student=actor)
                .order_by("-attempt")
            )
            attempt = previous[0].attempt + 1 if previous else 1
            Submission.objects.filter(task=task, student=actor, is_current=True).update(
                is_current=False
            )
            submission = Submission.objects.create(
                task=task,
                student=actor,
                attempt=attempt,
                is_current=True,
                text=text,
                status=SubmissionStatus.SUBMITTED,
                submitted_at=now,
                is_late=now > task.due_at,
            )
            if members:
                submission.group_members.set(members)
            SubmissionFile.objects.bulk_create(
                SubmissionFile(
                    submission=submission,
                    file=item.name,
                    original_name=item.original_name[:255],
                    mime_type=item.mime_type,
                    size=item.size,
                    sha256=item.sha256,
                )
                for item in stored
            )
            transaction.on_commit(lambda: _enqueue_similarity(task.pk))
    except IntegrityError as exc:
        _delete_stored(stored)
        raise Conflict(
            _("Another submission was saved at the same moment; please try again.")
        ) from exc
    except BaseException:
        _delete_stored(stored)
        raise
    return submission


def _check_members(task: Task, actor, group_members: Sequence[Any]) -> list:
    if not task.group_task:
        return []
    from qashyq.academics.models import Enrollment

    ids = {getattr(m, "pk", m) for m in group_members} - {actor.pk}
    if not ids:
        return []
    enrolled = set(
        Enrollment.objects.filter(offering_id=task.offering_id, student_id__in=ids).values_list(
            "student_id", flat=True
        )
    )
    if enrolled != ids:
        raise ValidationFailed(
            _("Every member of the group must be a student of this course."),
            code="member_not_enrolled",
        )
    return sorted(ids)


def _enqueue_similarity(task_id: int) -> None:
    from .tasks import run_similarity_check

    run_similarity_check.enqueue(task_id)


# --- grading -----------------------------------------------------------------------------------

_CENT = Decimal("0.01")


def late_penalty_percent(task: Task, submission: Submission) -> Decimal:
    """Penalty for the attempt: whole days late (started days count) × rate, up to the cap."""
    if (
        not submission.is_late
        or task.late_policy != LatePolicy.PENALTY
        or submission.submitted_at is None
    ):
        return Decimal(0)
    late_by = submission.submitted_at - task.due_at
    days = max(1, math.ceil(late_by.total_seconds() / 86400))
    return Decimal(min(task.late_penalty_cap, days * task.late_penalty_percent))


def grade_submission(
    *,
    actor,
    submission: Submission,
    points: Decimal | int | str | None = None,
    level_ids: Sequence[int] | None = None,
    feedback: str = "",
    feedback_upload: Any = None,
    released: bool = False,
) -> Grade:
    """Grade by rubric (one level per criterion; points = their sum) or by points."""
    task = submission.task
    if not policies.can_grade(actor, submission):
        raise PermissionDenied(_("Only the tutors of this course may grade its submissions."))
    criteria = list(task.criteria.prefetch_related("levels"))
    levels: list[RubricLevel] = []
    if criteria and level_ids:
        by_id = {lv.pk: (c.pk, lv) for c in criteria for lv in c.levels.all()}
        chosen: dict[int, RubricLevel] = {}
        for level_id in level_ids:
            if int(level_id) not in by_id:
                raise ValidationFailed(_("Choose levels of this task's rubric."), code="bad_level")
            criterion_id, level = by_id[int(level_id)]
            if criterion_id in chosen:
                raise ValidationFailed(_("Choose one level for each criterion."), code="two_levels")
            chosen[criterion_id] = level
        if len(chosen) != len(criteria):
            raise ValidationFailed(_("Choose a level for every criterion."), code="missing_level")
        levels = list(chosen.values())
        raw = sum((lv.points for lv in levels), Decimal(0))
    else:
        if points in (None, ""):
            raise ValidationFailed(_("Give the points or choose rubric levels."), code="no_points")
        try:
            raw = Decimal(str(points).replace(",", "."))
        except ArithmeticError as exc:
            raise ValidationFailed(_("Points must be a number."), code="bad_points") from exc
        if not raw.is_finite() or raw < 0 or raw > task.max_points:
            raise ValidationFailed(
                _("Points must be between 0 and %(max)s.") % {"max": task.max_points},
                code="bad_points",
            )
    raw = min(raw, Decimal(task.max_points)).quantize(_CENT, ROUND_HALF_UP)
    penalty = late_penalty_percent(task, submission)
    final = (raw * (100 - penalty) / 100).quantize(_CENT, ROUND_HALF_UP)

    stored = None
    if feedback_upload:
        stored = files.accept_upload(
            feedback_upload,
            folder="feedback",
            max_bytes=FEEDBACK_MAX_BYTES,
            allowed_kinds=FEEDBACK_KINDS,
        )
    try:
        with transaction.atomic():
            grade = Grade.objects.select_for_update().filter(submission=submission).first()
            old = _grade_state(grade) if grade else None
            if grade is None:
                grade = Grade(submission=submission)
            if old is not None and (grade.points, grade.released) != (final, released):
                grade.posted_to_gradebook = False  # the e-journal shows the old mark: resend
            grade.raw_points = raw
            grade.penalty_percent = penalty
            grade.points = final
            grade.feedback = feedback.strip()
            grade.released = released
            grade.graded_by = actor
            grade.graded_at = timezone.now()
            if stored is not None:
                grade.feedback_file = stored.name
                grade.feedback_file_name = stored.original_name[:255]
                grade.feedback_file_mime = stored.mime_type
                grade.feedback_file_sha256 = stored.sha256
            grade.save()
            grade.levels.set(levels)
            new = _grade_state(grade)
            if old != new:
                audit_record(actor=actor, action="assignment.grade", obj=grade, old=old, new=new)
    except BaseException:
        if stored is not None:
            _delete_stored([stored])
        raise
    return grade


def _grade_state(grade: Grade) -> dict[str, Any]:
    return {
        "submission": grade.submission_id,
        "raw_points": str(grade.raw_points),
        "penalty_percent": str(grade.penalty_percent),
        "points": str(grade.points),
        "levels": sorted(grade.levels.values_list("pk", flat=True)) if grade.pk else [],
        "released": grade.released,
        "feedback": grade.feedback,
        "feedback_file": grade.feedback_file_sha256,
    }


# --- the e-journal -----------------------------------------------------------------------------

_PERCENT = Decimal("0.01")


def grade_percent(grade: Grade, task: Task) -> Decimal:
    """The mark as the e-journal takes it: the points as a percentage of the task's maximum,
    two decimals, half up (never above 100)."""
    value = Decimal(grade.points) * 100 / Decimal(task.max_points)
    return min(Decimal(100), value.quantize(_PERCENT, ROUND_HALF_UP))


@dataclass
class GradebookPostResult:
    """What ``grades_post_to_gradebook`` did."""

    column: str
    posted: int = 0  # grades sent (each to its student and, for a group task, the members)
    cells_changed: int = 0  # journal cells that changed (an equal mark is not a change)
    late_requests: int = 0  # closed weeks: marks filed as late-edit requests for the registrar
    skipped: list[str] = field(default_factory=list)  # students no longer enrolled


def grades_post_to_gradebook(*, actor, task: Task) -> GradebookPostResult:
    """Send every released mark of the task not yet sent to the task's e-journal column.

    The mark of a current attempt goes to its student (and to the members named by a group
    submission) as a percentage of the task's maximum points, with the source ``assignment``
    and the reference ``task:<id> submission:<id>``. Grades not released, grades of earlier
    attempts and grades already sent are left alone, so a second call sends nothing. A weekly
    column of a closed week becomes a late-edit request for the registrar (the e-journal's
    rule); the grade then counts as sent. A student no longer enrolled is skipped and named in
    the result; their grade stays unsent. One transaction: the grades are locked, so two clicks
    at once send each mark once."""
    from qashyq.gradebook.services import mark_post_from_source

    if not policies.can_post_to_gradebook(actor, task):
        raise PermissionDenied(
            _("Only the tutors of this course may send its marks to the e-journal.")
        )
    column = task.gradebook_column
    if not column:
        raise ValidationFailed(
            _(
                "Choose the e-journal column of this task first (edit the task): "
                "its marks have nowhere to go."
            ),
            code="no_gradebook_column",
        )
    _check_gradebook_column(task.offering, column)
    result = GradebookPostResult(column=column)
    with transaction.atomic():
        grades = list(
            Grade.objects.select_for_update(of=("self",))
            .filter(
                submission__task=task,
                submission__is_current=True,
                released=True,
                posted_to_gradebook=False,
            )
            .select_related("submission__student")
            .order_by("pk")
        )
        members: dict[int, list] = {}
        if task.group_task and grades:
            through = Submission.group_members.through
            for row in through.objects.filter(
                submission_id__in=[g.submission_id for g in grades]
            ).select_related("user"):
                members.setdefault(row.submission_id, []).append(row.user)
        sent: list[int] = []
        for grade in grades:
            submission = grade.submission
            value = grade_percent(grade, task)
            ref = f"task:{task.pk} submission:{submission.pk}"
            ok = True
            for student in [submission.student, *members.get(submission.pk, [])]:
                try:
                    outcome = mark_post_from_source(
                        actor=actor,
                        offering=task.offering,
                        student=student,
                        column=column,
                        value=value,
                        source="assignment",
                        source_ref=ref,
                    )
                except NotFound:
                    result.skipped.append(student.full_name or student.username)
                    ok = False
                    continue
                result.cells_changed += len(outcome.changed)
                result.late_requests += len(outcome.requests)
            if ok:
                sent.append(grade.pk)
        Grade.objects.filter(pk__in=sent).update(posted_to_gradebook=True)
        result.posted = len(sent)
        if sent or result.skipped:
            audit_record(
                actor=actor,
                action="assignment.gradebook_post",
                obj=task,
                new={
                    "column": column,
                    "grades": sent,
                    "late_requests": result.late_requests,
                    "skipped": result.skipped,
                },
            )
    return result


# --- similarity --------------------------------------------------------------------------------


def submission_check_text(submission: Submission) -> str:
    """The submission's text and the text of its PDF/DOCX/text files, as compared."""
    from .textextract import extract_text

    parts = [submission.text] if submission.text else []
    for item in submission.files.all():
        if item.mime_type not in (*EXTRACTABLE_MIME, DOCX_MIME) and not item.mime_type.startswith(
            "text/"
        ):
            continue
        try:
            with default_storage.open(item.file.name, "rb") as fh:
                parts.append(extract_text(fh, filename=item.original_name))
        except (ValidationFailed, OSError):
            continue
    return "\n\n".join(parts)


def earlier_submission_ids(task: Task) -> list[int]:
    """Current submissions to the tasks of earlier offerings of the task's discipline (offerings
    of academic periods that started before this one's)."""
    offering = task.offering
    return list(
        Submission.objects.filter(
            task__offering__discipline_id=offering.discipline_id,
            task__offering__period__starts_on__lt=offering.period.starts_on,
            is_current=True,
            status=SubmissionStatus.SUBMITTED,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def submission_fingerprints(submission_ids: Sequence[int]) -> dict[int, SubmissionFingerprint]:
    """The stored fingerprints of these submissions; missing ones (or of an older scheme) are
    computed now (text extraction and tokenising) and stored. Safe to run concurrently: a
    fingerprint stored meanwhile by another check is kept (the same submission gives the same
    fingerprint)."""
    from .similarity import FINGERPRINT_SCHEME, fingerprint, pack_shingles

    found = {
        fp.submission_id: fp
        for fp in SubmissionFingerprint.objects.filter(
            submission_id__in=submission_ids, scheme=FINGERPRINT_SCHEME
        )
    }
    missing = [pk for pk in submission_ids if pk not in found]
    if not missing:
        return found
    now = timezone.now()
    new = []
    for submission in Submission.objects.filter(pk__in=missing).prefetch_related("files"):
        text = submission_check_text(submission)
        new.append(
            SubmissionFingerprint(
                submission=submission,
                scheme=FINGERPRINT_SCHEME,
                text=text,
                shingles=pack_shingles(fingerprint(text).shingle_set),
                computed_at=now,
            )
        )
    with transaction.atomic():
        SubmissionFingerprint.objects.filter(submission_id__in=missing).exclude(
            scheme=FINGERPRINT_SCHEME
        ).delete()
        SubmissionFingerprint.objects.bulk_create(new, ignore_conflicts=True)
    found.update({fp.submission_id: fp for fp in new})
    return found


def similarity_check_run(
    *, task_id: int, actor=None, check: bool = False
) -> list[SimilarityReport]:
    """Compare the current submissions of a task with each other and with the submissions of
    earlier years (tasks of earlier offerings of the same discipline); replace the task's reports
    with what is found.

    Pairs of two earlier submissions are not reported again (they were in their own year). In a
    report with an earlier submission, ``submission_a`` is this task's and ``submission_b`` the
    earlier one. Safe to run twice: the reports of the task are replaced as a whole.
    """
    from .similarity import SimilarityIndex, unpack_shingles

    task = Task.objects.select_related("offering__period").filter(pk=task_id).first()
    if task is None:
        return []
    if check and not policies.can_run_similarity(actor, task):
        raise PermissionDenied(_("Only the tutors of this course may run the similarity check."))
    current = list(
        Submission.objects.filter(task=task, is_current=True, status=SubmissionStatus.SUBMITTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    earlier = earlier_submission_ids(task)
    stored = submission_fingerprints([*current, *earlier])
    index = SimilarityIndex()
    texts: dict[str, str] = {}
    for pk, is_earlier in [*((pk, False) for pk in current), *((pk, True) for pk in earlier)]:
        fp = stored.get(pk)  # None: the submission was deleted meanwhile
        if fp is not None and fp.text.strip():
            texts[str(pk)] = fp.text
            index.add_shingles(
                str(pk), unpack_shingles(fp.shingles), text=fp.text, earlier=is_earlier
            )
    now = timezone.now()
    rows = []
    for match in index.find_similar(
        SIMILARITY_THRESHOLD, containment_threshold=CONTAINMENT_THRESHOLD
    ):
        a_id, b_id = match.a_id, match.b_id
        if index.is_earlier(a_id):  # this task's submission goes first
            a_id, b_id = b_id, a_id
        passages = [
            {"a": [p.a_start, p.a_end], "b": [p.b_start, p.b_end]}
            for p in index.passages(a_id, b_id)
        ]
        rows.append(
            SimilarityReport(
                task=task,
                submission_a_id=int(a_id),
                submission_b_id=int(b_id),
                jaccard=match.jaccard,
                containment=match.containment,
                passages=passages,
                text_a=texts[a_id],
                text_b=texts[b_id],
                computed_at=now,
            )
        )
    with transaction.atomic():
        SimilarityReport.objects.filter(task=task).delete()
        SimilarityReport.objects.bulk_create(rows)
    return rows
