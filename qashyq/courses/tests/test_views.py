import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qashyq.courses import services
from qashyq.courses.models import EumkVersion, Material, PlanClass, Topic
from qashyq.courses.tests.factories import (
    VTT,
    MaterialFactory,
    TopicFactory,
    fill_complete,
    mp4_bytes,
)


@pytest.fixture(autouse=True)
def _staff_without_totp(settings):
    """The tutors here have no TOTP device; MFA enforcement has its own tests in accounts."""
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def approve(world, version=None):
    version = version or world.version
    services.eumk_version_submit(actor=world.tutor, version=version)
    services.eumk_version_approve(actor=world.methodologist, version=version)


def page(client, user, url, **kw):
    client.force_login(user)
    return client.get(url, **kw)


def test_student_sees_only_the_approved_version(client, world, english):
    url = reverse("courses:materials", args=[world.offering.pk])
    fill_complete(world.version)
    MaterialFactory(topic=TopicFactory(version=world.version, title="Approved topic"))
    approve(world)
    draft = services.eumk_draft_open(actor=world.tutor, eumk=world.eumk)
    services.topic_add(actor=world.tutor, version=draft, week=3, title="Draft topic")

    body = page(client, world.student, url).content.decode()
    assert "Approved topic" in body
    assert "Draft topic" not in body
    assert "80%" in body and "Distance course" in body
    assert "Edit the EUMK" not in body


def test_no_approved_version_yet(client, world, english):
    body = page(client, world.student, reverse("courses:materials", args=[world.offering.pk]))
    assert "have not been approved yet" in body.content.decode()


def test_student_of_another_course_gets_the_403_page(client, world, english):
    fill_complete(world.version)
    approve(world)
    response = page(
        client, world.outsider_student, reverse("courses:materials", args=[world.offering.pk])
    )
    assert response.status_code == 403
    assert "Access denied" in response.content.decode()


def test_unreleased_material_is_hidden_from_students_and_its_file_refused(client, world):
    fill_complete(world.version)
    topic = TopicFactory(version=world.version)
    later = Material.objects.create(
        topic=topic,
        kind="file",
        title="Later material",
        file=SimpleUploadedFile("later.pdf", b"%PDF-1"),
        release_on=datetime.date.today() + datetime.timedelta(days=30),
    )
    approve(world)
    url = reverse("courses:materials", args=[world.offering.pk])
    assert "Later material" not in page(client, world.student, url).content.decode()
    assert "Later material" in page(client, world.tutor, url).content.decode()
    file_url = reverse("courses:material_file", args=[world.offering.pk, later.pk, "file"])
    assert page(client, world.student, file_url).status_code == 403
    assert page(client, world.tutor, file_url).status_code == 200


def test_material_file_is_served_to_the_student_and_refused_to_outsiders(client, world):
    fill_complete(world.version)
    video = Material.objects.create(
        topic=TopicFactory(version=world.version),
        kind="video",
        title="Lecture",
        file=SimpleUploadedFile("l.mp4", b"0123456789"),
        captions=SimpleUploadedFile("l.vtt", b"WEBVTT\n"),
    )
    approve(world)
    url = reverse("courses:material_file", args=[world.offering.pk, video.pk, "file"])
    response = page(client, world.student, url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"0123456789"
    captions = page(
        client,
        world.student,
        reverse("courses:material_file", args=[world.offering.pk, video.pk, "captions"]),
    )
    assert captions["Content-Type"].startswith("text/vtt")
    assert page(client, world.outsider_student, url).status_code == 403
    # a material of another course's EUMK is not reachable through this course
    assert (
        page(
            client,
            world.outsider_student,
            reverse("courses:material_file", args=[world.other_offering.pk, video.pk, "file"]),
        ).status_code
        == 404
    )
    bogus = reverse("courses:material_file", args=[world.offering.pk, video.pk, "title"])
    assert page(client, world.student, bogus).status_code == 404


def test_draft_material_files_are_for_editors_only(client, world):
    draft_file = Material.objects.create(
        topic=TopicFactory(version=world.version),
        kind="file",
        title="Draft",
        file=SimpleUploadedFile("d.pdf", b"x"),
    )
    url = reverse("courses:eumk_material_file", args=[draft_file.pk, "file"])
    assert page(client, world.tutor, url).status_code == 200
    assert page(client, world.methodologist, url).status_code == 200
    assert page(client, world.student, url).status_code == 403
    course_url = reverse("courses:material_file", args=[world.offering.pk, draft_file.pk, "file"])
    assert page(client, world.student, course_url).status_code == 404


def test_tutor_builds_the_eumk_through_the_page_and_submits(client, world, english):
    client.force_login(world.tutor)
    act = lambda action, **data: client.post(  # noqa: E731
        reverse("courses:eumk_action", args=[world.eumk.pk, action]), data, follow=True
    )
    from qashyq.courses.models import MANDATORY_COMPONENTS

    # submitting the empty draft lists what is missing
    response = act("submit")
    assert "The EUMK is not complete yet" in response.content.decode()
    for kind in MANDATORY_COMPONENTS:
        act(
            "component",
            kind=kind,
            **{f"{kind}-body": f"{kind} text", f"{kind}-grading_criteria": "A 95-100"},
        )
    act("plan_add", week=1, topic="Intro", class_type="lecture", hours="2", mode="online_sync")
    act("topic_add", week=1, title="Кіріспе")
    topic = Topic.objects.get(version=world.version)
    response = client.post(
        reverse("courses:eumk_action", args=[world.eumk.pk, "material_add"]),
        {
            "id": topic.pk,
            "kind": "video",
            "title": "Lecture 1",
            "file": SimpleUploadedFile("l1.mp4", mp4_bytes()),
            "captions": SimpleUploadedFile("l1.vtt", VTT),
        },
        follow=True,
    )
    assert "Lecture 1" in response.content.decode()
    assert PlanClass.objects.get(version=world.version).hours == Decimal(2)
    response = act("submit")
    assert "submitted for review" in response.content.decode()
    assert EumkVersion.objects.get(pk=world.version.pk).status == "submitted"


def test_bad_input_on_the_page_shows_a_message_and_changes_nothing(client, world, english):
    client.force_login(world.tutor)
    response = client.post(
        reverse("courses:eumk_action", args=[world.eumk.pk, "plan_add"]),
        {"week": 0, "topic": "", "class_type": "lecture", "hours": "x", "mode": "online_sync"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Week" in response.content.decode()
    assert not PlanClass.objects.exists()


def test_student_cannot_open_or_change_the_eumk(client, world):
    client.force_login(world.student)
    assert client.get(reverse("courses:eumk_detail", args=[world.eumk.pk])).status_code == 403
    response = client.post(
        reverse("courses:eumk_action", args=[world.eumk.pk, "topic_add"]),
        {"week": 1, "title": "x"},
    )
    assert response.status_code == 403
    assert not Topic.objects.exists()
    assert client.get(reverse("courses:review_queue")).status_code == 403


def test_methodologist_returns_then_approves_through_the_queue(client, world, english):
    fill_complete(world.version)
    services.eumk_version_submit(actor=world.tutor, version=world.version)
    client.force_login(world.methodologist)
    queue = client.get(reverse("courses:review_queue")).content.decode()
    assert world.discipline.code in queue
    decide = reverse("courses:review_decide", args=[world.version.pk])
    response = client.post(decide, {"decision": "return", "comment": ""}, follow=True)
    assert "Write what needs to be changed" in response.content.decode()
    assert EumkVersion.objects.get(pk=world.version.pk).status == "submitted"
    client.post(decide, {"decision": "return", "comment": "Add the reader"})
    assert EumkVersion.objects.get(pk=world.version.pk).status == "returned"

    client.force_login(world.tutor)
    body = client.get(reverse("courses:eumk_detail", args=[world.eumk.pk])).content.decode()
    assert "Add the reader" in body
    client.post(reverse("courses:eumk_action", args=[world.eumk.pk, "submit"]))
    client.force_login(world.methodologist)
    client.post(decide, {"decision": "approve"})
    assert EumkVersion.objects.get(pk=world.version.pk).status == "approved"
    assert world.discipline.code not in client.get(reverse("courses:review_queue")).content.decode()


def test_tutor_cannot_review(client, world):
    fill_complete(world.version)
    services.eumk_version_submit(actor=world.tutor, version=world.version)
    client.force_login(world.tutor)
    response = client.post(
        reverse("courses:review_decide", args=[world.version.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    assert EumkVersion.objects.get(pk=world.version.pk).status == "submitted"


def test_tutor_starts_an_eumk_from_the_materials_page(client, world, english):
    from qashyq.academics.tests.factories import CourseOfferingFactory

    offering = CourseOfferingFactory(tutors=[world.tutor])
    client.force_login(world.tutor)
    body = client.get(reverse("courses:materials", args=[offering.pk])).content.decode()
    assert "Start the EUMK" in body
    response = client.post(reverse("courses:eumk_start", args=[offering.pk]))
    eumk = offering.discipline.eumk
    assert response.url == reverse("courses:eumk_detail", args=[eumk.pk])


@pytest.mark.parametrize("weeks", [2, 16])
def test_materials_page_query_count_does_not_grow(
    client, world, django_assert_max_num_queries, weeks
):
    fill_complete(world.version)
    for week in range(1, weeks + 1):
        topic = TopicFactory(version=world.version, week=week)
        Material.objects.bulk_create(
            Material(topic=topic, kind="text", title=f"M{week}.{i}", body="*x*") for i in range(10)
        )
    approve(world)
    client.force_login(world.student)
    url = reverse("courses:materials", args=[world.offering.pk])
    # session, user, roles, the offering with its groups and programs, the reach, the version
    # with its components, plan, topics and materials: the same number for 2 or 16 weeks
    with django_assert_max_num_queries(15):  # +1: enrollment and completion marks (progress)
        response = client.get(url)
    assert response.content.decode().count('class="material material--text"') == weeks * 10


def test_eumk_page_query_count_is_bounded(client, world, django_assert_max_num_queries):
    fill_complete(world.version)
    for week in range(1, 17):
        topic = TopicFactory(version=world.version, week=week)
        Material.objects.bulk_create(
            Material(topic=topic, kind="text", title=f"M{i}", body="x") for i in range(10)
        )
    client.force_login(world.tutor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("courses:eumk_detail", args=[world.eumk.pk]))
    assert response.status_code == 200
