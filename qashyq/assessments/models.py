"""Question banks, their category trees, and questions kept as immutable versions.

A bank belongs either to a discipline (shared by every offering of it) or to a department. A
question is a stable identity (bank, category, tags, archived flag) whose content lives in
``QuestionVersion`` rows: editing makes a new version and moves ``current_version``; a version is
never changed after it is written, so an attempt that showed version 3 can always show it again.
The shape of ``QuestionVersion.data`` per type is the contract in docs/subsystems/questions.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qashyq.academics.models import Department, Discipline
from qashyq.core.models import TimeStampedModel


class QType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUEFALSE = "truefalse", _("True/false")
    SHORT = "short", _("Short answer")
    NUMERICAL = "numerical", _("Numerical")
    MATCHING = "matching", _("Matching")
    ORDERING = "ordering", _("Ordering")
    CLOZE = "cloze", _("Fill in the blanks (cloze)")
    ESSAY = "essay", _("Essay")
    FILE = "file", _("File response")
    DESCRIPTION = "description", _("Description (no answer)")


# Graded by hand; the scoring engine returns None for them.
MANUAL_QTYPES = frozenset({QType.ESSAY, QType.FILE})
# Carries no mark at all.
UNGRADED_QTYPES = frozenset({QType.DESCRIPTION})


class TextFormat(models.TextChoices):
    MARKDOWN = "markdown", _("Markdown")
    HTML = "html", _("HTML")
    PLAIN = "plain", _("Plain text")


class QuestionBank(TimeStampedModel):
    """Questions of one discipline (any of its offerings) or of one department."""

    title = models.CharField(_("title"), max_length=255)
    discipline = models.ForeignKey(
        Discipline,
        verbose_name=_("discipline"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="question_banks",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="question_banks",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(discipline__isnull=False) & Q(department__isnull=True))
                | (Q(discipline__isnull=True) & Q(department__isnull=False)),
                name="question_bank_one_owner",
            ),
            models.UniqueConstraint(
                fields=["discipline", "title"],
                condition=Q(discipline__isnull=False),
                name="question_bank_title_unique_per_discipline",
            ),
            models.UniqueConstraint(
                fields=["department", "title"],
                condition=Q(department__isnull=False),
                name="question_bank_title_unique_per_department",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class QuestionCategory(models.Model):
    """A node of a bank's category tree; names are unique among siblings."""

    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("bank"), on_delete=models.CASCADE, related_name="categories"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=255)

    class Meta:
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank", "parent", "name"],
                condition=Q(parent__isnull=False),
                name="question_category_name_unique_per_parent",
            ),
            # NULLs are distinct in a unique index, so top-level names need their own constraint.
            models.UniqueConstraint(
                fields=["bank", "name"],
                condition=Q(parent__isnull=True),
                name="question_category_name_unique_at_top",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Question(TimeStampedModel):
    """The stable identity of a question; its content is ``current_version``."""

    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("bank"), on_delete=models.PROTECT, related_name="questions"
    )
    # None: at the top of the bank, outside any category.
    category = models.ForeignKey(
        QuestionCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questions",
    )
    current_version = models.ForeignKey(
        "QuestionVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["bank", "archived", "category"], name="question_bank_listing_idx")
        ]

    def __str__(self) -> str:
        version = self.current_version
        return version.name if version is not None else f"#{self.pk}"


class QuestionTag(models.Model):
    """A free tag of a question (topic, learning outcome, ``difficulty:easy``...).

    Tags describe the question, not one version of it, so changing them makes no new version.
    Names are stored normalised (NFC, spaces collapsed, lower case) so a filter matches however
    the tag was typed, in any alphabet and on every database.
    """

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="tags"
    )
    name = models.CharField(_("tag"), max_length=100, db_index=True)

    class Meta:
        verbose_name = _("question tag")
        verbose_name_plural = _("question tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["question", "name"], name="question_tag_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ImmutableQuerySet(models.QuerySet):
    """A bulk ``update()`` would bypass the model's guard; refuse it too."""

    def update(self, **kwargs):
        raise RuntimeError("Question versions are immutable; create a new version instead.")


class QuestionVersion(models.Model):
    """One version of a question's content; written once, never changed."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    qtype = models.CharField(_("type"), max_length=16, choices=QType.choices)
    name = models.CharField(_("name"), max_length=255)
    text = models.TextField(_("text"))
    text_format = models.CharField(
        _("text format"), max_length=16, choices=TextFormat.choices, default=TextFormat.MARKDOWN
    )
    data = models.JSONField(_("data"), default=dict)
    general_feedback = models.TextField(_("general feedback"), blank=True)
    default_mark = models.DecimalField(_("default mark"), max_digits=7, decimal_places=2, default=1)
    # Moodle's penalty per wrong try, kept so an export gives back what was imported.
    penalty = models.FloatField(_("penalty"), default=0.0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = _("question version")
        verbose_name_plural = _("question versions")
        ordering = ["question_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "number"], name="question_version_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="question_version_number_gte_1"
            ),
            models.CheckConstraint(
                condition=Q(qtype__in=QType.values), name="question_version_qtype_valid"
            ),
            models.CheckConstraint(
                condition=Q(default_mark__gte=0), name="question_version_mark_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.number})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("Question versions are immutable; create a new version instead.")
        super().save(*args, **kwargs)


# --- tests and attempts ---------------------------------------------------------------------------
# The server side of docs/subsystems/attempts.md. A test draws its questions from banks; an
# attempt fixes, at its start, which question versions it shows, in which order and with which
# option order, so a reload, another device or a later regrade sees exactly the same attempt.


class TestKind(models.TextChoices):
    CURRENT = "current", _("Current control")
    RK1 = "rk1", _("Midterm control 1 (RK1)")
    RK2 = "rk2", _("Midterm control 2 (RK2)")
    EXAM = "exam", _("Exam")
    PRACTICE = "practice", _("Practice")


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", _("Highest attempt")
    LAST = "last", _("Last attempt")
    FIRST = "first", _("First attempt")
    AVERAGE = "average", _("Average of the attempts")


class Navigation(models.TextChoices):
    FREE = "free", _("Free")
    SEQUENTIAL = "sequential", _("Sequential (no way back)")


# The moments of the review options and what each may show (Moodle's review options).
REVIEW_MOMENTS = ("during", "immediately", "later", "after_close")
REVIEW_ITEMS = ("score", "responses", "right_answers", "feedback")


class Test(TimeStampedModel):
    """A test of a course offering: when it is open, how long an attempt lasts, how many
    attempts a student has, how questions are chosen and shown, and what the review shows.

    ``password`` is kept in plain text on purpose: it is a room password the proctor announces
    (not a credential of anybody), the tutor must be able to read it again, and hashing it with
    Django's password hasher would cost ~0.3 s of CPU per start, which a cohort pressing "Start"
    in the same minute cannot afford. It is compared in constant time.
    """

    __test__ = False  # not a pytest test class

    offering = models.ForeignKey(
        "academics.CourseOffering",
        verbose_name=_("course offering"),
        on_delete=models.PROTECT,
        related_name="tests",
    )
    title = models.CharField(_("title"), max_length=255)
    intro = models.TextField(_("introduction"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=TestKind.choices, default=TestKind.CURRENT
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    time_limit = models.PositiveIntegerField(
        _("time limit (minutes)"), null=True, blank=True, help_text=_("Empty: no time limit.")
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=1, help_text=_("0: unlimited.")
    )
    grading_method = models.CharField(
        _("grading method"),
        max_length=16,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
    )
    navigation = models.CharField(
        _("navigation"), max_length=16, choices=Navigation.choices, default=Navigation.FREE
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    password = models.CharField(_("password"), max_length=64, blank=True)
    allowed_ip_ranges = models.TextField(
        _("allowed IP ranges"),
        blank=True,
        help_text=_("One address or CIDR range per line (e.g. 10.1.2.0/24); empty: any."),
    )
    # review options: what the student sees during the attempt, immediately after it (2 min),
    # later while the test is open, and after it closes
    review_during_score = models.BooleanField(default=False)
    review_during_responses = models.BooleanField(default=True)
    review_during_right_answers = models.BooleanField(default=False)
    review_during_feedback = models.BooleanField(default=False)
    review_immediately_score = models.BooleanField(default=True)
    review_immediately_responses = models.BooleanField(default=True)
    review_immediately_right_answers = models.BooleanField(default=False)
    review_immediately_feedback = models.BooleanField(default=False)
    review_later_score = models.BooleanField(default=True)
    review_later_responses = models.BooleanField(default=True)
    review_later_right_answers = models.BooleanField(default=False)
    review_later_feedback = models.BooleanField(default=False)
    review_after_close_score = models.BooleanField(default=True)
    review_after_close_responses = models.BooleanField(default=True)
    review_after_close_right_answers = models.BooleanField(default=True)
    review_after_close_feedback = models.BooleanField(default=True)
    proctored = models.BooleanField(_("proctored"), default=False)
    gradebook_column = models.CharField(
        _("gradebook column"), max_length=32, blank=True, help_text=_("For example rk1.")
    )
    published = models.BooleanField(_("published"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("test")
        verbose_name_plural = _("tests")
        ordering = ["offering_id", "opens_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="test_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(time_limit__isnull=True) | Q(time_limit__gte=1),
                name="test_time_limit_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def review_option(self, moment: str, item: str) -> bool:
        return bool(getattr(self, f"review_{moment}_{item}"))


class TestSection(models.Model):
    """A part of a test: ``count`` random questions of a category (a different draw per
    student), or, with no category, the fixed questions listed in ``TestQuestion``."""

    __test__ = False

    test = models.ForeignKey(
        Test, verbose_name=_("test"), on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    category = models.ForeignKey(
        QuestionCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    include_subcategories = models.BooleanField(_("include subcategories"), default=False)
    count = models.PositiveIntegerField(_("random questions"), default=0)
    # None: each question's own default mark
    mark = models.DecimalField(
        _("mark per question"), max_digits=7, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("test section")
        verbose_name_plural = _("test sections")
        ordering = ["test_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.test} · {self.position}"


class TestQuestion(models.Model):
    """A fixed question of a section (always shown, in its current version at the start)."""

    __test__ = False

    section = models.ForeignKey(
        TestSection,
        verbose_name=_("section"),
        on_delete=models.CASCADE,
        related_name="fixed_questions",
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("test question")
        verbose_name_plural = _("test questions")
        ordering = ["section_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["section", "question"], name="test_question_unique")
        ]

    def __str__(self) -> str:
        return f"{self.section} · {self.question_id}"


class TestOverride(models.Model):
    """Other dates, time or attempts for one student or a group (e.g. extra time for a student
    with special needs). Empty fields keep the test's value; a student's override wins over the
    group's, field by field."""

    __test__ = False

    test = models.ForeignKey(
        Test, verbose_name=_("test"), on_delete=models.CASCADE, related_name="overrides"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("student"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    group = models.ForeignKey(
        "academics.StudyGroup",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    time_limit = models.PositiveIntegerField(_("time limit (minutes)"), null=True, blank=True)
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("test override")
        verbose_name_plural = _("test overrides")
        constraints = [
            models.CheckConstraint(
                condition=(Q(student__isnull=False) & Q(group__isnull=True))
                | (Q(student__isnull=True) & Q(group__isnull=False)),
                name="test_override_one_target",
            ),
            models.UniqueConstraint(
                fields=["test", "student"],
                condition=Q(student__isnull=False),
                name="test_override_unique_student",
            ),
            models.UniqueConstraint(
                fields=["test", "group"],
                condition=Q(group__isnull=False),
                name="test_override_unique_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.test} · {self.student or self.group}"


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    FINISHED = "finished", _("Finished")
    ABANDONED = "abandoned", _("Abandoned")


class FinishedBy(models.TextChoices):
    STUDENT = "student", _("The student")
    DEADLINE = "deadline", _("The deadline")
    STAFF = "staff", _("Staff")


class Attempt(models.Model):
    """One attempt of a student at a test. ``deadline`` is fixed at the start: the earliest of
    the start plus the time limit and the close time (both after overrides); None when neither
    exists. The server's clock is the truth."""

    test = models.ForeignKey(
        Test, verbose_name=_("test"), on_delete=models.PROTECT, related_name="attempts"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("student"),
        on_delete=models.PROTECT,
        related_name="test_attempts",
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    state = models.CharField(
        _("state"), max_length=16, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    finished_by = models.CharField(
        _("finished by"), max_length=16, choices=FinishedBy.choices, blank=True
    )
    # the slot a sequential test is at (free navigation ignores it)
    current_slot = models.PositiveIntegerField(default=1)
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=4, null=True, blank=True)
    max_score = models.DecimalField(_("maximum score"), max_digits=10, decimal_places=4, default=0)
    # answers of hand-graded questions wait for a tutor; ``score`` is then provisional
    needs_grading = models.BooleanField(_("needs grading"), default=False)
    offline_key = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # stays false until the gradebook issue lands (see assignments.Grade)
    posted_to_gradebook = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["test_id", "student_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["test", "student", "number"], name="attempt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["test", "student"],
                condition=Q(state="in_progress"),
                name="attempt_one_in_progress",
            ),
            models.CheckConstraint(
                condition=Q(state__in=AttemptState.values), name="attempt_state_valid"
            ),
        ]
        indexes = [models.Index(fields=["state", "deadline"], name="attempt_overdue_idx")]

    def __str__(self) -> str:
        return f"{self.test} · {self.student} · {self.number}"


class AttemptSlot(models.Model):
    """A question as one attempt shows it: the exact version, its mark, and the order of its
    options (``option_order``: ``{"options": [ids]}``, ``{"prompts": [ids], "choices":
    [texts]}``, ``{"items": [ids]}`` or ``{"gaps": {"1": [ids]}}``), fixed at the start."""

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="slots"
    )
    number = models.PositiveIntegerField(_("slot"))
    question_version = models.ForeignKey(
        QuestionVersion,
        verbose_name=_("question version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    option_order = models.JSONField(default=dict, blank=True)
    mark = models.DecimalField(_("mark"), max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("attempt slot")
        verbose_name_plural = _("attempt slots")
        ordering = ["attempt_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "number"], name="attempt_slot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} · {self.number}"


class Answer(models.Model):
    """The saved answer of a slot. ``seq`` is the page's counter for the slot: a save with a
    lower or equal ``seq`` changes nothing. ``fraction``/``points`` are the automatic score
    (None until scored, or for a hand-graded type); ``manual_points`` a tutor's mark, which
    wins; ``rubric_levels`` the levels chosen when that mark came from the question's rubric."""

    slot = models.OneToOneField(
        AttemptSlot, verbose_name=_("slot"), on_delete=models.CASCADE, related_name="answer"
    )
    response = models.JSONField(_("response"), null=True, blank=True)
    seq = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(_("saved"), null=True, blank=True)
    fraction = models.FloatField(null=True, blank=True)
    points = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    manual_points = models.DecimalField(
        _("points given by hand"), max_digits=10, decimal_places=4, null=True, blank=True
    )
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("graded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    graded_at = models.DateTimeField(_("graded"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # the rubric levels the grader chose, {criterion id: level id} (empty: no rubric used)
    rubric_levels = models.JSONField(_("rubric levels"), default=dict, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.slot_id} · {self.seq}"

    @property
    def effective_points(self):
        return self.manual_points if self.manual_points is not None else self.points


class AnswerOutcome(models.TextChoices):
    SAVED = "saved", _("Saved")
    STALE = "stale", _("Stale (an older or repeated save)")
    REFUSED_LATE = "refused_late", _("Refused: after the deadline")
    REFUSED_FINISHED = "refused_finished", _("Refused: the attempt was finished")
    INVALID = "invalid", _("Invalid response")


class AnswerEvent(models.Model):
    """The journal of the saves that changed nothing: refused (late, finished, invalid) or stale.
    An accepted save is its ``Answer`` row (``seq``, ``saved_at``); ``saved`` is for answers
    applied from elsewhere (an offline answers file)."""

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="events"
    )
    slot_number = models.PositiveIntegerField(_("slot"))
    seq = models.BigIntegerField(default=0)
    outcome = models.CharField(_("outcome"), max_length=20, choices=AnswerOutcome.choices)
    at = models.DateTimeField(_("at"))
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("answer event")
        verbose_name_plural = _("answer events")
        ordering = ["attempt_id", "at", "id"]
        indexes = [models.Index(fields=["attempt", "outcome"], name="answer_event_outcome_idx")]

    def __str__(self) -> str:
        return f"{self.attempt_id} · {self.slot_number} · {self.outcome}"


class AttemptFile(models.Model):
    """A file a student uploaded into a slot of an attempt (a file question, an essay's
    attachment). The answer's response references it by id (``{"files": [ids]}``); a file the
    response no longer references is kept (nothing a student submitted is lost) and shown to
    staff as "uploaded but not attached". ``kind`` is the sniffed ``qashyq.core.files`` kind."""

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="files"
    )
    slot = models.ForeignKey(
        AttemptSlot, verbose_name=_("slot"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("file"), max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=32)
    mime_type = models.CharField(_("MIME type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("attempt file")
        verbose_name_plural = _("attempt files")
        ordering = ["attempt_id", "slot_id", "id"]
        indexes = [models.Index(fields=["attempt", "slot"], name="attempt_file_slot_idx")]

    def __str__(self) -> str:
        return self.original_name
