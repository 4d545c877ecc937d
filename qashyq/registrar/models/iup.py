"""Individual study plans (IUP): the disciplines one student takes in one academic year.

A plan is drawn from the program's study plan (``academics.ProgramPlanEntry``): the mandatory
disciplines of the student's terms, and the electives the student picks. The program leader
approves it; enrolment in course offerings follows the approved plan. See docs/subsystems/iup.md.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from qashyq.academics.models import PeriodKind, PlanComponent


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for changes")


class CreditLimits(models.Model):
    """The credit limits the university set for the plans of one academic year."""

    academic_year = models.OneToOneField(
        "academics.AcademicYear",
        verbose_name=_("academic year"),
        on_delete=models.CASCADE,
        related_name="credit_limits",
    )
    max_credits_per_semester = models.PositiveSmallIntegerField(
        _("most credits in a semester"), default=40, validators=[MinValueValidator(1)]
    )
    max_credits_per_year = models.PositiveSmallIntegerField(
        _("most credits in a year"), default=75, validators=[MinValueValidator(1)]
    )
    min_credits_per_year = models.PositiveSmallIntegerField(
        _("least credits in a year"),
        default=60,
        help_text=_("A plan with fewer credits is shown with a warning."),
    )

    class Meta:
        verbose_name = _("credit limits")
        verbose_name_plural = _("credit limits")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_credits_per_year__gte=models.F("max_credits_per_semester")),
                name="credit_limits_year_covers_semester",
            ),
        ]

    def __str__(self) -> str:
        semester, year = self.max_credits_per_semester, self.max_credits_per_year
        return f"{self.academic_year_id}: ≤{semester}/≤{year}"


class IndividualPlan(models.Model):
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("student"),
        on_delete=models.PROTECT,
        related_name="individual_plans",
    )
    academic_year = models.ForeignKey(
        "academics.AcademicYear",
        verbose_name=_("academic year"),
        on_delete=models.PROTECT,
        related_name="individual_plans",
    )
    program = models.ForeignKey(
        "academics.Program",
        verbose_name=_("educational program"),
        on_delete=models.PROTECT,
        related_name="individual_plans",
    )
    year_of_study = models.PositiveSmallIntegerField(
        _("year of study"), validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.TextField(_("note of the program leader"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("individual study plan")
        verbose_name_plural = _("individual study plans")
        ordering = ["-academic_year__starts_on", "student__last_name", "student__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["student", "academic_year"], name="iup_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"IUP {self.student_id} · {self.academic_year_id}"


class IndividualPlanItem(models.Model):
    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="items")
    discipline = models.ForeignKey(
        "academics.Discipline",
        verbose_name=_("discipline"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    period_kind = models.CharField(_("semester"), max_length=16, choices=PeriodKind.choices)
    credits = models.PositiveSmallIntegerField(_("credits"))
    component = models.CharField(
        _("component"),
        max_length=16,
        choices=PlanComponent.choices,
        default=PlanComponent.MANDATORY,
    )
    plan_entry = models.ForeignKey(
        "academics.ProgramPlanEntry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    offering = models.ForeignKey(
        "academics.CourseOffering",
        verbose_name=_("course offering"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The offering the student was enrolled in from this plan."),
    )

    class Meta:
        verbose_name = _("discipline of an individual plan")
        verbose_name_plural = _("disciplines of an individual plan")
        ordering = ["period_kind", "discipline__code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "discipline"], name="iup_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.discipline_id} ({self.period_kind})"
