"""The e-journal: grading schemes (versioned), a journal per course offering, its rows, weekly
current-control marks, attendance, the audit trail of marks and late-edit requests.

Every write goes through ``services``; the rules are in ``computation`` and
docs/subsystems/gradebook.md.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from qashyq.academics.models import CourseOffering
from qashyq.core.models import AppendOnlyQuerySet

from . import computation

# The five columns a tutor (or a source) writes into; Р1, Р2, admission and final are computed.
COLUMNS = ("tk1", "rk1", "tk2", "rk2", "exam")
COLUMN_LABELS = {
    "tk1": _("CC1"),
    "rk1": _("MT1"),
    "tk2": _("CC2"),
    "rk2": _("MT2"),
    "exam": _("Exam"),
}
MARK_DIGITS = {"max_digits": 5, "decimal_places": 2}


def national_scale_json() -> list[dict]:
    return [row.as_json() for row in computation.NATIONAL_SCALE]


def _mark_field(verbose_name, **kwargs):
    return models.DecimalField(
        verbose_name,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        **MARK_DIGITS,
        **kwargs,
    )


class Rounding(models.TextChoices):
    WHOLE = computation.ROUND_WHOLE, _("half up to a whole percent")
    TENTH = computation.ROUND_TENTH, _("half up to a tenth of a percent")


class GradingScheme(models.Model):
    """One version of an institution's grading rules.

    A version that a journal uses is never changed (its grading fields are frozen): a change of
    rules is a new version (``services.scheme_version_create``), and each journal keeps the
    version it was graded under. ``week_close_days`` is how the journal is kept, not how it is
    graded, so the registrar may change it on a version in use.
    """

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"), default=1)
    valid_from = models.DateField(_("valid from"))
    is_default = models.BooleanField(
        _("default for new journals"), default=False, help_text=_("Exactly one scheme is.")
    )
    admission_weight = models.DecimalField(
        _("weight of the admission rating"), max_digits=4, decimal_places=3, default=Decimal("0.6")
    )
    exam_weight = models.DecimalField(
        _("weight of the exam"), max_digits=4, decimal_places=3, default=Decimal("0.4")
    )
    admission_threshold = models.DecimalField(
        _("admission threshold, %"), **MARK_DIGITS, default=Decimal(50)
    )
    exam_minimum = models.DecimalField(_("exam minimum, %"), **MARK_DIGITS, default=Decimal(50))
    rounding = models.CharField(
        _("rounding of the final %"), max_length=8, choices=Rounding.choices, default=Rounding.WHOLE
    )
    fx_in_gpa = models.BooleanField(_("FX counts in the GPA"), default=True)
    fx_points = models.DecimalField(
        _("points of FX"), max_digits=3, decimal_places=2, default=Decimal("0.5")
    )
    scale = models.JSONField(
        _("letter scale"),
        default=national_scale_json,
        help_text=_("Rows of letter, points, min % and max %."),
    )
    first_half_weeks = models.PositiveSmallIntegerField(
        _("weeks of the first half (CC1)"), default=7
    )
    weeks = models.PositiveSmallIntegerField(_("weeks in the period"), default=15)
    week_close_days = models.PositiveSmallIntegerField(
        _("a week closes after, days"),
        default=7,
        help_text=_(
            "After this many days past a week's end, its marks change only with the "
            "registrar's approval."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # The fields that decide a grade: frozen once a journal uses the version.
    GRADING_FIELDS = (
        "admission_weight",
        "exam_weight",
        "admission_threshold",
        "exam_minimum",
        "rounding",
        "fx_in_gpa",
        "fx_points",
        "scale",
        "first_half_weeks",
        "weeks",
    )

    class Meta:
        verbose_name = _("grading scheme")
        verbose_name_plural = _("grading schemes")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="grading_scheme_version"),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="grading_scheme_one_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def rules(self) -> computation.Rules:
        return computation.Rules(
            admission_weight=self.admission_weight,
            exam_weight=self.exam_weight,
            admission_threshold=self.admission_threshold,
            exam_minimum=self.exam_minimum,
            rounding=self.rounding,
            fx_points=self.fx_points,
            scale=computation.scale_from_json(self.scale),
        )


class Journal(models.Model):
    """The e-journal of one course offering, created the first time it is written to."""

    offering = models.OneToOneField(
        CourseOffering,
        verbose_name=_("course offering"),
        on_delete=models.CASCADE,
        related_name="journal",
    )
    scheme = models.ForeignKey(
        GradingScheme,
        verbose_name=_("grading scheme"),
        on_delete=models.PROTECT,
        related_name="journals",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-journal")
        verbose_name_plural = _("e-journals")

    def __str__(self) -> str:
        return str(self.offering_id)


class Source(models.TextChoices):
    MANUAL = "manual", _("entered by hand")
    TEST = "test", _("test")
    ASSIGNMENT = "assignment", _("independent work")
    IMPORT = "import", _("imported")
    AGGREGATED = "aggregated", _("mean of the weekly marks")


def _source_field():
    return models.CharField(_("source"), max_length=16, choices=Source.choices, blank=True)


def _ref_field():
    return models.CharField(_("source reference"), max_length=200, blank=True)


class JournalRow(models.Model):
    """One student's row: the directly entered (or posted) marks of the five columns.

    ``tk1``/``tk2`` here are direct entries only; when one is empty the journal shows the mean
    of the weekly marks of that half instead (``selectors``), so a direct entry always wins.
    """

    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="rows")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_rows"
    )
    tk1 = _mark_field(_("CC1"), null=True, blank=True)
    tk1_source = _source_field()
    tk1_ref = _ref_field()
    rk1 = _mark_field(_("MT1"), null=True, blank=True)
    rk1_source = _source_field()
    rk1_ref = _ref_field()
    tk2 = _mark_field(_("CC2"), null=True, blank=True)
    tk2_source = _source_field()
    tk2_ref = _ref_field()
    rk2 = _mark_field(_("MT2"), null=True, blank=True)
    rk2_source = _source_field()
    rk2_ref = _ref_field()
    exam = _mark_field(_("exam"), null=True, blank=True)
    exam_source = _source_field()
    exam_ref = _ref_field()
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("journal row")
        verbose_name_plural = _("journal rows")
        constraints = [
            models.UniqueConstraint(fields=["journal", "student"], name="journal_row_unique")
        ]

    def __str__(self) -> str:
        return f"{self.journal_id}/{self.student_id}"


class CurrentMark(models.Model):
    """A weekly current-control mark; the weeks of each half average into ТК1 and ТК2."""

    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="current_marks")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="current_marks"
    )
    week = models.PositiveSmallIntegerField(_("week"))
    value = _mark_field(_("mark"))
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.MANUAL
    )
    source_ref = _ref_field()
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("current-control mark")
        verbose_name_plural = _("current-control marks")
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "student", "week"], name="current_mark_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student_id} w{self.week}: {self.value}"


class Attendance(models.Model):
    """Presence at one class (a date and the class's number that day); absent shows "н"."""

    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="attendance")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance"
    )
    date = models.DateField(_("date"))
    slot = models.PositiveSmallIntegerField(_("class of the day"), default=1)
    week = models.PositiveSmallIntegerField(_("week"))
    present = models.BooleanField(_("present"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "student", "date", "slot"], name="attendance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.date} #{self.slot}: {self.mark or '+'}"

    @property
    def mark(self) -> str:
        # Translators: the journal's mark of an absence; Kazakh and Russian write "н"
        return "" if self.present else str(_("abs."))


class MarkChange(models.Model):
    """Append-only: every change of a journal cell, who made it, when, old -> new and why."""

    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="changes")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    column = models.CharField(_("column"), max_length=8)
    old_value = models.DecimalField(_("old value"), null=True, blank=True, **MARK_DIGITS)
    new_value = models.DecimalField(_("new value"), null=True, blank=True, **MARK_DIGITS)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    source_ref = _ref_field()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("why"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("mark change")
        verbose_name_plural = _("mark changes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["journal", "student"], name="mark_change_cell_idx")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.column}: {self.old_value} -> {self.new_value}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Mark changes are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Mark changes are append-only.")


class LateEditStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the registrar")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class LateEditRequest(models.Model):
    """A change of a closed week's mark, waiting for the registrar's decision."""

    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="late_edits")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    week = models.PositiveSmallIntegerField(_("week"))
    value = models.DecimalField(_("requested mark"), null=True, blank=True, **MARK_DIGITS)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    source_ref = _ref_field()
    reason = models.TextField(_("why"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=LateEditStatus.choices,
        default=LateEditStatus.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("note of the decision"), blank=True)

    class Meta:
        verbose_name = _("late edit request")
        verbose_name_plural = _("late edit requests")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.journal_id}/{self.student_id} w{self.week}"


# --- statements (ведомость) and final grades ------------------------------------------------


class StatementKind(models.TextChoices):
    EXAM = "exam", _("examination statement")
    FX_RESIT = "fx_resit", _("FX re-sit statement")
    RETAKE = "retake", _("retake statement")


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SIGNED = "signed", _("signed")
    LOCKED = "locked", _("locked")


class Statement(models.Model):
    """The examination statement of an offering (or one of its groups): a snapshot of the journal.

    Draft -> signed (the tutor and every commission member) -> locked (the registrar). Locking
    writes a ``FinalGrade`` for each line; after that a line changes only by the registrar's
    audited correction (``services.statement_correct``).
    """

    offering = models.ForeignKey(
        CourseOffering,
        verbose_name=_("course offering"),
        on_delete=models.PROTECT,
        related_name="statements",
    )
    group = models.ForeignKey(
        "academics.StudyGroup",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=StatementKind.choices, default=StatementKind.EXAM
    )
    scheme = models.ForeignKey(
        GradingScheme,
        verbose_name=_("grading scheme"),
        on_delete=models.PROTECT,
        related_name="statements",
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=StatementStatus.choices,
        default=StatementStatus.DRAFT,
        db_index=True,
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("based on"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resits",
    )
    commission = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("commission members"),
        blank=True,
        related_name="commission_statements",
    )
    signed_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        blank=True,
        related_name="signed_statements",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tutor"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class StatementLine(models.Model):
    """One student's line: the journal values as they were when the statement was generated."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="statement_lines"
    )
    tk1 = models.DecimalField(_("CC1"), null=True, blank=True, **MARK_DIGITS)
    rk1 = models.DecimalField(_("MT1"), null=True, blank=True, **MARK_DIGITS)
    r1 = models.DecimalField(_("R1"), null=True, blank=True, max_digits=7, decimal_places=3)
    tk2 = models.DecimalField(_("CC2"), null=True, blank=True, **MARK_DIGITS)
    rk2 = models.DecimalField(_("MT2"), null=True, blank=True, **MARK_DIGITS)
    r2 = models.DecimalField(_("R2"), null=True, blank=True, max_digits=7, decimal_places=3)
    admission = models.DecimalField(
        _("admission rating"), null=True, blank=True, max_digits=7, decimal_places=3
    )
    exam = models.DecimalField(_("exam"), null=True, blank=True, **MARK_DIGITS)
    percent = models.DecimalField(_("final %"), null=True, blank=True, **MARK_DIGITS)
    letter = models.CharField(_("letter"), max_length=2, blank=True)
    points = models.DecimalField(_("points"), null=True, blank=True, max_digits=3, decimal_places=2)
    admitted = models.BooleanField(_("admitted"), default=False)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        constraints = [
            models.UniqueConstraint(fields=["statement", "student"], name="statement_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}/{self.student_id}: {self.letter}"


class AttemptKind(models.TextChoices):
    REGULAR = "regular", _("regular")
    FX_RESIT = "fx_resit", _("FX re-sit")
    RETAKE = "retake", _("retake (study again)")
    SUMMER = "summer", _("summer term")


# Within one academic period, a later kind of attempt is the later result: a re-sit answers the
# FX of its own period, whichever course gave it. The registrar's GPA and the gradebook's retake
# lists both order attempts by the period's start, then by this.
ATTEMPT_ORDER = {
    AttemptKind.REGULAR: 0,
    AttemptKind.RETAKE: 1,
    AttemptKind.SUMMER: 2,
    AttemptKind.FX_RESIT: 3,
}


class FinalGrade(models.Model):
    """The final result of a discipline for a student: what transcripts and the GPA read."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="final_grades"
    )
    discipline = models.ForeignKey(
        "academics.Discipline",
        verbose_name=_("discipline"),
        on_delete=models.PROTECT,
        related_name="final_grades",
    )
    offering = models.ForeignKey(
        CourseOffering,
        verbose_name=_("course offering"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="final_grades",
        help_text=_("Empty for credits transferred from elsewhere."),
    )
    period = models.ForeignKey(
        "academics.AcademicPeriod",
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        related_name="final_grades",
    )
    attempt_kind = models.CharField(
        _("attempt"), max_length=16, choices=AttemptKind.choices, default=AttemptKind.REGULAR
    )
    percent = models.DecimalField(
        _("final %"),
        null=True,
        blank=True,
        **MARK_DIGITS,
        help_text=_("Empty for an F of a student not admitted to the exam."),
    )
    letter = models.CharField(_("letter"), max_length=2)
    points = models.DecimalField(_("points"), max_digits=3, decimal_places=2)
    credits = models.PositiveSmallIntegerField(_("credits"))
    ects = models.DecimalField(_("ECTS"), max_digits=4, decimal_places=1)
    statement = models.ForeignKey(
        Statement,
        verbose_name=_("statement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="final_grades",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("final grade")
        verbose_name_plural = _("final grades")
        ordering = ["period__starts_on", "discipline__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "offering", "attempt_kind"], name="final_grade_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.discipline_id}: {self.letter}"
