"""Transfer-GPA thresholds per year of study."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class TransferThreshold(models.Model):
    """The least cumulative GPA a student of ``year_of_study`` needs to move on to the next
    year, as the university set it for ``academic_year``."""

    academic_year = models.ForeignKey(
        "academics.AcademicYear",
        verbose_name=_("academic year"),
        on_delete=models.CASCADE,
        related_name="transfer_thresholds",
    )
    year_of_study = models.PositiveSmallIntegerField(
        _("year of study"), validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    min_gpa = models.DecimalField(
        _("minimum GPA"),
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(4))],
    )

    class Meta:
        verbose_name = _("transfer GPA threshold")
        verbose_name_plural = _("transfer GPA thresholds")
        ordering = ["-academic_year__starts_on", "year_of_study"]
        constraints = [
            models.UniqueConstraint(
                fields=["academic_year", "year_of_study"], name="transfer_threshold_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(min_gpa__gte=0) & models.Q(min_gpa__lte=4),
                name="transfer_threshold_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.academic_year_id} · {self.year_of_study}: {self.min_gpa}"
