"""The course page and the dashboards lead to the materials, the review queue, completeness."""

import datetime

import pytest
from django.urls import reverse

from qashyq.academics.tests.factories import (
    AcademicPeriodFactory,
    CourseOfferingFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.tests.factories import UserFactory, user_with_role

TODAY = datetime.date(2026, 10, 15)


@pytest.fixture(autouse=True)
def _setup(settings, monkeypatch):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    from qashyq.academics import selectors

    monkeypatch.setattr(selectors, "today", lambda: TODAY)


@pytest.fixture
def course(db):
    period = AcademicPeriodFactory()  # contains TODAY
    group = StudyGroupFactory()
    student = StudentProfileFactory(group=group, user__iin="").user
    tutor = UserFactory(iin="")
    offering = CourseOfferingFactory(period=period, groups=[group], tutors=[tutor])
    return offering, student, tutor


def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_offering_page_links_to_its_materials(client, course):
    offering, student, _tutor = course
    client.force_login(student)
    html = client.get(reverse("academics:offering_detail", args=[offering.pk])).content.decode()
    assert f'href="{reverse("courses:materials", args=[offering.pk])}"' in html


def test_student_and_tutor_dashboards_link_each_course_to_its_materials(client, course):
    offering, student, tutor = course
    materials = f'href="{reverse("courses:materials", args=[offering.pk])}"'
    assert materials in dashboard(client, student)
    assert materials in dashboard(client, tutor)


@pytest.mark.parametrize(
    "role, review",
    [
        ("methodologist", True),
        ("head_of_department", True),
        ("rector", False),
        ("vice_rector", False),
        ("admin", False),
    ],
)
def test_staff_dashboards_link_to_the_review_queue_and_completeness(client, db, role, review):
    html = dashboard(client, user_with_role(role, iin=""))
    assert f'href="{reverse("courses:completeness")}"' in html
    assert (f'href="{reverse("courses:review_queue")}"' in html) is review
    # and the links lead to pages the role may open
    assert client.get(reverse("courses:completeness")).status_code == 200
    if review:
        assert client.get(reverse("courses:review_queue")).status_code == 200


def test_student_dashboard_has_no_staff_links(client, course):
    _offering, student, _tutor = course
    html = dashboard(client, student)
    assert reverse("courses:completeness") not in html
    assert reverse("courses:review_queue") not in html
