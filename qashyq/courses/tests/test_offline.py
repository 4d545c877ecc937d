import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qashyq.core.errors import PermissionDenied, ValidationFailed
from qashyq.courses import offline, services
from qashyq.courses.models import Material, OfflinePackageSettings
from qashyq.courses.tests.factories import TopicFactory, fill_complete

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    settings.QASHYQ_OFFLINE_CACHE_DIR = str(tmp_path / "offline-cache")


def approve(world, version=None):
    version = version or world.version
    services.eumk_version_submit(actor=world.tutor, version=version)
    services.eumk_version_approve(actor=world.methodologist, version=version)


def course(world):
    """An approved version with a text, a file, a printable text, a video and an unreleased file."""
    fill_complete(world.version)
    week1 = TopicFactory(version=world.version, week=1, title="Кіріспе тақырып")
    week2 = TopicFactory(version=world.version, week=2, title="Second topic")
    Material.objects.create(
        topic=week1,
        kind="text",
        title="Lecture notes",
        body="Notes with **bold** <script>alert(1)</script>",
        printable=True,
    )
    Material.objects.create(
        topic=week1,
        kind="file",
        title="Handout",
        file=SimpleUploadedFile("Дәріс 1 тапсырма.pdf", b"%PDF-1.4 handout"),
    )
    Material.objects.create(
        topic=week2,
        kind="video",
        title="Video lecture",
        file=SimpleUploadedFile("lecture.mp4", b"v" * 2048),
        captions=SimpleUploadedFile("lecture.vtt", b"WEBVTT\n"),
    )
    Material.objects.create(
        topic=week2,
        kind="file",
        title="Later handout",
        file=SimpleUploadedFile("later.pdf", b"%PDF later"),
        release_on=datetime.date.today() + datetime.timedelta(days=10),
    )
    approve(world)


def download(client, user, offering):
    client.force_login(user)
    return client.get(reverse("courses:offline_package", args=[offering.pk]))


def unzip(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_student_downloads_the_approved_materials_as_a_working_zip(client, world, english):
    course(world)
    draft = services.eumk_draft_open(actor=world.tutor, eumk=world.eumk)
    services.topic_add(actor=world.tutor, version=draft, week=3, title="Draft-only topic")

    zf = unzip(download(client, world.student, world.offering))
    names = zf.namelist()
    index = zf.read("index.html").decode()
    assert "Кіріспе тақырып" in index and "Second topic" in index
    assert "Draft-only topic" not in index  # only the approved version
    assert "<strong>bold</strong>" in index and "<script" not in index  # rendered, sanitised
    handout = next(n for n in names if "-daris-1-tapsyrma" in n and n.endswith(".pdf"))
    assert handout.startswith("files/") and handout.isascii()
    assert f'href="{handout}"' in index
    assert ">Дәріс_1_тапсырма" in index  # the stored original name is the link text
    assert zf.read(handout) == b"%PDF-1.4 handout"
    video = next(n for n in names if "-lecture" in n and n.endswith(".mp4"))
    assert f'src="{video}"' in index
    assert any(n.endswith(".vtt") for n in names)
    # not released yet: neither listed nor included
    assert "Later handout" not in index and not any("later" in n for n in names)
    # printable materials only in print.html
    printed = zf.read("print.html").decode()
    assert "Lecture notes" in printed and "Handout" not in printed
    assert "Printable" in index
    # from disk: no scripts, and no external address but the course page
    assert "<script" not in index
    import re

    for address in re.findall(r'(?:href|src)="([^"]+)"', index):
        assert address.startswith(("files/", "#", "print.html")) or address.startswith(
            f"http://testserver/courses/{world.offering.pk}/materials/"
        ), address


def test_media_over_the_cap_stays_online_only(client, world, english):
    course(world)
    OfflinePackageSettings.objects.create(eumk=world.eumk, media_cap_mb=0)
    zf = unzip(download(client, world.student, world.offering))
    index = zf.read("index.html").decode()
    assert not any(n.endswith(".mp4") for n in zf.namelist())
    assert "Online only" in index
    course_page = reverse("courses:materials", args=[world.offering.pk])
    assert f'href="http://testserver{course_page}#material-' in index
    # ordinary files are not counted against the media cap
    assert any(n.endswith(".pdf") for n in zf.namelist())


def test_cap_counts_media_in_course_order(world):
    course(world)
    big = Material.objects.create(
        topic=TopicFactory(version=world.version, week=5),
        kind="audio",
        title="Long recording",
        file=SimpleUploadedFile("long.mp3", b"a" * (MB + 1)),
    )
    OfflinePackageSettings.objects.create(eumk=world.eumk, media_cap_mb=1)
    from qashyq.courses import selectors

    version = selectors.latest_approved_version(world.offering.discipline_id)
    plan = offline.package_plan(
        world.offering, version, course_url="https://x/", on=datetime.date.today()
    )
    entries = {e.material.pk: e for _w, ts in plan.weeks for _t, es in ts for e in es}
    video = Material.objects.get(title="Video lecture")
    assert entries[video.pk].path and not entries[video.pk].online_only
    assert entries[big.pk].online_only and not entries[big.pk].path
    assert plan.media_bytes == 2048


def test_second_download_does_not_rebuild(client, world, monkeypatch):
    course(world)
    calls = []
    real = offline._write
    monkeypatch.setattr(
        offline, "_write", lambda plan, target: (calls.append(1), real(plan, target))
    )
    first = b"".join(download(client, world.student, world.offering).streaming_content)
    second = b"".join(download(client, world.tutor, world.offering).streaming_content)
    assert first == second and len(calls) == 1
    # a change in the materials makes a new package
    Material.objects.filter(title="Lecture notes").update(body="Changed notes")
    third = zipfile.ZipFile(
        io.BytesIO(b"".join(download(client, world.student, world.offering).streaming_content))
    )
    assert len(calls) == 2 and "Changed notes" in third.read("index.html").decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("student", 200),
        ("tutor", 200),
        ("outsider_student", 403),
        ("other_tutor", 403),
        ("other_methodologist", 403),
    ],
)
def test_who_may_download(client, world, who, status):
    course(world)
    assert download(client, getattr(world, who), world.offering).status_code == status


def test_anonymous_is_sent_to_sign_in(client, world):
    course(world)
    response = client.get(reverse("courses:offline_package", args=[world.offering.pk]))
    assert response.status_code == 302


def test_no_approved_version_is_a_message_not_an_error(client, world, english):
    client.force_login(world.student)
    response = client.get(reverse("courses:offline_package", args=[world.offering.pk]), follow=True)
    assert response.status_code == 200
    assert "have not been approved yet" in response.content.decode()


def test_tutor_sets_the_cap_and_a_student_cannot(client, world, english):
    course(world)
    url = reverse("courses:offline_settings", args=[world.offering.pk])
    client.force_login(world.student)
    client.post(url, {"media_cap_mb": "5"})
    assert not OfflinePackageSettings.objects.exists()
    with pytest.raises(PermissionDenied):
        offline.offline_media_cap_set(actor=world.student, eumk=world.eumk, megabytes=5)
    with pytest.raises(ValidationFailed):
        offline.offline_media_cap_set(actor=world.tutor, eumk=world.eumk, megabytes=-1)
    client.force_login(world.tutor)
    client.post(url, {"media_cap_mb": "5"})
    assert OfflinePackageSettings.objects.get(eumk=world.eumk).media_cap_mb == 5
    body = client.get(reverse("courses:offline_page", args=[world.offering.pk])).content.decode()
    assert 'value="5"' in body and "Download the offline package" in body


def test_safe_names_are_ascii():
    assert offline.safe_name("a/Қазақ тілі — 1.PDF", prefix="m1") == "m1-qazaq-tili-1.pdf"
    assert offline.safe_name("x/???", prefix="c2") == "c2-file"
