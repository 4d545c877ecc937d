import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qashyq.academics.models import Enrollment
from qashyq.academics.tests.factories import StudentProfileFactory
from qashyq.core.errors import PermissionDenied, ValidationFailed
from qashyq.courses import progress, services
from qashyq.courses.models import Material, MaterialCompletion
from qashyq.courses.tests.factories import MaterialFactory, TopicFactory, fill_complete


@pytest.fixture(autouse=True)
def _staff_without_totp(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def approve(world):
    services.eumk_version_submit(actor=world.tutor, version=world.version)
    services.eumk_version_approve(actor=world.methodologist, version=world.version)


@pytest.fixture
def course(world):
    """An approved version: intro, then practice (requires intro), and a later, unreleased one."""
    fill_complete(world.version)
    topic = TopicFactory(version=world.version, week=1)
    world.intro = MaterialFactory(topic=topic, title="Intro")
    world.practice = Material.objects.create(
        topic=topic,
        kind="file",
        title="Practice",
        file=SimpleUploadedFile("p.pdf", b"%PDF-1 secret"),
    )
    world.later = MaterialFactory(
        topic=topic, title="Later", release_on=datetime.date.today() + datetime.timedelta(days=9)
    )
    progress.material_set_requirement(
        actor=world.tutor, material=world.practice, requires=world.intro
    )
    approve(world)
    world.url = reverse("courses:materials", args=[world.offering.pk])
    return world


def enrolled_student(w):
    student = StudentProfileFactory(group=w.group).user
    Enrollment.objects.create(offering=w.offering, student=student, group=w.group)
    return student


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def mark(client, w, material, done="1"):
    client.force_login(w.student)
    return client.post(
        reverse("courses:material_completion", args=[w.offering.pk, material.pk]), {"done": done}
    )


def test_locked_until_the_required_material_is_done_then_unlocked(client, course, english):
    w = course
    html = get(client, w.student, w.url).content.decode()
    assert "Complete “Intro” first." in html
    assert "p.pdf" not in html and "Download the file" not in html
    file_url = reverse("courses:material_file", args=[w.offering.pk, w.practice.pk, "file"])
    response = get(client, w.student, file_url)
    assert response.status_code == 403
    assert "Complete “Intro” first." in response.content.decode()
    # the tutor sees everything
    tutor_html = get(client, w.tutor, w.url).content.decode()
    assert "Complete “Intro” first." not in tutor_html and "Download the file" in tutor_html
    assert get(client, w.tutor, file_url).status_code == 200

    assert mark(client, w, w.intro).status_code == 302
    html = get(client, w.student, w.url).content.decode()
    assert "Complete “Intro” first." not in html and "Download the file" in html
    assert "Done ✓" in html
    assert get(client, w.student, file_url).status_code == 200


def test_completion_is_idempotent_and_can_be_taken_back(client, course):
    w = course
    mark(client, w, w.intro)
    mark(client, w, w.intro)
    assert MaterialCompletion.objects.filter(student=w.student, material=w.intro).count() == 1
    mark(client, w, w.intro, done="0")
    assert not MaterialCompletion.objects.filter(student=w.student).exists()


def test_locked_or_unreleased_materials_cannot_be_marked(client, course, english):
    w = course
    with pytest.raises(ValidationFailed, match="Complete “Intro” first"):
        progress.material_mark_complete(actor=w.student, material=w.practice)
    with pytest.raises(ValidationFailed, match="not available yet"):
        progress.material_mark_complete(actor=w.student, material=w.later)
    response = mark(client, w, w.later)
    assert response.status_code == 302
    assert not MaterialCompletion.objects.exists()


def test_only_enrolled_students_mark(course):
    with pytest.raises(PermissionDenied):
        progress.material_mark_complete(actor=course.outsider_student, material=course.intro)
    with pytest.raises(PermissionDenied):
        progress.material_mark_complete(actor=course.tutor, material=course.intro)
    assert not MaterialCompletion.objects.exists()


def test_requirements_must_stay_in_the_version_and_make_no_cycle(world, english):
    topic = TopicFactory(version=world.version)
    a, b, c = (MaterialFactory(topic=topic) for _ in range(3))
    progress.material_set_requirement(actor=world.tutor, material=b, requires=a)
    progress.material_set_requirement(actor=world.tutor, material=c, requires=b)
    with pytest.raises(ValidationFailed, match="cycle"):
        progress.material_set_requirement(actor=world.tutor, material=a, requires=c)
    with pytest.raises(ValidationFailed, match="itself"):
        progress.material_set_requirement(actor=world.tutor, material=a, requires=a)
    elsewhere = MaterialFactory()
    with pytest.raises(ValidationFailed, match="same version"):
        progress.material_set_requirement(actor=world.tutor, material=a, requires=elsewhere)
    with pytest.raises(PermissionDenied):
        progress.material_set_requirement(actor=world.student, material=a, requires=b)
    a.refresh_from_db()
    assert a.requires_id is None
    progress.material_set_requirement(actor=world.tutor, material=c, requires=None)
    c.refresh_from_db()
    assert c.requires_id is None


def test_progress_numbers_for_the_student_and_the_tutor(client, course, english):
    w = course
    second = enrolled_student(w)
    mark(client, w, w.intro)
    mark(client, w, w.practice)
    # two released materials (Later is not released yet)
    p = progress.course_progress(w.student, w.offering)
    assert (p.done, p.total, p.percent) == (2, 2, 100)
    assert progress.course_progress(second, w.offering).done == 0
    html = get(client, w.student, w.url).content.decode()
    assert "2 of 2 materials done (100%)" in html
    assert '<progress id="progress-bar" max="100" value="100">' in html
    client.force_login(w.student)
    client.post(
        reverse("courses:material_completion", args=[w.offering.pk, w.practice.pk]), {"done": "0"}
    )
    assert "1 of 2 materials done (50%)" in get(client, w.student, w.url).content.decode()
    tutor_html = get(client, w.tutor, w.url).content.decode()
    assert "Students' progress" in tutor_html
    assert f"{w.student.full_name}</th><td>1 / 2</td>" in tutor_html
    assert f"{second.full_name}</th><td>0 / 2</td>" in tutor_html
    assert "Students' progress" not in get(client, w.student, w.url).content.decode()


def test_materials_page_queries_stay_bounded_with_completion(
    client, course, django_assert_max_num_queries
):
    w = course
    for week in range(2, 12):
        topic = TopicFactory(version=w.version, week=week)
        Material.objects.bulk_create(
            Material(topic=topic, kind="text", title=f"M{week}.{i}", body="x") for i in range(5)
        )
    for m in Material.objects.filter(topic__version=w.version, title__startswith="M"):
        MaterialCompletion.objects.create(material=m, student=w.student)
    client.force_login(w.student)
    with django_assert_max_num_queries(15):  # the page's 14 before progress, +1
        assert client.get(w.url).status_code == 200
    client.force_login(w.tutor)
    with CaptureQueriesContext(connection) as one_student:
        client.get(w.url)
    for _ in range(6):
        MaterialCompletion.objects.create(material=w.intro, student=enrolled_student(w))
    with CaptureQueriesContext(connection) as seven_students:
        html = client.get(w.url).content.decode()
    assert html.count('class="progress-row"') == 7
    assert len(seven_students) == len(one_student)


def test_tutor_sets_a_requirement_through_the_eumk_page(client, world, english):
    topic = TopicFactory(version=world.version)
    a, b = MaterialFactory(topic=topic), MaterialFactory(topic=topic)
    client.force_login(world.tutor)
    url = reverse("courses:eumk_action", args=[world.eumk.pk, "material_requires"])
    client.post(url, {"id": b.pk, "requires": a.pk})
    b.refresh_from_db()
    assert b.requires_id == a.pk
    response = client.post(url, {"id": a.pk, "requires": b.pk}, follow=True)
    assert "cycle" in response.content.decode()
    a.refresh_from_db()
    assert a.requires_id is None


def test_a_new_draft_keeps_the_release_requirements_pointing_at_its_own_copies(course):
    draft = services.eumk_draft_open(actor=course.tutor, eumk=course.version.eumk)
    assert draft.pk != course.version.pk
    practice = Material.objects.get(topic__version=draft, title="Practice")
    assert practice.requires is not None
    assert practice.requires.title == "Intro"
    assert practice.requires.topic.version_id == draft.pk


def test_the_eumk_page_offers_each_material_a_complete_first_choice(client, world, english):
    topic = TopicFactory(version=world.version)
    a = MaterialFactory(topic=topic, title="Reading")
    b = MaterialFactory(topic=topic, title="Quiz")
    progress.material_set_requirement(actor=world.tutor, material=b, requires=a)
    client.force_login(world.tutor)
    page = client.get(reverse("courses:eumk_detail", args=[world.eumk.pk])).content.decode()
    assert f'<select id="requires-{b.pk}" name="requires">' in page
    assert f'<option value="{a.pk}" selected>Reading</option>' in page
    # a material is never offered as its own requirement
    own_select = page.split(f'id="requires-{a.pk}"')[1].split("</select>")[0]
    assert f'value="{a.pk}"' not in own_select
