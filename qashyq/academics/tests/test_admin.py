"""The Django admin: every academic list opens, filters and searches in fixed query counts."""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qashyq.academics.models import CalendarEvent
from qashyq.academics.tests.factories import (
    AcademicPeriodFactory,
    CourseOfferingFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.models import User
from qashyq.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "faculty",
    "department",
    "program",
    "discipline",
    "academicyear",
    "academicperiod",
    "calendarevent",
    "studygroup",
    "studentprofile",
    "courseoffering",
    "enrollment",
]


@pytest.fixture
def superuser(client):
    user = User.objects.create_superuser("root", "root@example.kz", "pass-Word-123")
    client.force_login(user)
    return user


def _populate(students: int, offerings: int) -> None:
    # The portal's admin is a staff tool tested here too; its model is looked up by name so that
    # academics (a lower layer) does not import portal.
    NormativeDocument = apps.get_model("portal", "NormativeDocument")  # noqa: N806
    period = AcademicPeriodFactory()
    CalendarEvent.objects.create(
        year=period.year,
        period=period,
        kind="exam_session",
        starts_on=datetime.date(2026, 12, 20),
        ends_on=datetime.date(2027, 1, 10),
    )
    for _g in range(2):
        group = StudyGroupFactory(curator=UserFactory(iin=""))
        for _s in range(students):
            StudentProfileFactory(group=group, user__iin="")
        for _o in range(offerings):
            CourseOfferingFactory(
                period=period, groups=[group], tutors=[UserFactory(iin=""), UserFactory(iin="")]
            )
    NormativeDocument.objects.create(
        slug=f"dlt-{NormativeDocument.objects.count()}",
        kind="regulation",
        title_kk="Ереже",
        title_ru="Положение",
        title_en="Rules",
    )


def test_every_academic_model_and_normative_documents_are_registered():
    registered = {model._meta.label_lower for model in admin.site._registry}
    for name in MODELS:
        assert f"academics.{name}" in registered
    assert "portal.normativedocument" in registered


@pytest.mark.parametrize("name", [*MODELS, "portal:normativedocument"])
def test_list_pages_do_not_grow_with_the_data(client, superuser, name):
    app, model = name.split(":") if ":" in name else ("academics", name)
    url = f"/admin/{app}/{model}/"
    _populate(students=2, offerings=1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _populate(students=12, offerings=3)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) <= len(small.captured_queries)
    add = client.get(f"{url}add/")
    assert add.status_code == 200


def test_student_list_shows_name_iin_group_program_status_funding(client, superuser):
    profile = StudentProfileFactory(
        user__last_name="Әбілқасымова",
        user__first_name="Гүлнұр",
        user__iin="050314612346",
        funding="paid",
        group__code="ӨТ-25-01",
        group__program__name_kk="Өнертану",
        group__program__name_en="Art history",
    )
    client.cookies["qashyq_language"] = "en"
    page = client.get("/admin/academics/studentprofile/").content.decode()
    for text in ("Әбілқасымова Гүлнұр", "050314612346", "ӨТ-25-01", "Art history", "Paid"):
        assert text in page
    other = StudentProfileFactory(user__last_name="Басқа", user__iin="")
    found = client.get("/admin/academics/studentprofile/?q=050314612346").content.decode()
    assert "Әбілқасымова" in found and "Басқа" not in found
    filtered = client.get("/admin/academics/studentprofile/?funding__exact=grant").content.decode()
    assert "Басқа" in filtered and "Әбілқасымова" not in filtered
    assert client.get(f"/admin/academics/studentprofile/{profile.pk}/change/").status_code == 200
    assert client.get(f"/admin/academics/studentprofile/{other.pk}/change/").status_code == 200


def test_year_page_holds_its_periods_and_events(client, superuser):
    period = AcademicPeriodFactory()
    CalendarEvent.objects.create(
        year=period.year,
        period=period,
        kind="midterm_1",
        starts_on=datetime.date(2026, 10, 19),
        ends_on=datetime.date(2026, 10, 24),
        note_en="RK1 week",
    )
    page = client.get(f"/admin/academics/academicyear/{period.year.pk}/change/").content.decode()
    assert "RK1 week" in page
    assert "2027-01-15" in page or "15.01.2027" in page or "Jan. 15, 2027" in page
