"""Uploads go through qashyq.core.files and files are served through qashyq.core.streaming."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qashyq.courses import services
from qashyq.courses.models import Material, Topic
from qashyq.courses.selectors import srt_to_webvtt
from qashyq.courses.tests.factories import MP3, PDF, SRT, fill_complete, mp4_bytes

PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"PE\x00\x00" + b"\x00" * 200
VIDEO_BODY = bytes(range(256)) * 40  # 10 KiB of recognisable bytes


@pytest.fixture(autouse=True)
def _staff_without_totp(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def stored_files(settings) -> list[str]:
    root = str(settings.MEDIA_ROOT)
    found = []
    for folder, _dirs, names in os.walk(root):
        found += [os.path.relpath(os.path.join(folder, n), root) for n in names]
    return found


def add_through_page(client, world, **data):
    client.force_login(world.tutor)
    topic = Topic.objects.filter(version=world.version).first() or services.topic_add(
        actor=world.tutor, version=world.version, week=1, title="Кіріспе"
    )
    return client.post(
        reverse("courses:eumk_action", args=[world.eumk.pk, "material_add"]),
        {"id": topic.pk, **data},
        follow=True,
    )


def approve(world):
    services.eumk_version_submit(actor=world.tutor, version=world.version)
    services.eumk_version_approve(actor=world.methodologist, version=world.version)


def file_url(world, material, field="file"):
    return reverse("courses:material_file", args=[world.offering.pk, material.pk, field])


def test_video_upload_is_stored_and_streamed_with_range_to_an_enrolled_student(client, world):
    fill_complete(world.version)
    video = mp4_bytes(VIDEO_BODY)
    response = add_through_page(
        client,
        world,
        kind="video",
        title="Дәріс 1: Кіріспе",
        file=SimpleUploadedFile("lecture.mp4", video, content_type="application/octet-stream"),
        captions=SimpleUploadedFile("lecture.srt", SRT),
    )
    assert response.status_code == 200
    material = Material.objects.get()
    # stored under a new name with the sniffed extension, never the uploaded one
    assert material.file.name.startswith("eumk/materials/") and material.file.name.endswith(".mp4")
    assert "lecture" not in material.file.name
    assert material.captions.name.endswith(".srt")
    approve(world)

    client.force_login(world.student)
    url = file_url(world, material)
    ranged = client.get(url, HTTP_RANGE="bytes=100-1123")
    assert ranged.status_code == 206
    assert b"".join(ranged.streaming_content) == video[100:1124]
    assert ranged["Content-Range"] == f"bytes 100-1123/{len(video)}"
    assert ranged["Content-Type"] == "video/mp4"
    assert ranged["Accept-Ranges"] == "bytes"
    disposition = ranged["Content-Disposition"]
    assert disposition.startswith("inline")
    # the uploader's file name (Kazakh names: test_material_metadata.py)
    assert disposition == 'inline; filename="lecture.mp4"'

    whole = client.get(url)
    assert whole.status_code == 200
    assert b"".join(whole.streaming_content) == video

    # another course's student gets the 403 page and no bytes
    client.force_login(world.outsider_student)
    refused = client.get(url, HTTP_RANGE="bytes=0-9")
    assert refused.status_code == 403
    assert not getattr(refused, "streaming", False)


def test_srt_captions_are_served_as_webvtt_and_the_page_has_the_players(client, world, english):
    fill_complete(world.version)
    add_through_page(
        client,
        world,
        kind="video",
        title="Video lecture",
        file=SimpleUploadedFile("v.mp4", mp4_bytes()),
        captions=SimpleUploadedFile("v.srt", SRT),
    )
    add_through_page(
        client, world, kind="audio", title="Podcast", file=SimpleUploadedFile("p.mp3", MP3)
    )
    add_through_page(
        client, world, kind="file", title="Handout", file=SimpleUploadedFile("h.pdf", PDF)
    )
    assert Material.objects.count() == 3
    approve(world)
    video = Material.objects.get(kind="video")
    audio = Material.objects.get(kind="audio")
    handout = Material.objects.get(kind="file")

    client.force_login(world.student)
    captions = client.get(file_url(world, video, "captions"))
    assert captions.status_code == 200
    assert captions["Content-Type"] == "text/vtt; charset=utf-8"
    text = captions.content.decode()
    assert text.startswith("WEBVTT\n\n")
    assert "00:00:01.000 --> 00:00:02.500\nСәлем, әлем" in text
    assert "," not in text.split("\n")[3]  # the timing line uses dots

    html = client.get(reverse("courses:materials", args=[world.offering.pk])).content.decode()
    assert '<video controls preload="metadata"' in html
    assert (
        f'<track kind="captions" src="{file_url(world, video, "captions")}" '
        f'srclang="{world.offering.language}"'
    ) in html
    assert f'<audio controls preload="metadata" src="{file_url(world, audio)}"' in html
    assert f'href="{file_url(world, video)}" download' in html
    assert f'href="{file_url(world, audio)}" download' in html

    pdf = client.get(file_url(world, handout))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment")
    assert b"".join(pdf.streaming_content) == PDF
    audio_response = client.get(file_url(world, audio))
    assert audio_response["Content-Type"] == "audio/mpeg"
    assert audio_response["Content-Disposition"].startswith("inline")


def test_a_program_renamed_to_mp4_is_refused_with_the_message_and_nothing_stored(
    client, world, settings, english
):
    response = add_through_page(
        client, world, kind="video", title="Virus", file=SimpleUploadedFile("lecture.mp4", PE)
    )
    html = response.content.decode()
    assert "Programs, scripts and documents with macros are not accepted." in html
    assert not Material.objects.exists()
    assert stored_files(settings) == []


def test_a_captions_file_of_the_wrong_kind_stores_neither_file(client, world, settings, english):
    response = add_through_page(
        client,
        world,
        kind="video",
        title="Video",
        file=SimpleUploadedFile("v.mp4", mp4_bytes()),
        captions=SimpleUploadedFile("c.vtt", PDF),
    )
    assert "This type of file is not accepted here." in response.content.decode()
    assert not Material.objects.exists()
    assert stored_files(settings) == []


def test_a_video_kind_refuses_a_pdf_and_the_size_limit_is_the_setting(client, world, settings):
    with pytest.raises(services.ValidationFailed):
        services.material_add(
            actor=world.tutor,
            topic=services.topic_add(actor=world.tutor, version=world.version, week=1, title="T"),
            kind="video",
            title="v",
            file=SimpleUploadedFile("v.pdf", PDF),
        )
    settings.QASHYQ_EUMK_MAX_UPLOAD_BYTES = 1024 * 1024
    big = mp4_bytes(b"\x00" * (1024 * 1024))
    with pytest.raises(services.ValidationFailed) as refused:
        services.material_add(
            actor=world.tutor,
            topic=Topic.objects.get(),
            kind="video",
            title="v",
            file=SimpleUploadedFile("v.mp4", big),
        )
    assert refused.value.code == "file_too_large"
    assert stored_files(settings) == []


def test_an_outsider_cannot_store_a_file_by_calling_the_service(world, settings):
    topic = services.topic_add(actor=world.tutor, version=world.version, week=1, title="T")
    with pytest.raises(services.PermissionDenied):
        services.material_add(
            actor=world.student,
            topic=topic,
            kind="file",
            title="x",
            file=SimpleUploadedFile("x.pdf", PDF),
        )
    assert stored_files(settings) == []


def test_srt_converter_handles_cp1251_and_single_digit_hours():
    vtt = srt_to_webvtt("1\n0:00:05,250 --> 0:00:06,000\nСалем\n".encode("cp1251"))
    assert vtt == "WEBVTT\n\n1\n00:00:05.250 --> 00:00:06.000\nСалем\n"
