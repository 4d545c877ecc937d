"""Tasks and submissions over the API: a course's tasks, a task's submissions, submitting a text
answer (JSON) or a text with files (multipart), grading, one submission with its grade when
released, the similarity report.

Thin: each endpoint reads through ``selectors``, checks a ``policies`` predicate on the object
and lets the schema render. Submitting goes through ``services.submission_submit`` so every rule
of the web page applies (empty answer, not open yet, cut-off, late, resubmitting after the due
date), and its refusals come back as JSON errors with the service's stable codes.

A student never sees a grade or feedback before the tutor releases it; tutors see them all, and
so do, read-only, the methodologists and heads of department whose scope covers the course
(``policies.can_oversee``): they list and read, but grading, running the similarity check and
submitting refuse them with 403 ``permission_denied`` and change nothing.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from qashyq.accounts.api import AUTH, PersonOut
from qashyq.core.api import ErrorOut, LimitOffset
from qashyq.core.errors import NotFound, PermissionDenied
from qashyq.core.text import render_markdown

from . import policies, selectors, services
from .models import Submission, Task

router = Router(tags=["tasks"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# --- schemas ------------------------------------------------------------------------------------


class RubricLevelOut(Schema):
    id: int
    title: str
    points: float


class RubricCriterionOut(Schema):
    id: int
    title: str
    description: str
    levels: list[RubricLevelOut]


class MySubmissionRef(Schema):
    id: int
    attempt: int
    submitted_at: datetime.datetime | None
    is_late: bool


class TaskOut(Schema):
    id: int
    course_id: int
    kind: str
    title: str
    instructions: str
    instructions_html: str
    opens_at: datetime.datetime | None
    due_at: datetime.datetime
    cut_off_at: datetime.datetime
    late_policy: str
    late_penalty_percent: int
    late_penalty_cap: int
    max_points: int
    allow_text: bool
    allow_files: bool
    max_files: int
    max_file_mb: int
    group_task: bool
    published: bool
    gradebook_column: str = Field(
        "",
        description="The e-journal column the released marks go to (tk1, rk1, tk2, rk2, exam, "
        'w<week>); "" when they are not sent',
    )

    @staticmethod
    def resolve_course_id(obj) -> int:
        return obj.offering_id

    @staticmethod
    def resolve_instructions_html(obj) -> str:
        return render_markdown(obj.instructions)


class TaskListOut(TaskOut):
    submission_count: int | None = Field(
        None, description="Current submissions (for the course's tutors; null for students)"
    )
    my_submission: MySubmissionRef | None = Field(
        None, description="The caller's current attempt, if any"
    )

    @staticmethod
    def resolve_submission_count(obj, context) -> int | None:
        if policies.can_view_all_work(context["request"].user, obj.offering):
            return obj.submission_count
        return None


class TaskDetailOut(TaskOut):
    rubric: list[RubricCriterionOut]

    @staticmethod
    def resolve_rubric(obj) -> list:
        return list(obj.criteria.all())


class SubmitIn(Schema):
    text: str = Field(..., examples=["Менің жауабым ..."])


class FileOut(Schema):
    id: int
    name: str
    mime_type: str
    size: int
    url: str


class GradeOut(Schema):
    raw_points: float
    penalty_percent: float
    points: float
    feedback: str
    feedback_html: str
    feedback_file_url: str | None
    released: bool
    graded_at: datetime.datetime
    level_ids: list[int] = Field(..., description="The rubric levels chosen, one per criterion")


class GradeIn(Schema):
    points: float | None = Field(
        None, description="Points before any late penalty (without a rubric)", examples=[87]
    )
    level_ids: list[int] | None = Field(
        None, description="One level id per rubric criterion; the points are their sum"
    )
    feedback: str = Field("", description="Written feedback (Markdown)")
    released: bool = Field(False, description="Show the grade and feedback to the student")


class PassageOut(Schema):
    a: list[int] = Field(..., description="[start, end) in text_a")
    b: list[int] = Field(..., description="[start, end) in text_b")


class SimilarityPairOut(Schema):
    id: int
    submission_a_id: int
    submission_b_id: int | None = Field(
        None, description="null when the caller may not see the earlier year's submission"
    )
    student_a: str
    student_b: str = Field(..., description='"a student of an earlier year" when hidden')
    earlier_year: bool
    earlier_period: str | None = Field(None, examples=["2024-2025, Semester 1"])
    jaccard: float
    containment: float
    text_a: str
    text_b: str = Field(
        ..., description="The earlier submission's overlapping passages only, when hidden"
    )
    passages: list[PassageOut]
    computed_at: datetime.datetime


class SubmissionOut(Schema):
    id: int
    task_id: int
    student: PersonOut
    attempt: int
    is_current: bool
    text: str
    status: str
    submitted_at: datetime.datetime | None
    is_late: bool
    group_members: list[PersonOut]
    files: list[FileOut]
    grade: GradeOut | None = Field(
        None, description="For the student only once released; always for the course's tutors"
    )

    @staticmethod
    def resolve_group_members(obj) -> list:
        return list(obj.group_members.all())

    @staticmethod
    def resolve_files(obj) -> list[dict]:
        return [
            {
                "id": f.pk,
                "name": f.original_name,
                "mime_type": f.mime_type,
                "size": f.size,
                "url": reverse("assignments:submission_file", args=[f.pk]),
            }
            for f in obj.files.all()
        ]

    @staticmethod
    def resolve_grade(obj, context) -> dict | None:
        return _grade(context["request"].user, obj)


# --- helpers ------------------------------------------------------------------------------------


def _grade(user, submission: Submission) -> dict | None:
    if policies.can_view_grade(user, submission):
        grade = getattr(submission, "grade", None)
    else:
        grade = selectors.grade_for_student(submission)
    if grade is None:
        return None
    return {
        "raw_points": grade.raw_points,
        "penalty_percent": grade.penalty_percent,
        "points": grade.points,
        "feedback": grade.feedback,
        "feedback_html": render_markdown(grade.feedback),
        "feedback_file_url": reverse("assignments:feedback_file", args=[submission.pk])
        if grade.feedback_file
        else None,
        "released": grade.released,
        "graded_at": grade.graded_at,
        "level_ids": sorted(lv.pk for lv in grade.levels.all()),
    }


def _offering_or_error(request: HttpRequest, course_id: int):
    offering = selectors.offering_get(course_id)
    if offering is None:
        raise NotFound(_("There is no such course."))
    if not policies.can_list_tasks(request.user, offering):
        raise PermissionDenied(_("Only the students and tutors of this course see its tasks."))
    return offering


def _task_or_error(request: HttpRequest, task_id: int) -> Task:
    task = selectors.task_get(task_id)
    if task is None:
        raise NotFound(_("There is no such task."))
    if not policies.can_view_task(request.user, task):
        if not task.published and policies.can_list_tasks(request.user, task.offering):
            # An enrolled student does not learn that an unpublished task exists.
            raise NotFound(_("There is no such task."))
        raise PermissionDenied(_("Only the students and tutors of this course see its tasks."))
    return task


# --- tasks --------------------------------------------------------------------------------------


@router.get("/courses/{course_id}/tasks", response={200: list[TaskListOut], **ERRORS}, auth=AUTH)
@paginate(LimitOffset)
def task_list(request: HttpRequest, course_id: int):
    """The course's tasks by due date: published ones for its students, all for its tutors."""
    offering = _offering_or_error(request, course_id)
    tasks = selectors.tasks_for_offering(
        offering,
        user=request.user,
        include_unpublished=policies.can_view_all_work(request.user, offering),
    )
    for task in tasks:
        task.offering = offering  # the policy check in the schema costs no query
    return tasks


@router.get("/tasks/{task_id}", response={200: TaskDetailOut, **ERRORS}, auth=AUTH)
def task_detail(request: HttpRequest, task_id: int):
    """One task with its rubric (published ones only for students)."""
    return _task_or_error(request, task_id)


# --- submissions --------------------------------------------------------------------------------


@router.get(
    "/tasks/{task_id}/submissions", response={200: list[SubmissionOut], **ERRORS}, auth=AUTH
)
@paginate(LimitOffset)
def submission_list(request: HttpRequest, task_id: int):
    """For the course's tutors (and, read-only, its overseers): every student's current
    submission. For a student: their own attempts (and group submissions naming them), newest
    first."""
    task = _task_or_error(request, task_id)
    if policies.can_view_all_work(request.user, task.offering):
        submissions = selectors.current_submissions(task)
    else:
        submissions = selectors.attempts_of(task, request.user)
    for submission in submissions:
        submission.task = task  # policies and grade checks cost no query
    return submissions


@router.post(
    "/tasks/{task_id}/submissions",
    response={201: SubmissionOut, 400: ErrorOut, 409: ErrorOut, 422: ErrorOut, **ERRORS},
    auth=AUTH,
)
def submission_create(request: HttpRequest, task_id: int, payload: SubmitIn):
    """Submit a text answer (files: ``POST /tasks/{task_id}/submissions/upload``). Refusals carry
    the service's codes: ``empty``, ``not_open``, ``after_cut_off``, ``resubmit_after_due``,
    ``text_not_allowed``, ``text_too_long``; a late answer is accepted with ``is_late``."""
    task = _task_or_error(request, task_id)
    submission = services.submission_submit(actor=request.user, task=task, text=payload.text)
    return Status(201, selectors.submission_get(submission.pk))


@router.post(
    "/tasks/{task_id}/submissions/upload",
    response={201: SubmissionOut, 400: ErrorOut, 409: ErrorOut, 422: ErrorOut, **ERRORS},
    auth=AUTH,
)
def submission_upload(
    request: HttpRequest,
    task_id: int,
    text: Form[str] = "",
    members: Form[list[int]] = None,  # type: ignore[assignment]
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
):
    """Submit a text and/or files as ``multipart/form-data``: field ``text``, one ``files`` part
    per file, and for a group task one ``members`` field per classmate's user id. The same
    service as the web form: every file is sniffed and checked against the task's kinds, size
    and count limits before any is stored, and a refusal stores nothing (the earlier attempt
    stays current). Codes as for the JSON endpoint, plus ``files_not_allowed``,
    ``too_many_files``, ``member_not_enrolled`` and the file checks' codes (a file too large,
    of a forbidden or unrecognised type)."""
    task = _task_or_error(request, task_id)
    submission = services.submission_submit(
        actor=request.user,
        task=task,
        text=text,
        uploads=list(files or []),
        group_members=list(members or []),
    )
    return Status(201, selectors.submission_get(submission.pk))


@router.get("/submissions/{submission_id}", response={200: SubmissionOut, **ERRORS}, auth=AUTH)
def submission_detail(request: HttpRequest, submission_id: int):
    """One attempt, with the grade and feedback once released to the student."""
    submission = selectors.submission_get(submission_id)
    if submission is None:
        raise NotFound(_("There is no such submission."))
    if not policies.can_view_submission(request.user, submission):
        raise PermissionDenied(_("This is another student's submission."))
    return submission


def _submission_or_error(request: HttpRequest, submission_id: int) -> Submission:
    submission = selectors.submission_get(submission_id)
    if submission is None:
        raise NotFound(_("There is no such submission."))
    if not policies.can_view_submission(request.user, submission):
        raise PermissionDenied(_("This is another student's submission."))
    return submission


# --- grading ------------------------------------------------------------------------------------


@router.put(
    "/submissions/{submission_id}/grade",
    response={200: GradeOut, 400: ErrorOut, 422: ErrorOut, **ERRORS},
    auth=AUTH,
)
def submission_grade(request: HttpRequest, submission_id: int, payload: GradeIn):
    """For the course's tutors: grade one attempt by rubric (``level_ids``, one per criterion)
    or by ``points`` (0..max_points), with written ``feedback`` and ``released``. Grading again
    replaces the grade; every change goes to the audit log. The late penalty is applied as on
    the web page. Refusals: ``no_points``, ``bad_points``, ``bad_level``, ``two_levels``,
    ``missing_level`` (400); 403 for anyone but the course's tutors (overseers too)."""
    submission = _submission_or_error(request, submission_id)
    services.grade_submission(
        actor=request.user,
        submission=submission,
        points=payload.points,
        level_ids=payload.level_ids,
        feedback=payload.feedback,
        released=payload.released,
    )
    fresh = selectors.submission_get(submission.pk)
    return _grade(request.user, fresh)


@router.post(
    "/submissions/{submission_id}/grade/upload",
    response={200: GradeOut, 400: ErrorOut, 422: ErrorOut, **ERRORS},
    auth=AUTH,
)
def submission_grade_upload(
    request: HttpRequest,
    submission_id: int,
    points: Form[float | None] = None,
    level_ids: Form[list[int]] = None,  # type: ignore[assignment]
    feedback: Form[str] = "",
    released: Form[bool] = False,
    feedback_file: File[UploadedFile] = None,  # type: ignore[assignment]
):
    """The same grading as ``PUT /submissions/{submission_id}/grade``, as
    ``multipart/form-data`` with a feedback file: fields ``points`` or one ``level_ids`` field
    per rubric level, ``feedback``, ``released`` and the file in ``feedback_file`` (a document,
    an image or an audio recording). The web grading form's service and checks: the file is
    sniffed and checked for its kind and size before it is stored, and a refusal (a grade's
    codes as for the JSON endpoint, or the file checks' ``file_too_large``, ``file_forbidden``,
    ``file_kind_not_allowed``, ``file_empty``, ``file_extension_mismatch``) stores nothing and
    keeps the earlier grade and file. Without a file the earlier feedback file stays."""
    submission = _submission_or_error(request, submission_id)
    services.grade_submission(
        actor=request.user,
        submission=submission,
        points=points,
        level_ids=list(level_ids or []),
        feedback=feedback,
        feedback_upload=feedback_file,
        released=released,
    )
    fresh = selectors.submission_get(submission.pk)
    return _grade(request.user, fresh)


# --- the e-journal ------------------------------------------------------------------------------


class GradebookPostOut(Schema):
    column: str = Field(..., examples=["rk1"])
    posted: int = Field(..., description="Grades sent now")
    cells_changed: int = Field(..., description="Journal cells that changed")
    late_requests: int = Field(
        ..., description="Marks of a closed week filed as late-edit requests for the registrar"
    )
    skipped: list[str] = Field(..., description="Students no longer enrolled (not sent)")
    unsent: int = Field(..., description="Released marks still not in the e-journal")


@router.post(
    "/tasks/{task_id}/gradebook-post",
    response={200: GradebookPostOut, 400: ErrorOut, **ERRORS},
    auth=AUTH,
)
def gradebook_post(request: HttpRequest, task_id: int):
    """For the course's tutors: send every released mark of the task not sent yet to the task's
    e-journal column, as a percentage of the maximum points (source ``assignment``). Calling it
    again sends nothing new; a regrade makes the mark unsent again. Refusals: 400
    ``no_gradebook_column`` (the task has no column), ``unknown_gradebook_column``; 403 for
    anyone but the course's tutors."""
    task = _task_or_error(request, task_id)
    result = services.grades_post_to_gradebook(actor=request.user, task=task)
    return {
        "column": result.column,
        "posted": result.posted,
        "cells_changed": result.cells_changed,
        "late_requests": result.late_requests,
        "skipped": result.skipped,
        "unsent": selectors.gradebook_unsent_count(task),
    }


# --- similarity ---------------------------------------------------------------------------------


def _similarity(request: HttpRequest, task: Task) -> list[dict]:
    rows = []
    for pair in selectors.similarity_pairs(task, request.user):
        report = pair["report"]
        rows.append(
            {
                "id": report.pk,
                "submission_a_id": report.submission_a_id,
                "submission_b_id": report.submission_b_id if pair["b_visible"] else None,
                "student_a": pair["name_a"],
                "student_b": str(pair["name_b"]),
                "earlier_year": pair["earlier"],
                "earlier_period": pair["earlier_period"] or None,
                "jaccard": round(report.jaccard, 4),
                "containment": round(report.containment, 4),
                "text_a": pair["text_a"],
                "text_b": pair["text_b"],
                "passages": [
                    {"a": list(a), "b": list(b)}
                    for a, b in zip(pair["spans_a"], pair["spans_b"], strict=False)
                ],
                "computed_at": report.computed_at,
            }
        )
    return rows


@router.get(
    "/tasks/{task_id}/similarity", response={200: list[SimilarityPairOut], **ERRORS}, auth=AUTH
)
def similarity_report(request: HttpRequest, task_id: int):
    """The flagged pairs of the task's last similarity check, best first: for the course's
    tutors and, read-only, its overseers. A pair with a submission of an earlier year of the
    discipline has ``earlier_year`` and ``earlier_period``; the earlier student's name, id and
    full text only if the caller may see that submission."""
    task = _task_or_error(request, task_id)
    if not policies.can_view_similarity(request.user, task):
        raise PermissionDenied(
            _("The similarity report is for the tutors of this course and the staff overseeing it.")
        )
    return _similarity(request, task)


@router.post(
    "/tasks/{task_id}/similarity", response={200: list[SimilarityPairOut], **ERRORS}, auth=AUTH
)
def similarity_run(request: HttpRequest, task_id: int):
    """Run the check now (the course's tutors only) and answer the new report."""
    task = _task_or_error(request, task_id)
    services.similarity_check_run(task_id=task.pk, actor=request.user, check=True)
    return _similarity(request, task)
