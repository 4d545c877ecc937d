"""Rector's orders: drafting from approved applications, registering with a unique number,
applying to the students once (at once or by the periodic job), immutability, who may do what."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from qashyq.academics.models import StudentProfile
from qashyq.academics.tests.factories import StudentProfileFactory
from qashyq.accounts.selectors import has_role
from qashyq.core.errors import Conflict, PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry
from qashyq.registrar import periodic
from qashyq.registrar.models import AdmissionApplication, OrderLine, RectorOrder
from qashyq.registrar.services import admission as app_services
from qashyq.registrar.services.orders import (
    OrderLineSpec,
    order_create_draft,
    order_delete_draft,
    order_register,
    order_remove_line,
    order_update_draft,
    orders_apply_due,
)

from .fixtures_admission import adm_fixture, file_application  # noqa: F401

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def spec(application):
    return OrderLineSpec(student=application.applicant, application=application)


def draft(actor, *applications, preamble=""):
    return order_create_draft(
        actor=actor,
        kind="dlt_admission",
        lines=[spec(a) for a in applications],
        preamble=preamble,
    )


def test_a_draft_names_the_approved_applications_with_their_grounds(adm):
    a1 = file_application(adm.student, adm.program, group=2, status="approved")
    a2 = file_application(adm.applicant, adm.program, ground="business_trip", status="approved")
    order = draft(adm.registrar, a1, a2)
    assert order.status == "draft" and order.number == ""
    lines = {line.student_id: line.ground for line in order.lines.all()}
    assert lines == {adm.student.pk: "special_needs", adm.applicant.pk: "business_trip"}
    assert AuditLogEntry.objects.filter(action="order.draft_created", object_id=order.pk).exists()


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected"])
def test_an_application_without_an_approval_is_refused_and_nothing_is_created(adm, status):
    approved = file_application(adm.student, adm.program, status="approved")
    undecided = file_application(adm.applicant, adm.program, status=status)
    with pytest.raises(ValidationFailed) as error:
        draft(adm.registrar, approved, undecided)
    assert "has not approved the application" in str(error.value.message)
    assert "Құрманов" in str(error.value.message)
    assert RectorOrder.objects.count() == 0 and OrderLine.objects.count() == 0


def test_an_order_needs_at_least_one_line(adm):
    with pytest.raises(ValidationFailed):
        order_create_draft(actor=adm.registrar, kind="dlt_admission", lines=[])
    assert RectorOrder.objects.count() == 0


def test_an_admission_line_without_an_application_is_refused(adm):
    with pytest.raises(ValidationFailed):
        order_create_draft(
            actor=adm.registrar, kind="dlt_admission", lines=[OrderLineSpec(student=adm.student)]
        )
    assert RectorOrder.objects.count() == 0


def test_paid_study_needs_a_contract_before_the_order(adm):
    paid = file_application(adm.applicant, adm.program, funding="paid", status="approved")
    with pytest.raises(ValidationFailed) as error:
        draft(adm.registrar, paid)
    assert "contract" in str(error.value.message)
    assert RectorOrder.objects.count() == 0
    app_services.application_record_contract(
        actor=adm.registrar, application=paid, number="Ш-2026/17", signed_on=adm.today
    )
    paid.refresh_from_db()
    assert draft(adm.registrar, paid).lines.count() == 1


def test_an_application_goes_into_one_order_only(adm):
    approved = file_application(adm.student, adm.program, status="approved")
    draft(adm.registrar, approved)
    with pytest.raises(ValidationFailed) as error:
        draft(adm.registrar, approved)
    assert "already in the order" in str(error.value.message)
    assert RectorOrder.objects.count() == 1


def test_registering_today_applies_the_order_at_once(adm):
    existing = file_application(adm.student, adm.program, group=2, status="approved")
    new = file_application(adm.applicant, adm.program, ground="exchange_abroad", status="approved")
    order = draft(adm.registrar, existing, new)
    order_register(
        actor=adm.rector, order=order, number="12-ДОТ", signed_on=adm.today, effective_on=adm.today
    )
    order.refresh_from_db()
    assert order.status == "registered" and order.applied_at is not None
    assert order.registered_by == adm.rector
    profile = StudentProfile.objects.get(user=adm.student)
    assert (profile.distance_ground, profile.disability_group) == ("special_needs", 2)
    assert profile.ground_document.name.startswith("admission/")
    created = StudentProfile.objects.get(user=adm.applicant)
    assert created.program == adm.program and created.year_of_study == 1
    assert created.distance_ground == "exchange_abroad" and created.funding == "grant"
    assert created.status == "active" and created.enrolled_on == adm.today
    assert created.student_number.startswith("DL")
    assert has_role(adm.applicant, "student")
    assert set(AdmissionApplication.objects.values_list("status", flat=True)) == {"ordered"}
    audit = AuditLogEntry.objects.filter(action="student.distance_admitted")
    assert audit.count() == 2
    entry = audit.get(object_id=profile.pk)
    assert entry.old_value["distance_ground"] == "" and entry.new_value["disability_group"] == 2
    assert audit.get(object_id=created.pk).old_value is None
    assert "12-ДОТ" in entry.reason


def test_a_duplicate_number_is_refused_and_nothing_changes(adm):
    first = draft(adm.registrar, file_application(adm.student, adm.program, status="approved"))
    order_register(
        actor=adm.registrar, order=first, number="7", signed_on=adm.today, effective_on=adm.today
    )
    second = draft(adm.registrar, file_application(adm.applicant, adm.program, status="approved"))
    with pytest.raises(Conflict) as error:
        order_register(
            actor=adm.registrar,
            order=second,
            number=" 7 ",
            signed_on=adm.today,
            effective_on=adm.today,
        )
    assert "already used" in str(error.value.message)
    second.refresh_from_db()
    assert second.status == "draft" and second.number == ""
    assert not StudentProfile.objects.filter(user=adm.applicant).exists()
    assert AdmissionApplication.objects.get(applicant=adm.applicant).status == "approved"


@pytest.mark.parametrize(
    ("number", "signed_on", "effective_on"),
    [
        ("", "today", "today"),
        ("8", None, "today"),
        ("8", "today", None),
        ("x" * 40, "today", "today"),
    ],
)
def test_registering_needs_a_number_and_both_dates(adm, number, signed_on, effective_on):
    order = draft(adm.registrar, file_application(adm.student, adm.program, status="approved"))
    with pytest.raises(ValidationFailed):
        order_register(
            actor=adm.registrar,
            order=order,
            number=number,
            signed_on=adm.today if signed_on else None,
            effective_on=adm.today if effective_on else None,
        )
    order.refresh_from_db()
    assert order.status == "draft"


def test_a_later_date_is_applied_by_the_periodic_job_once(adm):
    order = draft(adm.registrar, file_application(adm.applicant, adm.program, status="approved"))
    later = adm.today + 10 * DAY
    order_register(
        actor=adm.registrar, order=order, number="9", signed_on=adm.today, effective_on=later
    )
    order.refresh_from_db()
    assert order.status == "registered" and order.applied_at is None
    assert not StudentProfile.objects.filter(user=adm.applicant).exists()
    assert orders_apply_due() == 0
    assert not StudentProfile.objects.filter(user=adm.applicant).exists()
    then = timezone.now() + 10 * DAY
    assert orders_apply_due(now=then) == 1
    assert StudentProfile.objects.get(user=adm.applicant).enrolled_on == later
    assert orders_apply_due(now=then) == 0
    assert AuditLogEntry.objects.filter(action="student.distance_admitted").count() == 1
    order.refresh_from_db()
    assert order.applied_at is not None


def test_the_periodic_job_is_declared():
    assert [job.run for job in periodic.JOBS] == [orders_apply_due]


def test_a_registered_order_is_immutable(adm):
    a1 = file_application(adm.student, adm.program, status="approved")
    order = draft(adm.registrar, a1)
    order_register(
        actor=adm.registrar, order=order, number="10", signed_on=adm.today, effective_on=adm.today
    )
    for call in (
        lambda: order_update_draft(actor=adm.registrar, order=order, preamble="changed"),
        lambda: order_delete_draft(actor=adm.registrar, order=order),
        lambda: order_remove_line(actor=adm.registrar, order=order, student_id=adm.student.pk),
        lambda: order_register(
            actor=adm.registrar,
            order=order,
            number="11",
            signed_on=adm.today,
            effective_on=adm.today,
        ),
    ):
        with pytest.raises(Conflict):
            call()
    order.refresh_from_db()
    assert order.number == "10" and order.preamble == "" and order.lines.count() == 1


def test_a_draft_can_be_edited_and_deleted(adm):
    a1 = file_application(adm.student, adm.program, status="approved")
    a2 = file_application(adm.applicant, adm.program, status="approved")
    order = draft(adm.registrar, a1, a2)
    order_update_draft(actor=adm.registrar, order=order, preamble="Негіз: ...")
    order_remove_line(actor=adm.registrar, order=order, student_id=adm.applicant.pk)
    order.refresh_from_db()
    assert order.preamble == "Негіз: ..." and list(
        order.lines.values_list("student", flat=True)
    ) == [adm.student.pk]
    with pytest.raises(ValidationFailed):
        order_remove_line(actor=adm.registrar, order=order, student_id=adm.student.pk)
    order_update_draft(actor=adm.registrar, order=order, lines=[spec(a1), spec(a2)])
    assert order.lines.count() == 2
    order_delete_draft(actor=adm.registrar, order=order)
    assert RectorOrder.objects.count() == 0
    # the applications are free for another order
    assert draft(adm.registrar, a1, a2).lines.count() == 2


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("registrar", True),
        ("admin", True),
        ("rector", False),
        ("committee", False),
        ("faculty_registrar", False),
        ("tutor", False),
        ("student", False),
        ("other", False),
    ],
)
def test_who_drafts_orders(adm, who, allowed):
    approved = file_application(adm.applicant, adm.program, status="approved")
    actor = getattr(adm, who)
    if allowed:
        assert draft(actor, approved).lines.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            draft(actor, approved)
        assert RectorOrder.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("registrar", True),
        ("admin", True),
        ("rector", True),
        ("committee", False),
        ("tutor", False),
        ("student", False),
        ("other", False),
    ],
)
def test_who_registers_orders(adm, who, allowed):
    order = draft(adm.registrar, file_application(adm.applicant, adm.program, status="approved"))
    call = lambda: order_register(  # noqa: E731
        actor=getattr(adm, who),
        order=order,
        number="5",
        signed_on=adm.today,
        effective_on=adm.today,
    )
    if allowed:
        call()
        assert StudentProfile.objects.filter(user=adm.applicant).exists()
    else:
        with pytest.raises(PermissionDenied):
            call()
        order.refresh_from_db()
        assert order.status == "draft" and order.number == ""
        assert not StudentProfile.objects.filter(user=adm.applicant).exists()


def test_registering_rechecks_the_applications(adm):
    approved = file_application(adm.applicant, adm.program, status="approved")
    order = draft(adm.registrar, approved)
    AdmissionApplication.objects.filter(pk=approved.pk).update(status="rejected")
    with pytest.raises(ValidationFailed):
        order_register(
            actor=adm.registrar,
            order=order,
            number="6",
            signed_on=adm.today,
            effective_on=adm.today,
        )
    order.refresh_from_db()
    assert order.status == "draft"


def test_a_graduation_order_graduates_its_students(adm):
    profile = StudentProfileFactory(year_of_study=4)
    order = order_create_draft(
        actor=adm.registrar,
        kind="graduation",
        lines=[OrderLineSpec(student=profile.user, ground="МАК хаттамасы № 3")],
    )
    order_register(
        actor=adm.rector, order=order, number="Б-1", signed_on=adm.today, effective_on=adm.today
    )
    profile.refresh_from_db()
    assert profile.status == "graduated"
    entry = AuditLogEntry.objects.get(action="student.graduated")
    assert (entry.old_value["status"], entry.new_value["status"]) == ("active", "graduated")


def test_a_graduation_order_names_students_only(adm):
    with pytest.raises(ValidationFailed):
        order_create_draft(
            actor=adm.registrar, kind="graduation", lines=[OrderLineSpec(student=adm.applicant)]
        )
    assert RectorOrder.objects.count() == 0
