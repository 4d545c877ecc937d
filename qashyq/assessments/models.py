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
