"""Reads of the assignments app, shaped for the pages (bounded queries)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from qashyq.academics.models import CourseOffering

from .models import Grade, SimilarityReport, Submission, Task


def offering_get(pk: int) -> CourseOffering | None:
    return CourseOffering.objects.select_related("discipline", "period__year").filter(pk=pk).first()


def task_get(pk: int) -> Task | None:
    return (
        Task.objects.select_related("offering__discipline", "offering__period__year")
        .prefetch_related("criteria__levels")
        .filter(pk=pk)
        .first()
    )


def tasks_for_offering(offering: CourseOffering, *, user, include_unpublished: bool) -> list[Task]:
    qs: QuerySet[Task] = Task.objects.filter(offering=offering)
    if not include_unpublished:
        qs = qs.filter(published=True)
    qs = qs.annotate(
        submission_count=Count("submissions", filter=Q(submissions__is_current=True)),
    )
    tasks = list(qs.order_by("due_at", "pk"))
    mine = {
        s.task_id: s
        for s in Submission.objects.filter(
            task__in=tasks, student=user, is_current=True
        ).select_related("grade")
    }
    for task in tasks:
        task.my_submission = mine.get(task.pk)
    return tasks


def submission_get(pk: int) -> Submission | None:
    return (
        Submission.objects.select_related("task__offering__discipline", "student", "grade")
        .prefetch_related("files", "group_members", "grade__levels")
        .filter(pk=pk)
        .first()
    )


def attempts_of(task: Task, user) -> list[Submission]:
    """The user's attempts (own, and group submissions naming them), newest first."""
    return list(
        Submission.objects.filter(task=task)
        .filter(Q(student=user) | Q(group_members=user))
        .select_related("student", "grade")
        .prefetch_related("files", "group_members", "grade__levels")
        .distinct()
        .order_by("-submitted_at", "-attempt")
    )


def current_submissions(task: Task) -> list[Submission]:
    return list(
        Submission.objects.filter(task=task, is_current=True)
        .select_related("student", "grade")
        .prefetch_related("files", "group_members", "grade__levels")
        .order_by("student__last_name", "student__first_name", "pk")
    )


def similarity_reports(task: Task) -> list[SimilarityReport]:
    return list(
        SimilarityReport.objects.filter(task=task).select_related(
            "submission_a__student",
            "submission_b__student",
            "submission_b__task__offering__period__year",
        )
    )


def period_label(period) -> str:
    """An academic period as people name it: "2024-2025, Semester 1"."""
    return _("%(year)s, %(period)s") % {
        "year": period.year.title,
        "period": period.get_kind_display(),
    }


def similarity_pairs(task: Task, user) -> list[dict]:
    """The task's flagged pairs as ``user`` may see them.

    A pair with a submission of an earlier year (``earlier``) is labelled with that year's period;
    the earlier student's name and full text are given only if ``user`` may see that submission,
    otherwise the name is "a student of an earlier year" and only the overlapping passages of
    the earlier text are kept (``text_b`` is then those passages, joined, with matching spans)."""
    from . import policies

    pairs = []
    for report in similarity_reports(task):
        a, b = report.submission_a, report.submission_b
        earlier = b.task_id != report.task_id
        spans_a = [tuple(p["a"]) for p in report.passages]
        spans_b = [tuple(p["b"]) for p in report.passages]
        name_b, text_b, b_visible = b.student.full_name, report.text_b, True
        if earlier and not policies.can_view_submission(user, b):
            b_visible = False
            name_b = _("a student of an earlier year")
            pieces, shown, pos = [], {}, 0
            for start, end in sorted(set(spans_b)):
                piece = report.text_b[start:end]
                if pieces:
                    pos += len(PASSAGE_GAP)
                pieces.append(piece)
                shown[(start, end)] = (pos, pos + len(piece))
                pos += len(piece)
            text_b, spans_b = PASSAGE_GAP.join(pieces), [shown[span] for span in spans_b]
        pairs.append(
            {
                "report": report,
                "earlier": earlier,
                "earlier_period": period_label(b.task.offering.period) if earlier else "",
                "name_a": a.student.full_name,
                "name_b": name_b,
                "b_visible": b_visible,
                "text_a": report.text_a,
                "text_b": text_b,
                "spans_a": spans_a,
                "spans_b": spans_b,
            }
        )
    return pairs


PASSAGE_GAP = "\n[…]\n"


def grade_for_student(submission: Submission) -> Grade | None:
    grade = getattr(submission, "grade", None)
    return grade if grade is not None and grade.released else None


def submission_file_get(pk: int):
    from .models import SubmissionFile

    return SubmissionFile.objects.select_related("submission__task__offering").filter(pk=pk).first()


def classmates(task: Task, user) -> list:
    """Other students of the offering, to name as members of a group submission."""
    from qashyq.academics.models import Enrollment

    return [
        e.student
        for e in Enrollment.objects.filter(offering_id=task.offering_id)
        .exclude(student=user)
        .select_related("student")
        .order_by("student__last_name", "student__first_name")
    ]


def gradebook_unsent_count(task: Task) -> int:
    """Released marks of current attempts not yet sent to the task's e-journal column."""
    return Grade.objects.filter(
        submission__task=task,
        submission__is_current=True,
        released=True,
        posted_to_gradebook=False,
    ).count()


def gradebook_weeks(offering: CourseOffering) -> int:
    """How many weekly columns the offering's e-journal has (its grading scheme's weeks)."""
    from qashyq.gradebook.selectors import scheme_for

    return scheme_for(offering).weeks
