"""The summer semester: the registrar opens registration with a credit cap; students register
for disciplines they owe (FX/F) or to study ahead. See docs/subsystems/summer.md."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class SummerSemester(models.Model):
    period = models.OneToOneField(
        "academics.AcademicPeriod",
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        related_name="summer_semester",
    )
    credit_cap = models.PositiveSmallIntegerField(
        _("most credits per student"), default=15, validators=[MinValueValidator(1)]
    )
    registration_opens_on = models.DateField(_("registration opens on"))
    registration_closes_on = models.DateField(_("registration closes on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)

    class Meta:
        verbose_name = _("summer semester")
        verbose_name_plural = _("summer semesters")
        ordering = ["-registration_opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_closes_on__gte=F("registration_opens_on")),
                name="summer_registration_dates_order",
            ),
        ]

    def __str__(self) -> str:
        return str(self.period_id)


class SummerReason(models.TextChoices):
    DEBT = "debt", _("Academic debt")
    AHEAD = "ahead", _("Study ahead")


class SummerRegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ENROLLED = "enrolled", _("Enrolled in a course")
    CANCELLED = "cancelled", _("Cancelled")


class SummerRegistration(models.Model):
    summer = models.ForeignKey(
        SummerSemester, on_delete=models.PROTECT, related_name="registrations"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("student"),
        on_delete=models.PROTECT,
        related_name="summer_registrations",
    )
    discipline = models.ForeignKey(
        "academics.Discipline",
        verbose_name=_("discipline"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    credits = models.PositiveSmallIntegerField(_("credits"))
    reason = models.CharField(_("reason"), max_length=8, choices=SummerReason.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SummerRegistrationStatus.choices,
        default=SummerRegistrationStatus.REGISTERED,
    )
    offering = models.ForeignKey(
        "academics.CourseOffering",
        verbose_name=_("course offering"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("summer registration")
        verbose_name_plural = _("summer registrations")
        ordering = ["summer", "student", "discipline__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["summer", "student", "discipline"],
                condition=~Q(status="cancelled"),
                name="summer_registration_unique_live",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} → {self.discipline_id} ({self.summer_id})"
