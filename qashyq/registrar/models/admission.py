"""Admission to distance study and rector's orders.

A student (or an applicant) files an application to the rector with a ground for distance study,
its supporting documents and a draft IUP; the admission committee decides; approved applications
go into a rector's order, which is registered with a number and a date and changes the students'
status from its effective date. Paid study needs a contract before the order
(``registrar.contracts``). See docs/subsystems/admission.md.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qashyq.academics.models import DistanceGround, Funding


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ORDERED = "ordered", _("Admitted by order")


OPEN_APPLICATION_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.APPROVED,
)


class AdmissionApplication(models.Model):
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="dlt_applications",
    )
    program = models.ForeignKey(
        "academics.Program",
        verbose_name=_("educational program"),
        on_delete=models.PROTECT,
        related_name="dlt_applications",
    )
    ground = models.CharField(
        _("ground for distance study"),
        max_length=24,
        choices=[c for c in DistanceGround.choices if c[0]],
    )
    disability_group = models.PositiveSmallIntegerField(
        _("disability group"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    funding = models.CharField(_("funding"), max_length=8, choices=Funding.choices)
    statement = models.TextField(
        _("application text"), help_text=_("What you ask the rector and why.")
    )
    draft_plan = models.ForeignKey(
        "registrar.IndividualPlan",
        verbose_name=_("draft individual plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
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
    decision_note = models.TextField(_("decision of the admission committee"), blank=True)
    # The place of the finance part: until it lands the registrar records the paid-study
    # contract here, and registrar.contracts reads it (docs/subsystems/admission.md).
    contract_number = models.CharField(_("contract number"), max_length=64, blank=True)
    contract_signed_on = models.DateField(_("contract signed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("application for distance study")
        verbose_name_plural = _("applications for distance study")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant"],
                condition=Q(status__in=["draft", "submitted", "approved"]),
                name="dlt_application_one_open",
            ),
            models.CheckConstraint(
                condition=Q(disability_group__isnull=True) | Q(ground="special_needs"),
                name="dlt_application_disability_only_special_needs",
            ),
        ]

    def __str__(self) -> str:
        return f"DLT #{self.pk} {self.applicant_id}"


class DocumentKind(models.TextChoices):
    IDENTITY = "identity", _("Identity document")
    MEDICAL = "medical", _("Medical report (special educational needs)")
    DISABILITY = "disability", _("Disability certificate")
    EXCHANGE = "exchange", _("Exchange or invitation letter")
    BUSINESS_TRIP = "business_trip", _("Order on a foreign business trip")
    EDUCATION = "education", _("Certificate of study at another institution")
    OTHER = "other", _("Other document")


class ApplicationDocument(models.Model):
    application = models.ForeignKey(
        AdmissionApplication, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("document"), max_length=16, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to="admission/%Y/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class OrderKind(models.TextChoices):
    DLT_ADMISSION = "dlt_admission", _("Admission to distance study")
    GRADUATION = "graduation", _("Graduation and award of diplomas")


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REGISTERED = "registered", _("Registered")


class RectorOrder(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=OrderKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    number = models.CharField(_("number"), max_length=32, blank=True)
    signed_on = models.DateField(_("order date"), null=True, blank=True)
    effective_on = models.DateField(
        _("takes effect on"),
        null=True,
        blank=True,
        help_text=_("Students' status changes from this date."),
    )
    preamble = models.TextField(_("preamble"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    applied_at = models.DateTimeField(
        _("applied to students"),
        null=True,
        blank=True,
        help_text=_("When the students' records were changed by the order."),
    )

    class Meta:
        verbose_name = _("rector's order")
        verbose_name_plural = _("rector's orders")
        ordering = ["-signed_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="rector_order_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (~Q(number="") & Q(signed_on__isnull=False) & Q(effective_on__isnull=False)),
                name="rector_order_registered_has_number",
            ),
        ]

    def __str__(self) -> str:
        return f"№ {self.number or '—'} ({self.get_kind_display()})"


class OrderLine(models.Model):
    order = models.ForeignKey(RectorOrder, on_delete=models.CASCADE, related_name="lines")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("student"),
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    application = models.ForeignKey(
        AdmissionApplication,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    ground = models.CharField(_("ground"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "student__last_name", "student__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["order", "student"], name="order_line_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.student_id}"
