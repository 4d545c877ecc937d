"""Transfer-GPA thresholds and the students below them; query bounds of the list pages."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from qashyq.academics.tests.factories import StudentProfileFactory, StudyGroupFactory
from qashyq.registrar import selectors
from qashyq.registrar.models import TransferThreshold

from .conftest import make_grade

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def _student(world, letter, points, year_of_study=2, group=None):
    profile = StudentProfileFactory(year_of_study=year_of_study, group=group or world.profile.group)
    for discipline in world.disciplines[:2]:
        make_grade(profile.user, discipline, world.sem1, letter, points, "80")
    return profile


def test_students_below_the_threshold_of_their_year(world):
    TransferThreshold.objects.create(
        academic_year=world.year, year_of_study=2, min_gpa=Decimal("2.50")
    )
    TransferThreshold.objects.create(
        academic_year=world.year, year_of_study=3, min_gpa=Decimal("1.00")
    )
    good = _student(world, "B", "3.0")
    at_threshold = _student(world, "C+", "2.33")
    exactly = _student(world, "C+", "2.5")  # not below (the points are not real; the rule is)
    third_year_ok = _student(world, "D", "1.0", year_of_study=3)  # 1.00 is not below 1.00
    first_year_low = _student(world, "F", "0", year_of_study=1)  # no threshold for year 1
    below = selectors.students_below_threshold(selectors.current_year())
    listed = [(item.profile.user_id, item.gpa_display) for item in below]
    # lowest GPA first; 2.33 is below 2.50
    assert listed == [(world.student.pk, "2.22"), (at_threshold.user_id, "2.33")]
    for profile in (good, exactly, third_year_ok, first_year_low):
        assert profile.user_id not in {uid for uid, _g in listed}
    assert world.other.pk not in {uid for uid, _g in listed}  # no results: nothing to judge


def test_no_thresholds_no_list(world):
    assert selectors.students_below_threshold(selectors.current_year()) == []


def test_one_threshold_per_year_of_study(world):
    TransferThreshold.objects.create(academic_year=world.year, year_of_study=2, min_gpa=2)
    with pytest.raises(IntegrityError):
        TransferThreshold.objects.create(academic_year=world.year, year_of_study=2, min_gpa=3)


def test_page_and_faculty_scope(client, world):
    TransferThreshold.objects.create(academic_year=world.year, year_of_study=2, min_gpa=3)
    other_faculty_student = _student(world, "D", "1.0", group=StudyGroupFactory())
    client.force_login(world.faculty_registrar)
    page = client.get("/registrar/below-threshold/").content.decode()
    assert "Үсенова" in page and "2.22" in page
    assert other_faculty_student.user.last_name not in page
    client.force_login(world.registrar)
    page = client.get("/registrar/below-threshold/").content.decode()
    assert other_faculty_student.user.last_name in page


def _count(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_below_threshold_queries_do_not_grow_with_students(client, world):
    TransferThreshold.objects.create(academic_year=world.year, year_of_study=2, min_gpa=4)
    client.force_login(world.registrar)
    url = "/registrar/below-threshold/"
    client.get(url)  # warm the session and role caches
    few = _count(lambda: client.get(url))
    for _i in range(15):
        _student(world, "C", "2.0")
    many = _count(lambda: client.get(url))
    assert many == few
    assert many <= 10


def test_transcript_queries_do_not_grow_with_attempts(client, world, django_assert_max_num_queries):
    client.force_login(world.student)
    url = f"/students/{world.student.pk}/transcript/"
    client.get(url)
    few = _count(lambda: client.get(url))
    for discipline in world.disciplines:
        make_grade(world.student, discipline, world.summer, "A", "4.0", "96", kind="retake")
    many = _count(lambda: client.get(url))
    assert many == few
    with django_assert_max_num_queries(12):
        client.get(url)


@pytest.mark.parametrize(
    ("who", "allowed"), [("registrar", True), ("admin", True), ("tutor", False)]
)
def test_thresholds_in_the_admin(client, world, who, allowed):
    client.force_login(getattr(world, who))
    response = client.post(
        "/admin/registrar/transferthreshold/add/",
        {"academic_year": world.year.pk, "year_of_study": 2, "min_gpa": "2.40"},
    )
    assert TransferThreshold.objects.filter(year_of_study=2).exists() is allowed
    if allowed:
        assert response.status_code == 302
        bad = client.post(
            "/admin/registrar/transferthreshold/add/",
            {"academic_year": world.year.pk, "year_of_study": 3, "min_gpa": "4.5"},
        )
        assert bad.status_code == 200  # the form again, with the error
        assert not TransferThreshold.objects.filter(year_of_study=3).exists()
    else:
        assert response.status_code in (302, 403)


def test_below_threshold_of_another_year(client, world):
    from qashyq.academics.tests.factories import AcademicYearFactory

    old = AcademicYearFactory(
        title="2025-2026",
        starts_on=world.year.starts_on.replace(year=2025),
        ends_on=world.year.ends_on.replace(year=2026),
        is_current=False,
    )
    TransferThreshold.objects.create(academic_year=old, year_of_study=2, min_gpa=3)
    client.force_login(world.registrar)
    assert "Үсенова" not in client.get("/registrar/below-threshold/").content.decode()
    page = client.get("/registrar/below-threshold/", {"year": old.pk}).content.decode()
    assert "Үсенова" in page
    # a year that is not a number or does not exist: the current year, no error
    for bad in ("x", "999999", "-1"):
        response = client.get("/registrar/below-threshold/", {"year": bad})
        assert response.status_code == 200
        assert "Үсенова" not in response.content.decode()
