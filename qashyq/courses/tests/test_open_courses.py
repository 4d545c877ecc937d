"""Open courses: the catalogue, enrolment (also without an account), learners' materials."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from qashyq.academics.models import StudentProfile
from qashyq.core.errors import NotFound, PermissionDenied, ValidationFailed
from qashyq.courses import open_courses, policies
from qashyq.courses.models import MaterialCompletion, OpenEnrolment
from qashyq.courses.tests.open_fixtures import approved_discipline, make_world, open_course

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

User = get_user_model()
# session, user, roles, the course, the enrolment, the tutor check, the version with its
# components, plan, topics and materials, the completion marks, the certificate
QUERIES_COURSE_PAGE = 13


@pytest.fixture
def w(db):
    return make_world()


def register_data(**overrides):
    data = {
        "last_name": "Жұмабаева",
        "first_name": "Ақбөпе",
        "email": "Akbope@Example.kz",
        "password1": "qazaq-Tili-2026",
        "password2": "qazaq-Tili-2026",
    }
    data.update(overrides)
    return data


# --- enrol and leave -----------------------------------------------------------------------------


def test_enrol_and_leave(w):
    open_courses.open_course_enrol(actor=w.learner, course=w.course)
    open_courses.open_course_enrol(actor=w.learner, course=w.course)  # idempotent
    assert OpenEnrolment.objects.filter(course=w.course, user=w.learner).count() == 1
    assert policies.is_open_learner(w.learner, w.course)

    open_courses.open_course_leave(actor=w.learner, course=w.course)
    assert not OpenEnrolment.objects.filter(user=w.learner).exists()
    with pytest.raises(ValidationFailed):
        open_courses.open_course_leave(actor=w.learner, course=w.course)


@pytest.mark.parametrize(
    "fields",
    [
        {"enrolment_open": False},
        {"published": False},
        {"ends_on": datetime.date(2020, 1, 31), "starts_on": datetime.date(2020, 1, 1)},
    ],
    ids=["closed", "unpublished", "ended"],
)
def test_closed_enrolment_is_refused_and_changes_nothing(w, fields):
    for name, value in fields.items():
        setattr(w.course, name, value)
    w.course.save()
    with pytest.raises(ValidationFailed):
        open_courses.open_course_enrol(actor=w.learner, course=w.course)
    with pytest.raises(ValidationFailed):
        open_courses.learner_register_and_enrol(course=w.course, **register_data(), language="kk")
    assert not OpenEnrolment.objects.exists()
    assert not User.objects.filter(email="akbope@example.kz").exists()


def test_enrol_view_with_closed_enrolment_shows_a_message(client, w):
    w.course.enrolment_open = False
    w.course.save()
    client.force_login(w.learner)
    response = client.post(reverse("courses:open_enrol", args=[w.course.slug]), follow=True)
    assert "is closed" in response.content.decode()
    assert not OpenEnrolment.objects.exists()


def test_anonymous_cannot_enrol_without_registering(client, w):
    response = client.post(reverse("courses:open_enrol", args=[w.course.slug]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not OpenEnrolment.objects.exists()


# --- registering without an account --------------------------------------------------------------


def test_anonymous_registration_creates_a_plain_account_signs_in_and_enrols(client, w):
    url = reverse("courses:open_register", args=[w.course.slug])
    response = client.post(url, register_data(), follow=True)

    user = User.objects.get(email="akbope@example.kz")
    assert user.username == "akbope@example.kz"
    assert user.full_name == "Жұмабаева Ақбөпе"
    assert user.check_password("qazaq-Tili-2026")
    assert not user.role_assignments.exists()
    assert not StudentProfile.objects.filter(user=user).exists()
    assert OpenEnrolment.objects.filter(course=w.course, user=user).exists()
    # signed in: the course page shows the progress and the materials
    assert response.context["user"] == user
    page = response.content.decode()
    assert "Your progress" in page
    assert "Сабақ 1" in page


def test_registration_with_a_taken_email_is_a_clear_error_and_changes_nothing(client, w):
    url = reverse("courses:open_register", args=[w.course.slug])
    response = client.post(url, register_data(email=w.learner.email.upper()))
    assert response.status_code == 400
    assert "An account with this e-mail already exists" in response.content.decode()
    assert User.objects.filter(email__iexact=w.learner.email).count() == 1
    assert not OpenEnrolment.objects.exists()
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "other-Pass-99"}, "password2", "The two passwords differ."),
        ({"first_name": " "}, "first_name", "Enter your first name."),
        ({"email": "not-an-email"}, "email", "is not a valid e-mail address"),
        ({"password1": "123", "password2": "123"}, "password1", "too short"),
    ],
)
def test_bad_registration_input_changes_nothing(w, overrides, field, message):
    with pytest.raises(ValidationFailed) as caught:
        open_courses.learner_register_and_enrol(course=w.course, **register_data(**overrides))
    assert message in str(caught.value.details[field])
    assert User.objects.count() == 5  # the world's users only
    assert not OpenEnrolment.objects.exists()


def test_register_form_keeps_what_was_typed(client, w):
    url = reverse("courses:open_register", args=[w.course.slug])
    response = client.post(url, register_data(password2="different-Pass-1"))
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="Жұмабаева"' in page
    assert "The two passwords differ." in page


# --- the catalogue and the course page -----------------------------------------------------------


def test_catalogue_lists_published_courses_for_anonymous_users(client, w):
    hidden = open_course(w.discipline, slug="hidden", title_en="Hidden draft", published=False)
    response = client.get(reverse("courses:open_catalogue"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Kazakh language: beginners" in page
    assert hidden.title_en not in page


def test_catalogue_query_count_is_bounded(client, w, django_assert_max_num_queries):
    for n in range(20):
        discipline, *_rest = approved_discipline(materials=1)
        open_course(discipline, slug=f"course-{n}", title_en=f"Course {n}")
    client.force_login(w.learner)
    open_courses.open_course_enrol(actor=w.learner, course=w.course)
    # session, user, roles (the menu), the courses, the learner's enrolments
    with django_assert_max_num_queries(5):
        response = client.get(reverse("courses:open_catalogue"))
    assert response.content.decode().count('class="card open-course"') == 22
    assert "You are enrolled" in response.content.decode()


def test_unpublished_course_page_is_not_found_except_for_its_managers(client, w):
    w.course.published = False
    w.course.save()
    url = reverse("courses:open_course", args=[w.course.slug])
    assert client.get(url).status_code == 404
    client.force_login(w.other_methodologist)
    assert client.get(url).status_code == 404
    client.force_login(w.methodologist)
    assert client.get(url).status_code == 200


def test_anonymous_course_page_shows_description_and_registration_but_no_materials(client, w):
    page = client.get(reverse("courses:open_course", args=[w.course.slug])).content.decode()
    assert "<strong>from scratch</strong>" in page
    assert "Register and enrol" in page
    assert "Сабақ 1" not in page


# --- learners' materials -------------------------------------------------------------------------


def test_learner_sees_the_approved_materials_only(client, w):
    open_courses.open_course_enrol(actor=w.learner, course=w.course)
    client.force_login(w.learner)
    page = client.get(reverse("courses:open_course", args=[w.course.slug])).content.decode()
    for material in w.materials:
        assert material.title in page
    assert w.draft_material.title not in page
    assert "0 of 3 materials done (0%)" in page


def test_learner_cannot_see_or_complete_another_courses_materials(client, w):
    open_courses.open_course_enrol(actor=w.learner, course=w.course)
    client.force_login(w.learner)
    other = w.other_materials[0]
    # through the other course: not a learner there
    page = client.get(reverse("courses:open_course", args=[w.other_course.slug]))
    assert other.title not in page.content.decode()
    with pytest.raises(PermissionDenied):
        open_courses.open_material_mark_complete(
            actor=w.learner, course=w.other_course, material=other
        )
    # through their own course: the material is not part of it, nor is the draft's
    for material in (other, w.draft_material):
        with pytest.raises(NotFound):
            open_courses.material_of_course(w.course, material.pk)
        url = reverse("courses:open_material_completion", args=[w.course.slug, material.pk])
        assert client.post(url).status_code == 404
    assert not MaterialCompletion.objects.exists()


def test_learner_marks_materials_done_and_progress_follows(client, w):
    open_courses.open_course_enrol(actor=w.learner, course=w.course)
    client.force_login(w.learner)
    url = reverse("courses:open_material_completion", args=[w.course.slug, w.materials[0].pk])
    client.post(url, {"done": "1"})
    client.post(url, {"done": "1"})  # idempotent
    assert MaterialCompletion.objects.filter(student=w.learner).count() == 1
    assert open_courses.learner_progress(w.learner, w.course).done == 1
    page = client.get(reverse("courses:open_course", args=[w.course.slug])).content.decode()
    assert "1 of 3 materials done (33%)" in page

    client.post(url, {"done": "0"})
    assert not MaterialCompletion.objects.exists()


def test_outsider_cannot_mark_materials_done(w):
    with pytest.raises(PermissionDenied):
        open_courses.open_material_mark_complete(
            actor=w.outsider, course=w.course, material=w.materials[0]
        )
    assert not MaterialCompletion.objects.exists()


def test_unreleased_and_locked_materials_are_refused(w):
    open_courses.open_course_enrol(actor=w.learner, course=w.course)
    first, second, third = w.materials
    second.release_on = timezone.localdate() + datetime.timedelta(days=3)
    second.save()
    third.requires = first
    third.save()
    with pytest.raises(ValidationFailed, match="not available yet"):
        open_courses.open_material_mark_complete(actor=w.learner, course=w.course, material=second)
    with pytest.raises(ValidationFailed, match="first"):
        open_courses.open_material_mark_complete(actor=w.learner, course=w.course, material=third)
    assert not MaterialCompletion.objects.exists()
    # the unreleased one does not count towards the total
    assert open_courses.learner_progress(w.learner, w.course).total == 2


def test_learner_downloads_a_file_of_the_course_but_not_a_draft_file(client, w, settings):
    from django.core.files.base import ContentFile

    material = w.materials[0]
    material.kind = "file"
    material.file.save("notes.txt", ContentFile(b"Kazakh alphabet notes"), save=True)
    open_courses.open_course_enrol(actor=w.learner, course=w.course)
    client.force_login(w.learner)
    url = reverse("courses:open_material_file", args=[w.course.slug, material.pk, "file"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Kazakh alphabet notes"
    client.force_login(w.outsider)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("weeks", [2, 16])
def test_learner_course_page_query_count_does_not_grow(
    client, w, django_assert_max_num_queries, weeks
):
    from qashyq.courses.models import Material
    from qashyq.courses.tests.factories import TopicFactory

    for week in range(2, weeks + 1):
        topic = TopicFactory(version=w.version, week=week)
        Material.objects.bulk_create(
            Material(topic=topic, kind="text", title=f"M{week}.{i}", body="*x*") for i in range(10)
        )
    open_courses.open_course_enrol(actor=w.learner, course=w.course)
    client.force_login(w.learner)
    # the same number for 2 or 16 weeks
    with django_assert_max_num_queries(QUERIES_COURSE_PAGE):
        response = client.get(reverse("courses:open_course", args=[w.course.slug]))
    assert (
        response.content.decode().count('class="material material--text"') == 3 + (weeks - 1) * 10
    )


def test_signed_in_user_enrols_from_the_course_page(client, w):
    client.force_login(w.outsider)
    page = client.get(reverse("courses:open_course", args=[w.course.slug])).content.decode()
    assert "Enrol in the course" in page
    assert "Register and enrol" not in page
    response = client.post(reverse("courses:open_enrol", args=[w.course.slug]), follow=True)
    assert "You are enrolled" in response.content.decode()
    assert OpenEnrolment.objects.filter(course=w.course, user=w.outsider).exists()
    response = client.post(reverse("courses:open_leave", args=[w.course.slug]), follow=True)
    assert "You have left the course" in response.content.decode()
    assert not OpenEnrolment.objects.exists()


def test_a_too_short_password_is_explained_next_to_the_password_field(client, w):
    url = reverse("courses:open_register", args=[w.course.slug])
    response = client.post(url, register_data(password1="123", password2="123"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "too short" in page
    assert not OpenEnrolment.objects.exists()
