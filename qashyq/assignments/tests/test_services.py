"""Tasks, submissions and grading: what students and tutors would notice."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qashyq.assignments import services
from qashyq.assignments.models import Grade, SimilarityReport, Submission, SubmissionFile, Task
from qashyq.assignments.tests.factories import TaskFactory, course
from qashyq.assignments.tests.test_similarity import KK_INDEPENDENT, KK_NEAR_COPY, KK_ORIGINAL
from qashyq.core.errors import PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry

pytestmark = pytest.mark.django_db

NOW = timezone.now()
RUBRIC = [
    {
        "title": "Мазмұны",
        "levels": [{"title": "Толық", "points": 60}, {"title": "Жартылай", "points": 30}],
    },
    {
        "title": "Рәсімделуі",
        "levels": [{"title": "Жақсы", "points": 40}, {"title": "Әлсіз", "points": 10}],
    },
]


def pdf_upload(name="essay.pdf", text="Арал теңізі"):
    from qashyq.core.tests.test_files import pdf_bytes

    return SimpleUploadedFile(name, pdf_bytes())


def txt(name="answer.txt", text="Менің жауабым: Арал теңізі тартылып жатыр."):
    return SimpleUploadedFile(name, text.encode())


def stored_files() -> list[str]:
    root = default_storage.location
    import os

    found = []
    for folder, _dirs, names in os.walk(root):
        found += [os.path.join(folder, n) for n in names if not n.endswith(".part")]
    return found


# --- tasks -------------------------------------------------------------------------------------


def test_tutor_creates_task_with_rubric_and_publishes_it():
    offering, tutor, _students = course()
    task = services.task_create(
        actor=tutor,
        offering=offering,
        title="Арал эссесі",
        due_at=NOW + datetime.timedelta(days=7),
        rubric=RUBRIC,
    )
    assert task.cut_off_at == task.due_at
    assert not task.published
    assert [c.title for c in task.criteria.all()] == ["Мазмұны", "Рәсімделуі"]
    services.task_set_published(actor=tutor, task=task, published=True)
    assert Task.objects.get(pk=task.pk).published


def test_cut_off_before_due_is_refused(english):
    offering, tutor, _ = course()
    with pytest.raises(ValidationFailed, match="cut-off cannot be earlier"):
        services.task_create(
            actor=tutor,
            offering=offering,
            title="X",
            due_at=NOW + datetime.timedelta(days=7),
            cut_off_at=NOW + datetime.timedelta(days=6),
        )
    assert not Task.objects.exists()


def test_student_and_other_tutor_cannot_create_or_publish():
    offering, _tutor, students = course()
    _other_offering, other_tutor, _ = course()
    for actor in (students[0], other_tutor):
        with pytest.raises(PermissionDenied):
            services.task_create(
                actor=actor, offering=offering, title="X", due_at=NOW + datetime.timedelta(days=1)
            )
    task = TaskFactory(offering=offering, published=False)
    with pytest.raises(PermissionDenied):
        services.task_set_published(actor=students[0], task=task, published=True)
    assert not Task.objects.get(pk=task.pk).published
    assert Task.objects.count() == 1


# --- submissions -------------------------------------------------------------------------------


def test_submit_text_and_file_then_resubmit_keeps_the_first_attempt(
    django_capture_on_commit_callbacks,
):
    offering, _tutor, students = course()
    task = TaskFactory(offering=offering)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.submission_submit(actor=students[0], task=task, text="Бірінші жауап")
    second = services.submission_submit(
        actor=students[0], task=task, text="Екінші жауап", uploads=[txt()]
    )
    first.refresh_from_db()
    assert (first.attempt, first.is_current) == (1, False)
    assert (second.attempt, second.is_current, second.is_late) == (2, True, False)
    assert first.text == "Бірінші жауап"
    file = second.files.get()
    assert file.mime_type == "text/plain" and len(file.sha256) == 64
    assert default_storage.exists(file.file.name)


def test_empty_submission_is_refused(english):
    offering, _tutor, students = course()
    task = TaskFactory(offering=offering)
    with pytest.raises(ValidationFailed, match="empty"):
        services.submission_submit(actor=students[0], task=task, text="   ")
    assert not Submission.objects.exists()


def test_submission_after_cut_off_is_refused_and_between_due_and_cut_off_is_late(english):
    offering, _tutor, students = course()
    task = TaskFactory(
        offering=offering,
        due_at=NOW - datetime.timedelta(days=2),
        cut_off_at=NOW + datetime.timedelta(days=1),
    )
    late = services.submission_submit(actor=students[0], task=task, text="Кеш жауап")
    assert late.is_late
    closed = TaskFactory(
        offering=offering,
        due_at=NOW - datetime.timedelta(days=3),
        cut_off_at=NOW - datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationFailed, match="cut-off date has passed"):
        services.submission_submit(actor=students[1], task=closed, text="Жауап")
    assert not Submission.objects.filter(task=closed).exists()


def test_resubmission_after_due_date_is_refused(english):
    offering, _tutor, students = course()
    task = TaskFactory(offering=offering)
    services.submission_submit(actor=students[0], task=task, text="Жауап")
    with pytest.raises(ValidationFailed, match="due date has passed"):
        services.submission_submit(
            actor=students[0], task=task, text="Жаңа", now=task.due_at + datetime.timedelta(hours=1)
        )
    assert Submission.objects.get(is_current=True).text == "Жауап"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (SimpleUploadedFile("tool.exe", b"MZ\x90\x00" + b"\x00" * 100), "tool.exe|program|not"),
        (SimpleUploadedFile("big.txt", b"a" * (1024 * 1024 + 1)), "too large"),
    ],
)
def test_bad_file_stores_nothing_and_keeps_earlier_attempt(english, bad, message):
    offering, _tutor, students = course()
    task = TaskFactory(offering=offering, max_file_mb=1)
    first = services.submission_submit(actor=students[0], task=task, uploads=[txt()])
    files_before = sorted(stored_files())
    with pytest.raises(ValidationFailed):
        services.submission_submit(actor=students[0], task=task, uploads=[txt("ok.txt"), bad])
    assert sorted(stored_files()) == files_before
    assert Submission.objects.get(is_current=True) == first
    assert SubmissionFile.objects.count() == 1


def test_too_many_files_refused(english):
    offering, _tutor, students = course()
    task = TaskFactory(offering=offering, max_files=1)
    with pytest.raises(ValidationFailed, match="Too many files"):
        services.submission_submit(
            actor=students[0], task=task, uploads=[txt("a.txt"), txt("b.txt")]
        )
    assert not Submission.objects.exists()


def test_students_of_other_courses_and_unpublished_tasks_are_refused():
    offering, tutor, students = course()
    _other, _other_tutor, outsiders = course()
    task = TaskFactory(offering=offering)
    draft = TaskFactory(offering=offering, published=False)
    for actor, target in ((outsiders[0], task), (tutor, task), (students[0], draft)):
        with pytest.raises(PermissionDenied):
            services.submission_submit(actor=actor, task=target, text="Жауап")
    assert not Submission.objects.exists()


def test_group_submission_names_enrolled_members_only(english):
    offering, _tutor, students = course(3)
    _other, _t, outsiders = course()
    task = TaskFactory(offering=offering, group_task=True)
    sub = services.submission_submit(
        actor=students[0], task=task, text="Топ жауабы", group_members=[students[1]]
    )
    assert list(sub.group_members.all()) == [students[1]]
    with pytest.raises(ValidationFailed, match="member of the group"):
        services.submission_submit(
            actor=students[2], task=task, text="Жауап", group_members=[outsiders[0]]
        )


# --- grading -----------------------------------------------------------------------------------


def _rubric_task(offering, **kw):
    task = TaskFactory(offering=offering, **kw)
    services._set_rubric(task, RUBRIC)
    return task


def test_rubric_grade_is_sum_of_levels_and_audited():
    offering, tutor, students = course()
    task = _rubric_task(offering)
    sub = services.submission_submit(actor=students[0], task=task, text="Жауап")
    levels = {lv.title: lv.pk for c in task.criteria.all() for lv in c.levels.all()}
    grade = services.grade_submission(
        actor=tutor, submission=sub, level_ids=[levels["Толық"], levels["Әлсіз"]], feedback="Жақсы"
    )
    assert grade.points == Decimal("70.00") and not grade.posted_to_gradebook
    grade = services.grade_submission(
        actor=tutor,
        submission=sub,
        level_ids=[levels["Толық"], levels["Жақсы"]],
        feedback="Жақсы",
        released=True,
    )
    assert grade.points == Decimal("100.00")
    entries = list(AuditLogEntry.objects.filter(action="assignment.grade").order_by("pk"))
    assert len(entries) == 2
    assert entries[0].old_value is None and entries[0].new_value["points"] == "70.00"
    assert entries[1].old_value["points"] == "70.00" and entries[1].new_value["points"] == "100.00"


def test_rubric_needs_one_level_per_criterion(english):
    offering, tutor, students = course()
    task = _rubric_task(offering)
    sub = services.submission_submit(actor=students[0], task=task, text="Жауап")
    first_level = task.criteria.first().levels.first()
    with pytest.raises(ValidationFailed, match="every criterion"):
        services.grade_submission(actor=tutor, submission=sub, level_ids=[first_level.pk])
    assert not Grade.objects.exists()


def test_late_penalty_is_applied_and_capped():
    offering, tutor, students = course()
    task = TaskFactory(
        offering=offering,
        due_at=NOW - datetime.timedelta(days=5, hours=1),
        cut_off_at=NOW + datetime.timedelta(days=1),
        late_policy="penalty_percent_per_day",
        late_penalty_percent=10,
        late_penalty_cap=30,
    )
    sub = services.submission_submit(actor=students[0], task=task, text="Кеш")
    grade = services.grade_submission(actor=tutor, submission=sub, points=80)
    assert grade.penalty_percent == 30  # 6 started days × 10% capped at 30%
    assert grade.points == Decimal("56.00") and grade.raw_points == Decimal("80.00")
    task2 = TaskFactory(
        offering=offering,
        due_at=NOW - datetime.timedelta(hours=2),
        cut_off_at=NOW + datetime.timedelta(days=1),
        late_policy="penalty_percent_per_day",
        late_penalty_percent=10,
    )
    sub2 = services.submission_submit(actor=students[1], task=task2, text="Кеш")
    assert services.grade_submission(actor=tutor, submission=sub2, points=50).points == 45


def test_points_out_of_range_and_non_tutor_grading_change_nothing(english):
    offering, tutor, students = course()
    _o, other_tutor, _s = course()
    task = TaskFactory(offering=offering, max_points=50)
    sub = services.submission_submit(actor=students[0], task=task, text="Жауап")
    with pytest.raises(ValidationFailed, match="between 0 and 50"):
        services.grade_submission(actor=tutor, submission=sub, points=51)
    for actor in (students[0], students[1], other_tutor):
        with pytest.raises(PermissionDenied):
            services.grade_submission(actor=actor, submission=sub, points=10)
    assert not Grade.objects.exists()
    assert not AuditLogEntry.objects.filter(action="assignment.grade").exists()


def test_feedback_file_is_stored():
    offering, tutor, students = course()
    task = TaskFactory(offering=offering)
    sub = services.submission_submit(actor=students[0], task=task, text="Жауап")
    grade = services.grade_submission(
        actor=tutor, submission=sub, points=90, feedback_upload=txt("notes.txt", "Пікір")
    )
    assert grade.feedback_file_name == "notes.txt"
    assert default_storage.exists(grade.feedback_file.name)


# --- similarity --------------------------------------------------------------------------------


def test_similarity_flags_near_copy_and_not_independent(django_capture_on_commit_callbacks):
    offering, _tutor, students = course(3)
    task = TaskFactory(offering=offering)
    with django_capture_on_commit_callbacks(execute=True):
        a = services.submission_submit(actor=students[0], task=task, text=KK_ORIGINAL)
        b = services.submission_submit(
            actor=students[1], task=task, uploads=[txt("copy.txt", KK_NEAR_COPY)]
        )
        services.submission_submit(actor=students[2], task=task, text=KK_INDEPENDENT)
    reports = list(SimilarityReport.objects.filter(task=task))
    assert len(reports) == 1
    report = reports[0]
    assert {report.submission_a_id, report.submission_b_id} == {a.pk, b.pk}
    assert report.jaccard > 0.2 and report.passages
    start, end = report.passages[0]["a"]
    assert report.text_a[start:end] in KK_ORIGINAL
    # safe to run twice: the reports are replaced, not duplicated
    services.similarity_check_run(task_id=task.pk)
    services.similarity_check_run(task_id=task.pk)
    assert SimilarityReport.objects.filter(task=task).count() == 1


def test_similarity_reads_pdf_text():
    offering, _tutor, students = course(2)
    task = TaskFactory(offering=offering)
    sub = services.submission_submit(actor=students[0], task=task, uploads=[pdf_upload()])
    assert services.submission_check_text(sub).strip()
