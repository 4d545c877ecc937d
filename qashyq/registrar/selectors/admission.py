"""Reads of admission to distance study and rector's orders. Every list is a fixed number of
queries whatever the number of rows (asserted in tests/test_admission_views.py and
tests/test_orders.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qashyq.academics.models import DistanceGround, Program, StudentProfile
from qashyq.core.errors import NotFound

from ..models import (
    AdmissionApplication,
    ApplicationDocument,
    ApplicationStatus,
    OrderKind,
    OrderLine,
    OrderStatus,
    RectorOrder,
)

LANGUAGES = ("kk", "ru", "en")
QUEUE_LIMIT = 500


def _language(language: str | None = None) -> str:
    language = (language or get_language() or "kk")[:2]
    return language if language in LANGUAGES else "kk"


def ground_label(value: str) -> str:
    """The translated name of a ground code; free text (a graduation order's ground) as is."""
    if value in DistanceGround.values and value:
        return str(DistanceGround(value).label)
    return value


def program_name(program: Program, language: str | None = None) -> str:
    return getattr(program, f"name_{_language(language)}") or program.name_kk


def admission_criteria(program: Program, language: str | None = None) -> str:
    """The program's admission criteria in the language, else in Kazakh."""
    text = getattr(program, f"admission_criteria_{_language(language)}", "")
    return text or program.admission_criteria_kk


def programs_for_application(user) -> QuerySet[Program]:
    """The programs an applicant may choose: their own for a student, else the published ones."""
    profile = StudentProfile.objects.filter(user_id=user.pk).only("program_id").first()
    programs = Program.objects.order_by("code")
    if profile is not None:
        return programs.filter(pk=profile.program_id)
    return programs.filter(is_published=True)


def student_profile_of(user) -> StudentProfile | None:
    return StudentProfile.objects.select_related("program").filter(user_id=user.pk).first()


def _with_relations(queryset):
    return queryset.select_related("applicant", "program", "decided_by", "draft_plan")


def applications_of(user) -> list[AdmissionApplication]:
    return list(
        _with_relations(AdmissionApplication.objects.filter(applicant_id=user.pk)).order_by(
            "-created_at"
        )
    )


def open_application_of(user) -> AdmissionApplication | None:
    return (
        AdmissionApplication.objects.filter(
            applicant_id=user.pk,
            status__in=[
                ApplicationStatus.DRAFT,
                ApplicationStatus.SUBMITTED,
                ApplicationStatus.APPROVED,
            ],
        )
        .select_related("program")
        .first()
    )


def application_queue(status: str | None = ApplicationStatus.SUBMITTED) -> list:
    """The admission committee's queue: applications of a status (all but drafts when
    ``status`` is empty), oldest submission first, with their number of documents and whether
    the applicant already studies here."""
    applications = _with_relations(AdmissionApplication.objects.all()).annotate(
        document_count=Count("documents"),
        is_student=Exists(StudentProfile.objects.filter(user_id=OuterRef("applicant_id"))),
    )
    if status:
        applications = applications.filter(status=status)
    else:
        applications = applications.exclude(status=ApplicationStatus.DRAFT)
    return list(applications.order_by("submitted_at", "pk")[:QUEUE_LIMIT])


def application_for_page(pk: int) -> AdmissionApplication:
    application = (
        _with_relations(AdmissionApplication.objects.filter(pk=pk))
        .prefetch_related(
            Prefetch("documents", queryset=ApplicationDocument.objects.order_by("uploaded_at"))
        )
        .first()
    )
    if application is None:
        raise NotFound(_("There is no such application."))
    return application


def document_for_download(application_pk: int, pk: int) -> ApplicationDocument:
    document = (
        ApplicationDocument.objects.select_related("application")
        .filter(pk=pk, application_id=application_pk)
        .first()
    )
    if document is None:
        raise NotFound(_("There is no such document."))
    return document


def application_orders(application: AdmissionApplication) -> list[RectorOrder]:
    return list(RectorOrder.objects.filter(lines__application=application).distinct())


def approved_for_order() -> list[AdmissionApplication]:
    """Approved applications that no order names yet (the registrar picks from them)."""
    in_order = OrderLine.objects.filter(application_id=OuterRef("pk"))
    return list(
        _with_relations(
            AdmissionApplication.objects.filter(status=ApplicationStatus.APPROVED)
            .annotate(in_order=Exists(in_order))
            .filter(in_order=False)
        ).order_by("applicant__last_name", "applicant__first_name", "pk")
    )


def applications_by_ids(ids: list[int]) -> list[AdmissionApplication]:
    return list(_with_relations(AdmissionApplication.objects.filter(pk__in=ids)).order_by("pk"))


# --- orders --------------------------------------------------------------------------------------


def orders_list(kind: str | None = None) -> list[RectorOrder]:
    orders = RectorOrder.objects.select_related("created_by", "registered_by").annotate(
        line_count=Count("lines")
    )
    if kind in OrderKind.values:
        orders = orders.filter(kind=kind)
    return list(orders.order_by("status", "-signed_on", "-created_at"))


@dataclass
class OrderRow:
    number: int
    line: OrderLine
    program: Program | None

    @property
    def student(self):
        return self.line.student

    @property
    def ground(self) -> str:
        return ground_label(self.line.ground)


def order_for_page(pk: int) -> RectorOrder:
    order = (
        RectorOrder.objects.select_related("created_by", "registered_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related(
                    "student__student_profile__program", "application__program"
                ).order_by("student__last_name", "student__first_name", "pk"),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise NotFound(_("There is no such order."))
    return order


def _program_of(line: OrderLine) -> Program | None:
    if line.application is not None:
        return line.application.program
    profile = getattr(line.student, "student_profile", None)
    return profile.program if profile is not None else None


def order_rows(order: RectorOrder, *, only_student_id: int | None = None) -> list[OrderRow]:
    """The order's lines numbered 1..n (an extract keeps the line's number in the whole order)."""
    rows = [
        OrderRow(number=n, line=line, program=_program_of(line))
        for n, line in enumerate(order.lines.all(), start=1)
    ]
    if only_student_id is not None:
        rows = [row for row in rows if row.line.student_id == only_student_id]
    return rows


def order_student_ids(order: RectorOrder) -> list[int]:
    return [line.student_id for line in order.lines.all()]


def orders_of_student(user) -> list[RectorOrder]:
    """Registered orders that name the user (their extracts)."""
    return list(
        RectorOrder.objects.filter(lines__student_id=user.pk, status=OrderStatus.REGISTERED)
        .distinct()
        .order_by("-signed_on")
    )
