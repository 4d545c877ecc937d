"""Group and course offering pages: who may open them (a role matrix), what a denied user sees,
and a constant number of queries however large the group."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qashyq.academics.tests.factories import (
    CourseOfferingFactory,
    DisciplineFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_staff_without_totp(settings, client):
    # The staff TOTP rule has its own tests in accounts; here staff reach the pages directly.
    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def world():
    """Group A taught by tutor_a in course_a; group B taught by tutor_b in course_b."""
    # IINs are left empty: the pages do not show them, and the factory's IIN sequence may repeat.
    curator = UserFactory(last_name="Кураторова", username="curator", iin="")
    group_a = StudyGroupFactory(code="ӨТ-25-01", curator=curator)
    group_b = StudyGroupFactory(code="АМ-25-01")
    a_students = [
        StudentProfileFactory(
            group=group_a, user__last_name=f"Ақниетова{i}", user__iin="", student_number=f"REC-A{i}"
        )
        for i in range(3)
    ]
    b_student = StudentProfileFactory(group=group_b, user__last_name="Басқаев", user__iin="")
    tutor_a = UserFactory(last_name="Тәлімгерова", username="tutor_a", iin="")
    tutor_b = UserFactory(last_name="Басқатәлімгер", username="tutor_b", iin="")
    course_a = CourseOfferingFactory(
        discipline=DisciplineFactory(code="ART101", name_en="History of art"),
        groups=[group_a],
        tutors=[tutor_a],
    )
    course_b = CourseOfferingFactory(
        discipline=DisciplineFactory(code="ACT201"), groups=[group_b], tutors=[tutor_b]
    )
    return {
        "group": group_a,
        "course": course_a,
        "other_course": course_b,
        "student": a_students[0].user,
        "classmates": a_students,
        "other_student": b_student.user,
        "tutor": tutor_a,
        "other_tutor": tutor_b,
        "curator": curator,
        "registrar": user_with_role("registrar", iin=""),
        "methodologist_elsewhere": user_with_role(
            "methodologist", scope_type="program", scope_id=group_b.program_id, iin=""
        ),
    }


ALLOWED_ON_GROUP = {
    "student": True,
    "other_student": False,
    "tutor": True,
    "other_tutor": False,
    "curator": True,
    "registrar": True,
    "methodologist_elsewhere": False,
}


@pytest.mark.parametrize(("who", "allowed"), ALLOWED_ON_GROUP.items())
def test_group_page_matrix(client, world, who, allowed):
    client.force_login(world[who])
    response = client.get(f"/groups/{world['group'].pk}/")
    page = response.content.decode()
    if allowed:
        assert response.status_code == 200
        assert "ӨТ-25-01" in page
        for profile in world["classmates"]:
            assert profile.user.last_name in page
        assert "ART101" in page
    else:
        assert response.status_code == 403
        assert "page is open to its students, its curator and tutors" in page
        for profile in world["classmates"]:
            assert profile.user.last_name not in page
        assert "ART101" not in page


def test_classmates_see_names_but_not_record_details(client, world):
    client.force_login(world["student"])
    page = client.get(f"/groups/{world['group'].pk}/").content.decode()
    assert "Ақниетова1" in page
    assert "REC-A1" not in page
    client.force_login(world["registrar"])
    page = client.get(f"/groups/{world['group'].pk}/").content.decode()
    assert "REC-A1" in page and "State grant" in page


@pytest.mark.parametrize(
    ("who", "allowed"),
    {
        "student": True,
        "other_student": False,
        "tutor": True,
        "other_tutor": False,
        "registrar": True,
        "methodologist_elsewhere": False,
    }.items(),
)
def test_offering_page_matrix(client, world, who, allowed):
    client.force_login(world[who])
    response = client.get(f"/courses/{world['course'].pk}/")
    page = response.content.decode()
    if allowed:
        assert response.status_code == 200
        assert "History of art" in page
        assert "Тәлімгерова" in page
        assert "ӨТ-25-01" in page
        for profile in world["classmates"]:
            assert profile.user.last_name in page
    else:
        assert response.status_code == 403
        assert "page is open to its students and tutors" in page
        assert "History of art" not in page
        assert "Тәлімгерова" not in page
        for profile in world["classmates"]:
            assert profile.user.last_name not in page


@pytest.mark.parametrize("url", ["/groups/{group}/", "/courses/{course}/"])
def test_anonymous_is_sent_to_login(client, world, url):
    response = client.get(url.format(group=world["group"].pk, course=world["course"].pk))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", ["/groups/999999/", "/courses/999999/"])
def test_a_missing_id_is_404_not_500(client, world, url):
    client.force_login(world["registrar"])
    response = client.get(url)
    assert response.status_code == 404
    assert "There is no such" in response.content.decode()


def test_group_page_links_to_its_course_and_back(client, world):
    client.force_login(world["tutor"])
    page = client.get(f"/groups/{world['group'].pk}/").content.decode()
    assert f'href="/courses/{world["course"].pk}/"' in page
    page = client.get(f"/courses/{world['course'].pk}/").content.decode()
    assert f'href="/groups/{world["group"].pk}/"' in page


def _grow(group, course, students: int, courses: int) -> None:
    for i in range(students):
        StudentProfileFactory(group=group, user__last_name=f"Қосымша{i}", user__iin="")
    for _i in range(courses):
        CourseOfferingFactory(groups=[group], tutors=[UserFactory(iin=""), UserFactory(iin="")])


@pytest.mark.parametrize("page", ["group", "course"])
def test_page_queries_do_not_grow_with_the_group(
    client, world, page, django_assert_max_num_queries
):
    client.force_login(world["registrar"])
    url = f"/groups/{world['group'].pk}/" if page == "group" else f"/courses/{world['course'].pk}/"
    client.get(url)  # warm up the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(world["group"], world["course"], students=25, courses=4)
    from qashyq.academics.services import offering_add_groups

    offering_add_groups(actor=None, offering=world["course"], groups=[world["group"]], check=False)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert "Қосымша24" in response.content.decode()
    with django_assert_max_num_queries(15):
        client.get(url)
