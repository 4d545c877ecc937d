"""Fixtures of the admission and order tests: a distance program with admission criteria, a
student of it, an applicant with no profile yet, the staff roles, and helpers that bring an
application to a given status through the services."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qashyq.academics.tests.factories import (
    AcademicYearFactory,
    ProgramFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.registrar.models import ApplicationStatus, DocumentKind
from qashyq.registrar.services import admission as services


def pdf_bytes(text: str = "Медициналық қорытынды") -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<p>{text}</p>").write_pdf()


_PDF = None


def pdf_upload(name: str = "анықтама.pdf") -> SimpleUploadedFile:
    global _PDF
    if _PDF is None:
        _PDF = pdf_bytes()
    return SimpleUploadedFile(name, _PDF, content_type="application/pdf")


REQUIRED = {
    "special_needs": DocumentKind.MEDICAL,
    "exchange_abroad": DocumentKind.EXCHANGE,
    "business_trip": DocumentKind.BUSINESS_TRIP,
    "additional_education": DocumentKind.EDUCATION,
}


def file_application(
    user, program, *, ground="special_needs", group=None, funding="grant", status="draft"
):
    """An application of ``user`` brought to ``status`` through the services."""
    application = services.application_create(
        actor=user,
        program=program,
        ground=ground,
        funding=funding,
        statement="Денсаулығыма байланысты қашықтықтан оқуға рұқсат сұраймын.",
        disability_group=group,
    )
    if status == "draft":
        return application
    for kind in services.required_documents(application):
        services.application_add_document(
            actor=user, application=application, kind=kind, upload=pdf_upload()
        )
    application = services.application_submit(actor=user, application=application)
    if status == "submitted":
        return application
    committee = user_with_role("admission")
    if status == ApplicationStatus.APPROVED:
        return services.application_approve(actor=committee, application=application, note="")
    if status == ApplicationStatus.REJECTED:
        return services.application_reject(
            actor=committee, application=application, reason="Құжаттар жеткіліксіз"
        )
    raise ValueError(status)


@pytest.fixture(name="adm")
def adm_fixture(db):
    year = AcademicYearFactory()
    program = ProgramFactory(
        code="6B02999",
        name_kk="Өнертану",
        name_ru="Искусствоведение",
        name_en="Art history",
        admission_criteria_kk="Қашықтықтан оқуға негіз: ерекше білім беру қажеттіліктері.",
        admission_criteria_ru="Основания для ДОТ: особые образовательные потребности.",
        admission_criteria_en="Grounds for distance study: special educational needs.",
    )
    group = StudyGroupFactory(program=program, year_of_study=2)
    student = StudentProfileFactory(
        group=group,
        program=program,
        user=UserFactory(first_name="Әлия", last_name="Үсенова"),
    ).user
    applicant = UserFactory(first_name="Ғалым", last_name="Құрманов")
    return SimpleNamespace(
        year=year,
        program=program,
        other_program=ProgramFactory(),
        group=group,
        student=student,
        applicant=applicant,
        other=UserFactory(),
        committee=user_with_role("admission"),
        registrar=user_with_role("registrar"),
        faculty_registrar=user_with_role("registrar", "faculty", program.department.faculty_id),
        admin=user_with_role("admin"),
        rector=user_with_role("rector"),
        tutor=user_with_role("tutor"),
        today=timezone.localdate(),
    )
