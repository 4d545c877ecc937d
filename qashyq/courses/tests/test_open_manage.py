"""Managing open courses without the Django admin: methodologists (their faculty's disciplines)
and administrators create and edit a course, list its learners with their progress and revoke a
certificate; everybody else is refused and changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from qashyq.academics.tests.factories import DisciplineFactory
from qashyq.accounts.tests.factories import UserFactory
from qashyq.core.errors import NotFound, PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry
from qashyq.courses import certificates, open_courses
from qashyq.courses.models import Certificate, OpenCourse
from qashyq.courses.tests.open_fixtures import approved_discipline, make_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _staff_without_totp(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


@pytest.fixture
def w(db):
    world = make_world()
    # a second discipline of the same faculty with an approved EUMK, and one without any
    world.second, *_rest = approved_discipline(title_prefix="Екінші")
    world.second.department = world.discipline.department
    world.second.save()
    world.unapproved = DisciplineFactory(department=world.discipline.department)
    return world


def course_data(discipline, **overrides) -> dict:
    data = {
        "title_kk": "Python негіздері",
        "title_ru": "Основы Python",
        "title_en": "Python basics",
        "slug": "python-basics",
        "kind": "short_course",
        "discipline": discipline.pk,
        "description_kk": "**Python** тілін үйренеміз.",
        "description_ru": "",
        "description_en": "",
        "hours": "24",
        "enrolment_open": "on",
        "starts_on": "2026-09-01",
        "ends_on": "2026-12-20",
        "certificate_enabled": "on",
        "threshold_percent": "80",
        "published": "on",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def edit_data(course, **overrides) -> dict:
    data = {name: getattr(course, name) for name in open_courses.COURSE_FIELDS}
    for flag in ("enrolment_open", "certificate_enabled", "published"):
        data[flag] = "on" if data[flag] else None
    data["starts_on"] = data["starts_on"] or ""
    data["ends_on"] = data["ends_on"] or ""
    data["discipline"] = course.discipline_id
    data.update(overrides)
    discipline = data.pop("discipline")
    return {**course_data(course.discipline, **data), "discipline": discipline}


def snapshot() -> list[tuple]:
    return list(OpenCourse.objects.order_by("pk").values_list())


# --- creating and editing ------------------------------------------------------------------------


def test_a_methodologist_creates_a_course_over_an_approved_discipline_of_their_faculty(client, w):
    client.force_login(w.methodologist)
    form = client.get(reverse("courses:open_manage_new"))
    assert form.status_code == 200
    html = form.content.decode()
    # the choice: approved disciplines of the faculty only
    assert f'value="{w.discipline.pk}"' in html and f'value="{w.second.pk}"' in html
    assert f'value="{w.unapproved.pk}"' not in html
    assert f'value="{w.other_course.discipline_id}"' not in html

    response = client.post(reverse("courses:open_manage_new"), course_data(w.second))
    course = OpenCourse.objects.get(slug="python-basics")
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:open_manage_edit", args=[course.pk])
    assert (course.title_en, course.discipline_id, course.hours) == (
        "Python basics",
        w.second.pk,
        24,
    )
    assert course.threshold_percent == 80 and course.published and course.certificate_enabled
    assert course.ends_on == datetime.date(2026, 12, 20)
    # it is in the catalogue with the learners' link, and its page has the managers' link
    assert "Python basics" in client.get(reverse("courses:open_catalogue")).content.decode()
    page = client.get(reverse("courses:open_course", args=[course.slug])).content.decode()
    assert reverse("courses:open_manage_edit", args=[course.pk]) in page


def test_editing_changes_the_course_and_unpublishing_hides_it(client, w):
    client.force_login(w.admin)
    url = reverse("courses:open_manage_edit", args=[w.course.pk])
    form = client.get(url).content.decode()
    assert 'value="Kazakh language: beginners"' in form
    response = client.post(
        url,
        edit_data(
            w.course,
            title_en="Kazakh for beginners",
            threshold_percent="90",
            certificate_enabled=None,
            published=None,
            discipline=w.second.pk,
        ),
    )
    assert response.status_code == 302
    w.course.refresh_from_db()
    assert w.course.title_en == "Kazakh for beginners"
    assert (w.course.threshold_percent, w.course.certificate_enabled) == (90, False)
    assert w.course.discipline_id == w.second.pk
    assert not w.course.published
    client.logout()
    assert client.get(reverse("courses:open_course", args=[w.course.slug])).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"slug": "other-course"}, "slug", "already exists"),
        ({"starts_on": "2026-12-21", "ends_on": "2026-12-20"}, "ends_on", "cannot end before"),
        ({"threshold_percent": "0"}, "threshold_percent", "greater than or equal to 1"),
        ({"hours": ""}, "hours", "required"),
        ({"title_kk": ""}, "title_kk", "required"),
        ({"slug": "бір екі"}, "slug", "valid"),
    ],
    ids=["taken-address", "ends-before-start", "threshold-0", "no-hours", "no-title", "bad-slug"],
)
def test_bad_input_shows_the_field_and_changes_nothing(client, w, overrides, field, message):
    client.force_login(w.methodologist)
    before = snapshot()
    for url, data in (
        (reverse("courses:open_manage_new"), course_data(w.discipline, **overrides)),
        (
            reverse("courses:open_manage_edit", args=[w.course.pk]),
            edit_data(w.course, **overrides),
        ),
    ):
        response = client.post(url, data)
        assert response.status_code == 400
        html = response.content.decode()
        assert message in html
        assert f'id="id_{field}"' in html and 'aria-invalid="true"' in html
    assert snapshot() == before


def test_a_discipline_without_an_approved_eumk_is_refused(w):
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        open_courses.open_course_create(
            actor=w.admin,
            discipline=w.unapproved,
            **{k: v for k, v in course_data(w.unapproved).items() if k != "discipline"},
        )
    assert "discipline" in refused.value.details
    with pytest.raises(ValidationFailed):
        open_courses.open_course_update(actor=w.admin, course=w.course, discipline=w.unapproved)
    with pytest.raises(ValidationFailed, match="Unknown fields"):
        open_courses.open_course_update(actor=w.admin, course=w.course, code="x")
    assert snapshot() == before


def test_a_faculty_methodologist_cannot_move_a_course_to_another_faculty(w):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        open_courses.open_course_update(
            actor=w.methodologist, course=w.course, discipline=w.other_course.discipline
        )
    with pytest.raises(PermissionDenied):
        open_courses.open_course_update(
            actor=w.other_methodologist, course=w.course, title_en="Taken over"
        )
    assert snapshot() == before
    # the administrator may
    moved = open_courses.open_course_update(
        actor=w.admin, course=w.course, discipline=w.other_course.discipline
    )
    assert moved.discipline_id == w.other_course.discipline_id


# --- who may -----------------------------------------------------------------------------------


def _pages(w):
    return [
        ("get", reverse("courses:open_manage"), None),
        ("get", reverse("courses:open_manage_new"), None),
        ("post", reverse("courses:open_manage_new"), course_data(w.discipline)),
        ("get", reverse("courses:open_manage_edit", args=[w.course.pk]), None),
        (
            "post",
            reverse("courses:open_manage_edit", args=[w.course.pk]),
            edit_data(w.course, title_en="Changed"),
        ),
        ("get", reverse("courses:open_manage_enrolments", args=[w.course.pk]), None),
    ]


@pytest.mark.parametrize("who", ["learner", "outsider", "tutor"])
def test_everybody_else_is_refused_and_nothing_changes(client, w, who):
    user = UserFactory() if who == "tutor" else getattr(w, who)
    client.force_login(user)
    before = snapshot()
    for method, url, data in _pages(w):
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 403, url
    assert snapshot() == before
    catalogue = client.get(reverse("courses:open_catalogue")).content.decode()
    assert reverse("courses:open_manage") not in catalogue
    page = client.get(reverse("courses:open_course", args=[w.course.slug])).content.decode()
    assert reverse("courses:open_manage_edit", args=[w.course.pk]) not in page


def test_another_faculty_methodologist_sees_only_their_own_courses(client, w):
    client.force_login(w.other_methodologist)
    listing = client.get(reverse("courses:open_manage")).content.decode()
    assert reverse("courses:open_manage_edit", args=[w.other_course.pk]) in listing
    assert reverse("courses:open_manage_edit", args=[w.course.pk]) not in listing
    before = snapshot()
    for method, url, data in _pages(w)[3:]:
        assert getattr(client, method)(url, data or {}).status_code == 403, url
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_sign_in(client, w):
    for method, url, data in _pages(w):
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_catalogue_links_to_the_management_for_managers(client, w):
    client.force_login(w.methodologist)
    html = client.get(reverse("courses:open_catalogue")).content.decode()
    assert f'href="{reverse("courses:open_manage")}"' in html
    listing = client.get(reverse("courses:open_manage")).content.decode()
    assert reverse("courses:open_manage_edit", args=[w.course.pk]) in listing
    assert reverse("courses:open_manage_edit", args=[w.other_course.pk]) not in listing


# --- learners, progress, certificates ------------------------------------------------------------


def enrol_with_progress(w, done: int):
    learner = UserFactory(iin="")
    open_courses.open_course_enrol(actor=learner, course=w.course)
    for material in w.materials[:done]:
        open_courses.open_material_mark_complete(actor=learner, course=w.course, material=material)
    return learner


def test_the_learners_page_shows_each_learners_progress_with_bounded_queries(
    client, w, django_assert_max_num_queries
):
    # a completion of the other course's materials and of the draft does not count
    first = enrol_with_progress(w, 2)
    open_courses.open_course_enrol(actor=first, course=w.other_course)
    open_courses.open_material_mark_complete(
        actor=first, course=w.other_course, material=w.other_materials[0]
    )
    finished = enrol_with_progress(w, 3)
    certificate = certificates.certificate_issue(actor=finished, course=w.course, user=finished)
    client.force_login(w.methodologist)
    url = reverse("courses:open_manage_enrolments", args=[w.course.pk])
    client.get(url)  # warm the session
    with django_assert_max_num_queries(12) as few:
        html = client.get(url).content.decode()
    assert "2 of 3 (67%)" in html and "3 of 3 (100%)" in html
    assert certificate.code in html
    for _ in range(8):
        enrol_with_progress(w, 1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count("1 of 3 (33%)") == 8


def test_a_manager_revokes_a_certificate_from_the_learners_page(client, w):
    learner = enrol_with_progress(w, 3)
    certificate = certificates.certificate_issue(actor=learner, course=w.course, user=learner)
    client.force_login(w.methodologist)
    url = reverse("courses:open_manage_revoke", args=[w.course.pk, certificate.pk])

    refused = client.post(url, {"reason": "  "}, follow=True)
    assert "Give the reason" in refused.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_at is None

    response = client.post(url, {"reason": "Plagiarism in the final project"})
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:open_manage_enrolments", args=[w.course.pk])
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert certificate.revoke_reason == "Plagiarism in the final project"
    entry = AuditLogEntry.objects.get(action="certificate.revoke")
    assert entry.actor_id == w.methodologist.pk
    page = client.get(reverse("courses:open_manage_enrolments", args=[w.course.pk]))
    assert certificate.code not in page.content.decode()  # no valid certificate any more


def test_revoking_is_refused_to_others_and_for_another_courses_certificate(client, w):
    learner = enrol_with_progress(w, 3)
    certificate = certificates.certificate_issue(actor=learner, course=w.course, user=learner)
    url = reverse("courses:open_manage_revoke", args=[w.course.pk, certificate.pk])
    for user in (learner, w.other_methodologist):
        client.force_login(user)
        assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(w.admin)
    wrong = reverse("courses:open_manage_revoke", args=[w.other_course.pk, certificate.pk])
    assert client.post(wrong, {"reason": "x"}).status_code == 404
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is None
    assert not AuditLogEntry.objects.filter(action="certificate.revoke").exists()


def test_managed_course_lookup(w):
    with pytest.raises(NotFound):
        open_courses.managed_course(w.admin, 999999)
    with pytest.raises(PermissionDenied):
        open_courses.managed_course(w.other_methodologist, w.course.pk)
    assert open_courses.managed_course(w.methodologist, w.course.pk) == w.course


def test_the_management_pages_have_unique_ids_and_labelled_inputs(client, w):
    from qashyq.courses.tests.test_form_ids import assert_accessible_ids, parse

    learner = enrol_with_progress(w, 3)
    certificates.certificate_issue(actor=learner, course=w.course, user=learner)
    client.force_login(w.methodologist)
    for url in (
        reverse("courses:open_manage_new"),
        reverse("courses:open_manage_edit", args=[w.course.pk]),
        reverse("courses:open_manage_enrolments", args=[w.course.pk]),
    ):
        assert_accessible_ids(parse(client.get(url).content.decode()))
    refused = client.post(reverse("courses:open_manage_new"), {"slug": "x"})
    assert_accessible_ids(parse(refused.content.decode()))
