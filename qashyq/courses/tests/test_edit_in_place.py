"""Editing topics and materials in place on the EUMK page (plain forms, no JavaScript)."""

import datetime
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qashyq.core.errors import PermissionDenied, ValidationFailed
from qashyq.courses import services
from qashyq.courses.models import Material, Topic
from qashyq.courses.tests.factories import (
    PDF,
    SRT,
    VTT,
    MaterialFactory,
    TopicFactory,
    fill_complete,
    mp4_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"PE\x00\x00" + b"\x00" * 200
NEW_PDF = PDF + b"% second edition\n"


@pytest.fixture(autouse=True)
def _staff_without_totp(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def stored_files(settings) -> set[str]:
    root = str(settings.MEDIA_ROOT)
    found = set()
    for folder, _dirs, names in os.walk(root):
        found |= {os.path.relpath(os.path.join(folder, n), root) for n in names}
    return found


def act(client, world, action, data):
    return client.post(
        reverse("courses:eumk_action", args=[world.eumk.pk, action]), data, follow=True
    )


def snapshot(material):
    material.refresh_from_db()
    return (
        material.title,
        material.body,
        material.url,
        material.file.name,
        material.captions.name,
        material.printable,
        material.release_on,
        material.sha256,
    )


@pytest.fixture
def handout(world):
    topic = services.topic_add(actor=world.tutor, version=world.version, week=1, title="Кіріспе")
    return services.material_add(
        actor=world.tutor,
        topic=topic,
        kind="file",
        title="Үлестірме",
        body="ескі",
        file=SimpleUploadedFile("old.pdf", PDF),
    )


def test_the_page_offers_edit_forms_filled_with_the_current_values(client, world, handout):
    client.force_login(world.tutor)
    html = client.get(reverse("courses:eumk_detail", args=[world.eumk.pk])).content.decode()
    topic = handout.topic
    assert f'<details class="topic__edit" id="topic-edit-{topic.pk}">' in html
    assert f'id="t{topic.pk}-title" name="title" value="Кіріспе"' in html
    assert f'<details class="material__edit" id="material-edit-{handout.pk}">' in html
    assert f'id="m{handout.pk}-title" name="title" value="Үлестірме"' in html
    assert f'id="m{handout.pk}-file" name="file"' in html
    assert "old.pdf" in html  # the current file, by its uploader's name


def test_a_tutor_renames_a_topic_and_moves_it_to_another_week(client, world, handout):
    client.force_login(world.tutor)
    topic = handout.topic
    response = act(client, world, "topic_update", {"id": topic.pk, "title": "Жаңа атау", "week": 5})
    assert response.redirect_chain[-1][0].endswith(f"#topic-{topic.pk}")
    html = response.content.decode()
    assert "Saved." in html
    assert html.index("Week 5") < html.index("Жаңа атау")
    topic.refresh_from_db()
    assert (topic.title, topic.week) == ("Жаңа атау", 5)


def test_a_topic_changes_its_position_within_the_week(world):
    first = services.topic_add(actor=world.tutor, version=world.version, week=2, title="A")
    second = services.topic_add(actor=world.tutor, version=world.version, week=2, title="B")
    services.topic_update(actor=world.tutor, topic=second, title="B", week=2, position=0)
    services.topic_update(actor=world.tutor, topic=first, title="A", week=2, position=1)
    assert list(Topic.objects.filter(week=2).values_list("title", flat=True)) == ["B", "A"]


def test_a_bad_topic_edit_shows_the_message_and_changes_nothing(client, world, handout):
    client.force_login(world.tutor)
    topic = handout.topic
    response = act(client, world, "topic_update", {"id": topic.pk, "title": " ", "week": 99})
    assert "Week" in response.content.decode()
    with pytest.raises(ValidationFailed):
        services.topic_update(actor=world.tutor, topic=topic, title="  ", week=1)
    topic.refresh_from_db()
    assert (topic.title, topic.week) == ("Кіріспе", 1)


def test_a_tutor_edits_a_material_in_place(client, world, handout):
    client.force_login(world.tutor)
    response = act(
        client,
        world,
        "material_update",
        {
            "id": handout.pk,
            "title": "Үлестірме 2",
            "body": "**жаңа** мәтін",
            "url": "https://example.edu/more",
            "printable": "on",
            "release_on": "2030-09-01",
        },
    )
    assert response.redirect_chain[-1][0].endswith(f"#material-{handout.pk}")
    html = response.content.decode()
    assert "<strong>жаңа</strong> мәтін" in html
    handout.refresh_from_db()
    assert handout.title == "Үлестірме 2"
    assert handout.url == "https://example.edu/more"
    assert handout.printable is True
    assert handout.release_on == datetime.date(2030, 9, 1)
    assert handout.original_name == "old.pdf"  # the file stays


def test_replacing_the_file_stores_the_new_one_and_deletes_the_old_after_commit(
    client, world, handout, settings, django_capture_on_commit_callbacks
):
    old_name = handout.file.name
    client.force_login(world.tutor)
    with django_capture_on_commit_callbacks(execute=True):
        act(
            client,
            world,
            "material_update",
            {
                "id": handout.pk,
                "title": "Үлестірме",
                "file": SimpleUploadedFile("Жаңа.pdf", NEW_PDF),
            },
        )
    handout.refresh_from_db()
    assert handout.file.name != old_name
    assert handout.original_name == "Жаңа.pdf"
    assert handout.size == len(NEW_PDF)
    assert stored_files(settings) == {handout.file.name}
    with handout.file.open("rb") as f:
        assert f.read() == NEW_PDF


def test_a_replaced_file_still_used_by_the_approved_version_is_kept(
    world, handout, settings, django_capture_on_commit_callbacks
):
    fill_complete(world.version)
    services.eumk_version_submit(actor=world.tutor, version=world.version)
    services.eumk_version_approve(actor=world.methodologist, version=world.version)
    draft = services.eumk_draft_open(actor=world.tutor, eumk=world.eumk)
    copy = Material.objects.get(topic__version=draft)
    with django_capture_on_commit_callbacks(execute=True):
        services.material_update(
            actor=world.tutor,
            material=copy,
            title=copy.title,
            file=SimpleUploadedFile("new.pdf", NEW_PDF),
        )
    copy.refresh_from_db()
    assert stored_files(settings) == {handout.file.name, copy.file.name}
    assert handout.file.name != copy.file.name


def test_video_captions_are_replaced_and_removed(
    world, settings, django_capture_on_commit_callbacks
):
    topic = TopicFactory(version=world.version)
    video = services.material_add(
        actor=world.tutor,
        topic=topic,
        kind="video",
        title="Дәріс",
        file=SimpleUploadedFile("v.mp4", mp4_bytes()),
        captions=SimpleUploadedFile("v.vtt", VTT),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.material_update(
            actor=world.tutor,
            material=video,
            title="Дәріс",
            captions=SimpleUploadedFile("v.srt", SRT),
        )
    video.refresh_from_db()
    assert video.captions.name.endswith(".srt")
    assert stored_files(settings) == {video.file.name, video.captions.name}
    with django_capture_on_commit_callbacks(execute=True):
        services.material_update(
            actor=world.tutor, material=video, title="Дәріс", clear_captions=True
        )
    video.refresh_from_db()
    assert not video.captions
    assert stored_files(settings) == {video.file.name}


def test_a_forbidden_replacement_changes_nothing_and_stores_nothing(
    client, world, handout, settings
):
    before = snapshot(handout)
    files_before = stored_files(settings)
    client.force_login(world.tutor)
    response = act(
        client,
        world,
        "material_update",
        {"id": handout.pk, "title": "Changed", "file": SimpleUploadedFile("x.pdf", PE)},
    )
    assert "Programs, scripts and documents with macros are not accepted." in (
        response.content.decode()
    )
    assert snapshot(handout) == before
    assert stored_files(settings) == files_before


def test_a_text_material_keeps_the_checks_of_its_kind(world, handout):
    text = MaterialFactory(topic=handout.topic, kind="text", body="x")
    with pytest.raises(ValidationFailed):
        services.material_update(actor=world.tutor, material=text, title="t", body=" ")
    with pytest.raises(ValidationFailed):
        services.material_update(
            actor=world.tutor,
            material=text,
            title="t",
            body="x",
            file=SimpleUploadedFile("a.pdf", PDF),
        )
    assert Material.objects.get(pk=text.pk).body == "x"


@pytest.mark.parametrize("who", ["student", "other_tutor", "other_methodologist"])
def test_denied_edits_change_nothing(client, world, handout, settings, who):
    before = snapshot(handout)
    files_before = stored_files(settings)
    user = getattr(world, who)
    client.force_login(user)
    topic_response = client.post(
        reverse("courses:eumk_action", args=[world.eumk.pk, "topic_update"]),
        {"id": handout.topic_id, "title": "Hacked", "week": 3},
    )
    material_response = client.post(
        reverse("courses:eumk_action", args=[world.eumk.pk, "material_update"]),
        {"id": handout.pk, "title": "Hacked", "file": SimpleUploadedFile("h.pdf", NEW_PDF)},
    )
    assert topic_response.status_code == 403
    assert material_response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.material_update(
            actor=user, material=handout, title="Hacked", file=SimpleUploadedFile("h.pdf", NEW_PDF)
        )
    with pytest.raises(PermissionDenied):
        services.topic_update(actor=user, topic=handout.topic, title="Hacked", week=3)
    assert snapshot(handout) == before
    assert Topic.objects.get(pk=handout.topic_id).title == "Кіріспе"
    assert stored_files(settings) == files_before


def test_a_submitted_version_is_not_edited(client, world, handout, settings):
    fill_complete(world.version)
    services.eumk_version_submit(actor=world.tutor, version=world.version)
    before = snapshot(handout)
    files_before = stored_files(settings)
    client.force_login(world.tutor)
    html = client.get(reverse("courses:eumk_detail", args=[world.eumk.pk])).content.decode()
    assert "material-edit-" not in html and "topic-edit-" not in html
    response = act(
        client,
        world,
        "material_update",
        {"id": handout.pk, "title": "Late", "file": SimpleUploadedFile("l.pdf", NEW_PDF)},
    )
    assert "cannot be edited" in response.content.decode()
    with pytest.raises(ValidationFailed):
        services.topic_update(actor=world.tutor, topic=handout.topic, title="Late", week=1)
    assert snapshot(handout) == before
    assert stored_files(settings) == files_before


def test_a_material_of_another_version_cannot_be_edited_through_this_page(client, world):
    other = MaterialFactory(title="Foreign")
    client.force_login(world.tutor)
    response = client.post(
        reverse("courses:eumk_action", args=[world.eumk.pk, "material_update"]),
        {"id": other.pk, "title": "Mine"},
    )
    assert response.status_code == 404
    assert Material.objects.get(pk=other.pk).title == "Foreign"


def test_the_requirement_is_set_with_the_edit_and_a_cycle_refused(world, handout):
    second = MaterialFactory(topic=handout.topic, title="Тест")
    services.material_update(
        actor=world.tutor, material=second, title="Тест", body="x", requires=handout
    )
    assert Material.objects.get(pk=second.pk).requires_id == handout.pk
    with pytest.raises(ValidationFailed, match="cycle"):
        services.material_update(
            actor=world.tutor, material=handout, title="Үлестірме", requires=second
        )
    assert Material.objects.get(pk=handout.pk).requires_id is None


def test_fields_left_out_of_a_service_call_keep_their_values(world, handout):
    services.material_update(actor=world.tutor, material=handout, printable=True)
    before = snapshot(handout)
    services.material_update(actor=world.tutor, material=handout, title="Жаңа атау")
    after = snapshot(handout)
    assert after[0] == "Жаңа атау"
    assert after[1:] == before[1:]  # body, link, file, captions, printable, date, sha256 kept
    assert after[5] is True
