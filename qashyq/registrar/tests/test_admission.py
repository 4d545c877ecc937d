"""Applications for distance study: filing, documents, submitting, withdrawing, the committee's
decision, the contract; bad input changes nothing; who may do what."""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qashyq.core.errors import Conflict, PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry
from qashyq.registrar.models import AdmissionApplication, ApplicationDocument
from qashyq.registrar.services import admission as services

from .fixtures_admission import adm_fixture, file_application, pdf_upload  # noqa: F401

pytestmark = pytest.mark.django_db


def create(user, program, **kw):
    values = {
        "ground": "special_needs",
        "funding": "grant",
        "statement": "Өтініш мәтіні",
        "disability_group": None,
    }
    values.update(kw)
    return services.application_create(actor=user, program=program, **values)


def test_a_student_files_a_draft_with_a_draft_plan(adm):
    application = create(adm.student, adm.program, disability_group=2)
    assert application.status == "draft" and application.applicant == adm.student
    assert application.draft_plan is not None
    assert application.draft_plan.student == adm.student
    assert AuditLogEntry.objects.filter(action="dlt_application.created").count() == 1


def test_an_applicant_drafts_the_plan_of_the_program_applied_to_and_keeps_it(adm):
    application = create(adm.applicant, adm.program)
    assert application.draft_plan is not None  # an applicant has no profile: any program
    assert application.draft_plan.program == adm.program
    for kind in services.required_documents(application):
        services.application_add_document(
            actor=adm.applicant, application=application, kind=kind, upload=pdf_upload()
        )
    services.application_submit(actor=adm.applicant, application=application)
    services.application_approve(actor=adm.committee, application=application)
    application.refresh_from_db()
    assert application.status == "approved"
    assert application.draft_plan is not None and application.draft_plan.student == adm.applicant


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ground": "holiday"}, "ground"),
        ({"ground": ""}, "ground"),
        ({"funding": "free"}, "funding"),
        ({"statement": "   "}, "statement"),
        ({"ground": "business_trip", "disability_group": 2}, "disability_group"),
        ({"disability_group": 4}, "disability_group"),
        ({"disability_group": "x"}, "disability_group"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(adm, changes, field):
    with pytest.raises(ValidationFailed) as error:
        create(adm.applicant, adm.program, **changes)
    assert field in error.value.details
    assert AdmissionApplication.objects.count() == 0


def test_a_student_applies_within_their_own_program(adm):
    with pytest.raises(ValidationFailed) as error:
        create(adm.student, adm.other_program)
    assert "program" in error.value.details
    assert AdmissionApplication.objects.count() == 0


def test_one_open_application_at_a_time(adm):
    first = create(adm.applicant, adm.program)
    with pytest.raises(Conflict):
        create(adm.applicant, adm.program)
    services.application_withdraw(actor=adm.applicant, application=first)
    assert create(adm.applicant, adm.program).pk != first.pk


def test_documents_are_checked_by_their_content(adm):
    application = create(adm.applicant, adm.program)
    document = services.application_add_document(
        actor=adm.applicant, application=application, kind="medical", upload=pdf_upload()
    )
    assert document.content_type == "application/pdf" and document.size > 0
    assert os.path.exists(document.file.path)
    fake = SimpleUploadedFile("анықтама.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    with pytest.raises(ValidationFailed):
        services.application_add_document(
            actor=adm.applicant, application=application, kind="medical", upload=fake
        )
    word = SimpleUploadedFile("letter.txt", "хат".encode())
    with pytest.raises(ValidationFailed):
        services.application_add_document(
            actor=adm.applicant, application=application, kind="other", upload=word
        )
    with pytest.raises(ValidationFailed):
        services.application_add_document(
            actor=adm.applicant, application=application, kind="nonsense", upload=pdf_upload()
        )
    assert ApplicationDocument.objects.count() == 1


def test_submit_needs_the_grounds_documents(adm):
    application = create(adm.applicant, adm.program)
    assert services.required_documents(application) == ["identity", "medical"]
    services.application_add_document(
        actor=adm.applicant, application=application, kind="identity", upload=pdf_upload()
    )
    with pytest.raises(ValidationFailed) as error:
        services.application_submit(actor=adm.applicant, application=application)
    assert error.value.details == {"missing": ["medical"]}
    application.refresh_from_db()
    assert application.status == "draft" and application.submitted_at is None
    services.application_add_document(
        actor=adm.applicant, application=application, kind="medical", upload=pdf_upload()
    )
    services.application_submit(actor=adm.applicant, application=application)
    application.refresh_from_db()
    assert application.status == "submitted" and application.submitted_at is not None


def test_a_student_needs_no_identity_document(adm):
    application = create(adm.student, adm.program, ground="exchange_abroad")
    assert services.required_documents(application) == ["exchange"]


def test_a_submitted_application_is_no_longer_edited(adm):
    application = file_application(adm.applicant, adm.program, status="submitted")
    with pytest.raises(Conflict):
        services.application_update(
            actor=adm.applicant,
            application=application,
            program=adm.program,
            ground="business_trip",
            funding="grant",
            statement="жаңа",
        )
    with pytest.raises(Conflict):
        services.application_add_document(
            actor=adm.applicant, application=application, kind="other", upload=pdf_upload()
        )
    application.refresh_from_db()
    assert application.ground == "special_needs" and application.documents.count() == 2


def test_withdraw_before_a_decision_only(adm):
    application = file_application(adm.applicant, adm.program, status="submitted")
    services.application_withdraw(actor=adm.applicant, application=application)
    application.refresh_from_db()
    assert application.status == "withdrawn"
    approved = file_application(adm.student, adm.program, status="approved")
    with pytest.raises(Conflict):
        services.application_withdraw(actor=adm.student, application=approved)
    approved.refresh_from_db()
    assert approved.status == "approved"


def test_a_refusal_needs_a_reason_and_is_audited(adm):
    application = file_application(adm.applicant, adm.program, status="submitted")
    with pytest.raises(ValidationFailed):
        services.application_reject(actor=adm.committee, application=application, reason=" ")
    application.refresh_from_db()
    assert application.status == "submitted"
    services.application_reject(
        actor=adm.committee, application=application, reason="Медициналық қорытынды ескірген"
    )
    application.refresh_from_db()
    assert application.status == "rejected" and application.decided_by == adm.committee
    entry = AuditLogEntry.objects.get(action="dlt_application.rejected")
    assert entry.old_value["status"] == "submitted" and entry.new_value["status"] == "rejected"
    assert entry.reason == "Медициналық қорытынды ескірген"
    with pytest.raises(Conflict):
        services.application_approve(actor=adm.committee, application=application)


def test_a_draft_is_not_decided(adm):
    application = create(adm.applicant, adm.program)
    with pytest.raises(Conflict):
        services.application_approve(actor=adm.committee, application=application)
    application.refresh_from_db()
    assert application.status == "draft"


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("committee", True),
        ("registrar", True),
        ("admin", True),
        ("rector", False),
        ("tutor", False),
        ("applicant", False),
        ("other", False),
    ],
)
def test_who_decides(adm, who, allowed):
    application = file_application(adm.applicant, adm.program, status="submitted")
    actor = getattr(adm, who)
    if allowed:
        services.application_approve(actor=actor, application=application)
        application.refresh_from_db()
        assert application.status == "approved"
    else:
        with pytest.raises(PermissionDenied):
            services.application_approve(actor=actor, application=application)
        with pytest.raises(PermissionDenied):
            services.application_reject(actor=actor, application=application, reason="жоқ")
        application.refresh_from_db()
        assert application.status == "submitted" and application.decided_at is None


@pytest.mark.parametrize("who", ["other", "committee", "registrar"])
def test_only_the_applicant_changes_submits_and_withdraws(adm, who):
    application = create(adm.applicant, adm.program)
    actor = getattr(adm, who)
    for call in (
        lambda: services.application_submit(actor=actor, application=application),
        lambda: services.application_withdraw(actor=actor, application=application),
        lambda: services.application_add_document(
            actor=actor, application=application, kind="medical", upload=pdf_upload()
        ),
        lambda: services.application_update(
            actor=actor,
            application=application,
            program=adm.program,
            ground="business_trip",
            funding="grant",
            statement="x",
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    application.refresh_from_db()
    assert application.status == "draft" and application.ground == "special_needs"
    assert application.documents.count() == 0


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("registrar", True), ("admin", True), ("committee", False), ("applicant", False)],
)
def test_who_records_a_contract(adm, who, allowed):
    application = file_application(adm.applicant, adm.program, funding="paid", status="submitted")
    call = lambda: services.application_record_contract(  # noqa: E731
        actor=getattr(adm, who), application=application, number="Ш-1", signed_on=adm.today
    )
    if allowed:
        call()
        application.refresh_from_db()
        assert application.contract_number == "Ш-1"
    else:
        with pytest.raises(PermissionDenied):
            call()
        application.refresh_from_db()
        assert application.contract_number == ""


def test_a_grant_needs_no_contract(adm):
    application = file_application(adm.applicant, adm.program, status="submitted")
    with pytest.raises(ValidationFailed):
        services.application_record_contract(
            actor=adm.registrar, application=application, number="Ш-1", signed_on=adm.today
        )
    application.refresh_from_db()
    assert application.contract_number == ""
