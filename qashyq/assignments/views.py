"""Pages of independent work. Thin: parse, check the policy, call a service or selector."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from qashyq.core.errors import NotFound, PermissionDenied, ValidationFailed
from qashyq.core.streaming import ranged_file_response

from . import policies, selectors, services
from .forms import TaskForm, rubric_text
from .highlight import highlight
from .models import TaskKind


def _offering(pk: int):
    offering = selectors.offering_get(pk)
    if offering is None:
        raise NotFound(_("There is no such course."))
    return offering


def _task(pk: int):
    task = selectors.task_get(pk)
    if task is None:
        raise NotFound(_("There is no such task."))
    return task


def _deny_task():
    raise PermissionDenied(_("This task is open to the students and tutors of its course."))


def _state(task, now):
    sub = task.my_submission
    if sub is not None:
        grade = selectors.grade_for_student(sub)
        if grade is not None:
            return _("Graded")
        return _("Submitted late") if sub.is_late else _("Submitted")
    if task.opens_at and now < task.opens_at:
        return _("Not open yet")
    if now > task.cut_off_at:
        return _("Closed")
    if now > task.due_at:
        return _("Overdue: late submission possible")
    return _("Open")


@login_required
def task_list(request, pk: int):
    offering = _offering(pk)
    if not policies.can_list_tasks(request.user, offering):
        raise PermissionDenied(_("The tasks of this course are open to its students and tutors."))
    manage = policies.can_manage_tasks(request.user, offering)
    view_all = policies.can_view_all_work(request.user, offering)
    tasks = selectors.tasks_for_offering(offering, user=request.user, include_unpublished=view_all)
    now = timezone.now()
    rows = [(task, _state(task, now)) for task in tasks]
    return render(
        request,
        "assignments/task_list.html",
        {"offering": offering, "rows": rows, "manage": manage, "view_all": view_all},
    )


def _task_data(form) -> dict:
    data = dict(form.cleaned_data)
    rubric = data.pop("rubric")
    return data | {"rubric": rubric}


@login_required
def task_create(request, pk: int):
    offering = _offering(pk)
    if not policies.can_manage_tasks(request.user, offering):
        raise PermissionDenied(_("Only the tutors of this course may create its tasks."))
    form = TaskForm(
        request.POST or None,
        initial={"kind": TaskKind.SRO},
        weeks=selectors.gradebook_weeks(offering),
    )
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(actor=request.user, offering=offering, **_task_data(form))
        except ValidationFailed as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The task is saved as a draft. Publish it when ready."))
            return redirect("assignments:task_detail", task.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "assignments/task_form.html",
        {"form": form, "offering": offering, "task": None},
        status=status,
    )


@login_required
def task_edit(request, pk: int):
    task = _task(pk)
    if not policies.can_manage_tasks(request.user, task.offering):
        raise PermissionDenied(_("Only the tutors of this course may edit its tasks."))
    initial = {f: getattr(task, f) for f in services.TASK_FIELDS} | {"rubric": rubric_text(task)}
    for field in ("opens_at", "due_at", "cut_off_at"):
        if initial[field]:
            initial[field] = timezone.localtime(initial[field])
    form = TaskForm(
        request.POST or None, initial=initial, weeks=selectors.gradebook_weeks(task.offering)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(actor=request.user, task=task, **_task_data(form))
        except ValidationFailed as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The task is saved."))
            return redirect("assignments:task_detail", task.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "assignments/task_form.html",
        {"form": form, "offering": task.offering, "task": task},
        status=status,
    )


@login_required
@require_POST
def task_publish(request, pk: int):
    task = _task(pk)
    publish = request.POST.get("published") == "1"
    services.task_set_published(actor=request.user, task=task, published=publish)
    messages.success(
        request, _("The task is published.") if publish else _("The task is hidden from students.")
    )
    return redirect("assignments:task_detail", task.pk)


@login_required
def task_detail(request, pk: int):
    task = _task(pk)
    if not policies.can_view_task(request.user, task):
        _deny_task()
    manage = policies.can_manage_tasks(request.user, task.offering)
    view_all = policies.can_view_all_work(request.user, task.offering)
    can_submit = policies.can_submit(request.user, task)
    error = None
    status = 200
    if request.method == "POST":
        if not can_submit:
            raise PermissionDenied(_("Only the students of this course may submit this task."))
        try:
            services.submission_submit(
                actor=request.user,
                task=task,
                text=request.POST.get("text", ""),
                uploads=request.FILES.getlist("files"),
                group_members=[int(x) for x in request.POST.getlist("members") if x.isdigit()],
            )
        except ValidationFailed as exc:
            error = exc.message
            status = 400
        else:
            messages.success(request, _("Your answer is submitted."))
            return redirect("assignments:task_detail", task.pk)
    attempts = selectors.attempts_of(task, request.user) if not view_all else []
    classmates = selectors.classmates(task, request.user) if task.group_task and can_submit else []
    return render(
        request,
        "assignments/task_detail.html",
        {
            "task": task,
            "manage": manage,
            "view_all": view_all,
            "can_submit": can_submit,
            "attempts": attempts,
            "error": error,
            "posted_text": request.POST.get("text", "") if error else "",
            "now": timezone.now(),
            "classmates": classmates,
            "criteria": list(task.criteria.all()),
        },
        status=status,
    )


@login_required
def submission_list(request, pk: int):
    task = _task(pk)
    if not policies.can_view_all_work(request.user, task.offering):
        raise PermissionDenied(
            _("Only the tutors of this course and the staff overseeing it see all submissions.")
        )
    can_grade = policies.can_manage_tasks(request.user, task.offering)
    return render(
        request,
        "assignments/submission_list.html",
        {
            "task": task,
            "submissions": selectors.current_submissions(task),
            "can_grade": can_grade,
            "can_post": policies.can_post_to_gradebook(request.user, task),
            "unsent": selectors.gradebook_unsent_count(task) if can_grade else 0,
        },
    )


@login_required
@require_POST
def gradebook_post(request, pk: int):
    task = _task(pk)
    if not policies.can_post_to_gradebook(request.user, task):
        raise PermissionDenied(
            _("Only the tutors of this course may send its marks to the e-journal.")
        )
    try:
        result = services.grades_post_to_gradebook(actor=request.user, task=task)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("assignments:submissions", task.pk)
    if result.posted:
        messages.success(
            request,
            ngettext(
                "%(count)s mark is sent to the e-journal (column %(column)s).",
                "%(count)s marks are sent to the e-journal (column %(column)s).",
                result.posted,
            )
            % {"count": result.posted, "column": task.get_gradebook_column_display()},
        )
    elif not result.skipped:
        messages.info(request, _("Every released mark is already in the e-journal."))
    if result.late_requests:
        messages.warning(
            request,
            ngettext(
                "The week is closed: %(count)s mark went to the registrar for approval and "
                "appears in the e-journal once approved.",
                "The week is closed: %(count)s marks went to the registrar for approval and "
                "appear in the e-journal once approved.",
                result.late_requests,
            )
            % {"count": result.late_requests},
        )
    if result.skipped:
        messages.warning(
            request,
            _("Not sent (no longer enrolled in the course): %(names)s.")
            % {"names": ", ".join(result.skipped)},
        )
    return redirect("assignments:submissions", task.pk)


@login_required
def grade(request, pk: int):
    submission = selectors.submission_get(pk)
    if submission is None:
        raise NotFound(_("There is no such submission."))
    if not policies.can_grade(request.user, submission):
        raise PermissionDenied(_("Only the tutors of this course may grade its submissions."))
    task = submission.task
    error = None
    status = 200
    if request.method == "POST":
        try:
            services.grade_submission(
                actor=request.user,
                submission=submission,
                points=request.POST.get("points") or None,
                level_ids=[
                    int(v)
                    for k, v in request.POST.items()
                    if k.startswith("criterion-") and v.isdigit()
                ],
                feedback=request.POST.get("feedback", ""),
                feedback_upload=request.FILES.get("feedback_file"),
                released=request.POST.get("released") == "1",
            )
        except ValidationFailed as exc:
            error = exc.message
            status = 400
        else:
            messages.success(request, _("The grade is saved."))
            return redirect("assignments:submissions", task.pk)
    existing = getattr(submission, "grade", None)
    chosen = {lv.pk for lv in existing.levels.all()} if existing else set()
    return render(
        request,
        "assignments/grade.html",
        {
            "submission": submission,
            "task": task,
            "criteria": list(task.criteria.all()),
            "grade": existing,
            "chosen": chosen,
            "error": error,
            "penalty": services.late_penalty_percent(task, submission),
        },
        status=status,
    )


@login_required
def similarity(request, pk: int):
    task = _task(pk)
    if not policies.can_view_similarity(request.user, task):
        raise PermissionDenied(
            _("The similarity report is for the tutors of this course and the staff overseeing it.")
        )
    can_run = policies.can_run_similarity(request.user, task)
    if request.method == "POST":
        services.similarity_check_run(task_id=task.pk, actor=request.user, check=True)
        messages.success(request, _("The similarity check is done."))
        return redirect("assignments:similarity", task.pk)
    pairs = [
        pair
        | {
            "a": highlight(pair["text_a"], pair["spans_a"]),
            "b": highlight(pair["text_b"], pair["spans_b"]),
            "jaccard": round(pair["report"].jaccard * 100),
            "containment": round(pair["report"].containment * 100),
        }
        for pair in selectors.similarity_pairs(task, request.user)
    ]
    return render(
        request,
        "assignments/similarity.html",
        {"task": task, "pairs": pairs, "can_run": can_run},
    )


@login_required
def submission_file(request, pk: int):
    item = selectors.submission_file_get(pk)
    if item is None or not policies.can_view_submission(request.user, item.submission):
        raise PermissionDenied(_("This file is open to its author and the course's tutors."))
    return ranged_file_response(
        request,
        item.file.name,
        content_type=item.mime_type,
        filename=item.original_name,
        as_attachment=not item.mime_type.startswith(("audio/", "image/")),
        etag=item.sha256,
    )


@login_required
def feedback_file(request, pk: int):
    submission = selectors.submission_get(pk)
    grade = getattr(submission, "grade", None) if submission else None
    if submission is None or grade is None or not grade.feedback_file:
        raise NotFound(_("There is no such file."))
    allowed = policies.can_view_grade(request.user, submission) or (
        grade.released and policies.can_view_submission(request.user, submission)
    )
    if not allowed:
        raise PermissionDenied(_("This file is open to its author and the course's tutors."))
    return ranged_file_response(
        request,
        grade.feedback_file.name,
        content_type=grade.feedback_file_mime,
        filename=grade.feedback_file_name,
        as_attachment=not grade.feedback_file_mime.startswith(("audio/", "image/")),
        etag=grade.feedback_file_sha256,
    )
