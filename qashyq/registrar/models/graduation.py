"""Final attestation and graduation: the events a program holds (a state exam, a thesis defence)
in the format it decides, and each graduate's result. Who may graduate follows from the IUP
credits, practice and these results (registrar.graduation). See docs/subsystems/graduation.md.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class AttestationKind(models.TextChoices):
    STATE_EXAM = "state_exam", _("Comprehensive state exam")
    THESIS = "thesis", _("Defence of the thesis or project")
    CREATIVE = "creative", _("Creative exam or performance")


class AttestationFormat(models.TextChoices):
    DISTANCE = "distance", _("Distance")
    ONSITE = "onsite", _("On site")


class FinalAttestationEvent(models.Model):
    program = models.ForeignKey(
        "academics.Program",
        verbose_name=_("educational program"),
        on_delete=models.PROTECT,
        related_name="attestation_events",
    )
    academic_year = models.ForeignKey(
        "academics.AcademicYear",
        verbose_name=_("academic year"),
        on_delete=models.PROTECT,
        related_name="attestation_events",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AttestationKind.choices)
    format = models.CharField(_("format"), max_length=16, choices=AttestationFormat.choices)
    starts_at = models.DateTimeField(_("starts"))
    place = models.CharField(_("place or link"), max_length=255, blank=True)
    commission = models.TextField(_("commission"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("final attestation event")
        verbose_name_plural = _("final attestation events")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "academic_year", "kind"], name="attestation_event_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.program_id} · {self.starts_at:%Y-%m-%d}"


class FinalAttestationResult(models.Model):
    event = models.ForeignKey(
        FinalAttestationEvent, on_delete=models.PROTECT, related_name="results"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("student"),
        on_delete=models.PROTECT,
        related_name="attestation_results",
    )
    percent = models.DecimalField(
        _("mark, %"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    letter = models.CharField(_("letter"), max_length=2)
    points = models.DecimalField(_("points"), max_digits=3, decimal_places=2)
    passed = models.BooleanField(_("passed"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("final attestation result")
        verbose_name_plural = _("final attestation results")
        ordering = ["event", "student__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "student"], name="attestation_result_unique"),
            models.CheckConstraint(
                condition=models.Q(percent__gte=0) & models.Q(percent__lte=100),
                name="attestation_result_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.student_id} {self.letter}"
