"""Independent work (SRO/SROP): tasks, rubrics, submissions with every attempt kept, grades.

Invariants kept here (checked again by the services):

* ``Task.cut_off_at >= Task.due_at``;
* one *current* submission per student per task (a partial unique constraint); every earlier
  attempt stays as its own row with ``is_current=False`` -- nothing a student submitted is lost;
* one grade per submission attempt.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from qashyq.academics.models import CourseOffering
from qashyq.core.models import TimeStampedModel


class TaskKind(models.TextChoices):
    SRO = "sro", _("Independent work (SRO)")
    SROP = "srop", _("Independent work with the tutor (SROP)")


class LatePolicy(models.TextChoices):
    NONE = "none", _("No penalty")
    PENALTY = "penalty_percent_per_day", _("Penalty in percent per day late")


# The e-journal columns a task's marks may go to (qashyq.gradebook): the five journal columns and
# the weekly current-control marks. The week must also exist in the offering's grading scheme
# (15 weeks by default); the service checks that.
MAX_GRADEBOOK_WEEKS = 20
GRADEBOOK_COLUMN_CHOICES = [
    ("tk1", _("CC1 (current control, 1st half)")),
    ("rk1", _("MT1 (midterm 1)")),
    ("tk2", _("CC2 (current control, 2nd half)")),
    ("rk2", _("MT2 (midterm 2)")),
    ("exam", _("Exam")),
    *(
        (f"w{week}", format_lazy(_("Week {week}: current-control mark"), week=week))
        for week in range(1, MAX_GRADEBOOK_WEEKS + 1)
    ),
]


class Task(TimeStampedModel):
    offering = models.ForeignKey(
        CourseOffering, on_delete=models.CASCADE, related_name="assignment_tasks"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=TaskKind, default=TaskKind.SRO)
    title = models.CharField(_("title"), max_length=255)
    instructions = models.TextField(_("instructions (Markdown)"), blank=True)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"))
    cut_off_at = models.DateTimeField(_("cut-off (no submissions after)"))
    late_policy = models.CharField(
        _("late policy"), max_length=32, choices=LatePolicy, default=LatePolicy.NONE
    )
    late_penalty_percent = models.PositiveSmallIntegerField(_("penalty per day late, %"), default=0)
    late_penalty_cap = models.PositiveSmallIntegerField(_("maximum penalty, %"), default=100)
    max_points = models.PositiveSmallIntegerField(_("maximum points"), default=100)
    allow_text = models.BooleanField(_("text answer allowed"), default=True)
    allow_files = models.BooleanField(_("files allowed"), default=True)
    max_files = models.PositiveSmallIntegerField(_("maximum number of files"), default=5)
    max_file_mb = models.PositiveSmallIntegerField(_("maximum file size, MB"), default=20)
    group_task = models.BooleanField(_("group task"), default=False)
    published = models.BooleanField(_("published"), default=False)
    gradebook_column = models.CharField(
        _("e-journal column"),
        max_length=8,
        blank=True,
        default="",
        choices=GRADEBOOK_COLUMN_CHOICES,
        help_text=_("Where the released marks go, as a percentage of the maximum points."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cut_off_at__gte=F("due_at")), name="task_cut_off_after_due"
            ),
            models.CheckConstraint(
                condition=Q(late_penalty_cap__lte=100), name="task_penalty_cap_le_100"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RubricCriterion(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("criterion"), max_length=255)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class RubricLevel(models.Model):
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("level"), max_length=255)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("rubric level")
        verbose_name_plural = _("rubric levels")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.points})"


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Submission(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="submissions")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="task_submissions"
    )
    group_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="group_task_submissions", blank=True
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    is_current = models.BooleanField(_("current attempt"), default=True)
    text = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=SubmissionStatus, default=SubmissionStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    is_late = models.BooleanField(_("late"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["task", "student", "-attempt"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "student", "attempt"], name="submission_attempt_unique"
            ),
            models.UniqueConstraint(
                fields=["task", "student"],
                condition=Q(is_current=True),
                name="submission_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.student} · #{self.attempt}"


class SubmissionFile(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(max_length=300)
    original_name = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("submitted file")
        verbose_name_plural = _("submitted files")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class Grade(models.Model):
    """The tutor's mark and feedback on one attempt.

    ``posted_to_gradebook``: the mark, as it is now, has been sent to the task's e-journal column
    (``services.grades_post_to_gradebook``). A regrade that changes the points or the release,
    or a change of the task's column or maximum points, sets it back to false: the tutor sends
    the marks again.
    """

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="grade")
    raw_points = models.DecimalField(_("points before penalty"), max_digits=6, decimal_places=2)
    penalty_percent = models.DecimalField(
        _("late penalty, %"), max_digits=5, decimal_places=2, default=0
    )
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    levels = models.ManyToManyField(RubricLevel, blank=True, related_name="+")
    feedback = models.TextField(_("written feedback"), blank=True)
    feedback_file = models.FileField(max_length=300, blank=True)
    feedback_file_name = models.CharField(max_length=255, blank=True)
    feedback_file_mime = models.CharField(max_length=120, blank=True)
    feedback_file_sha256 = models.CharField(max_length=64, blank=True)
    released = models.BooleanField(_("released to the student"), default=False)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    graded_at = models.DateTimeField(_("graded at"))
    posted_to_gradebook = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")

    def __str__(self) -> str:
        return f"{self.submission}: {self.points}"


class SimilarityReport(models.Model):
    """A pair found similar, with the texts as compared: two current submissions of ``task``, or
    one of them (``submission_a``) and a submission of an earlier year (``submission_b``, to a
    task of an earlier offering of the same discipline)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="similarity_reports")
    submission_a = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    submission_b = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    jaccard = models.FloatField()
    containment = models.FloatField()
    passages = models.JSONField(default=list)
    text_a = models.TextField(blank=True)
    text_b = models.TextField(blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("similarity report")
        verbose_name_plural = _("similarity reports")
        ordering = ["-containment", "-jaccard", "pk"]

    def __str__(self) -> str:
        return f"{self.submission_a_id} ~ {self.submission_b_id}"


class SubmissionFingerprint(models.Model):
    """A submission as the similarity check compares it, computed once and kept.

    ``text`` is the submission's text with the text extracted from its PDF/DOCX/text files;
    ``shingles`` its shingle set (``similarity.pack_shingles``) under ``scheme``
    (``similarity.FINGERPRINT_SCHEME``). A submission never changes (a resubmission is a new
    row), so a fingerprint stays valid until the scheme changes; then it is recomputed. Later
    checks of the task, and the checks of later years, read it instead of extracting and
    tokenising the text again.
    """

    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, related_name="similarity_fingerprint"
    )
    scheme = models.CharField(max_length=40)
    text = models.TextField(blank=True)
    shingles = models.BinaryField(blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("similarity fingerprint")
        verbose_name_plural = _("similarity fingerprints")

    def __str__(self) -> str:
        return f"{self.submission_id} ({self.scheme})"


class CalendarFeedToken(models.Model):
    """The secret of a user's personal deadlines feed (ICS), one per user.

    Only the SHA-256 of the token is stored; the subscribe URL is shown once, when the token is
    created or rotated. Rotating replaces the hash, so the old URL stops working at once.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token"
    )
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"
