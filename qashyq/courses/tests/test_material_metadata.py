"""A material keeps the uploader's file name, the sniffed type, size and sha256; downloads carry
them (Content-Disposition with the original name, RFC 5987 for Kazakh and Russian names)."""

import hashlib
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qashyq.courses import services
from qashyq.courses.models import Material
from qashyq.courses.selectors import clean_file_name
from qashyq.courses.tests.factories import PDF, TopicFactory, fill_complete, mp4_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _staff_without_totp(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def approve(world, version=None):
    version = version or world.version
    services.eumk_version_submit(actor=world.tutor, version=version)
    services.eumk_version_approve(actor=world.methodologist, version=version)


def add_file(world, name: str, data: bytes = PDF, kind: str = "file", title: str = "Конспект"):
    topic = TopicFactory(version=world.version)
    return services.material_add(
        actor=world.tutor,
        topic=topic,
        kind=kind,
        title=title,
        file=SimpleUploadedFile(name, data, content_type="application/octet-stream"),
    )


def download(client, world, material, **headers):
    client.force_login(world.student)
    url = reverse("courses:material_file", args=[world.offering.pk, material.pk, "file"])
    return client.get(url, **headers)


def test_the_upload_is_described_by_its_name_type_size_and_fingerprint(world):
    material = add_file(world, "Дәріс 1: Кіріспе.pdf")
    material.refresh_from_db()
    assert material.original_name == "Дәріс 1 Кіріспе.pdf"
    assert material.mime_type == "application/pdf"
    assert material.size == len(PDF)
    assert material.sha256 == hashlib.sha256(PDF).hexdigest()
    # the stored name stays random
    assert "Дәріс" not in material.file.name


def test_a_path_sent_as_the_file_name_keeps_only_its_base_name(world):
    material = add_file(world, "C:\\Users\\Асель\\Лекция №2.pdf")
    assert material.original_name == "Лекция №2.pdf"


def test_a_kazakh_file_is_downloaded_under_its_own_name_with_its_type(client, world):
    fill_complete(world.version)
    material = add_file(world, "Дәріс 1: Кіріспе.pdf")
    approve(world)
    response = download(client, world, material)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('Дәріс 1 Кіріспе.pdf')}" in disposition
    # an ASCII fallback for old clients, never raw non-ASCII bytes in the header
    assert 'filename="' in disposition
    disposition.encode("ascii")
    assert response["ETag"] == f'"{hashlib.sha256(PDF).hexdigest()}"'
    assert b"".join(response.streaming_content) == PDF


def test_a_russian_video_name_is_kept_and_the_video_still_seeks(client, world):
    fill_complete(world.version)
    video = mp4_bytes(bytes(range(256)) * 8)
    material = add_file(world, "Лекция 3.mp4", data=video, kind="video", title="Лекция")
    approve(world)
    response = download(client, world, material, HTTP_RANGE="bytes=10-19")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == video[10:20]
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Disposition"].startswith("inline;")
    assert quote("Лекция 3.mp4") in response["Content-Disposition"]


def test_the_materials_page_shows_the_original_name_and_size(client, world):
    fill_complete(world.version)
    add_file(world, "Оқулық.pdf")
    approve(world)
    client.force_login(world.student)
    html = client.get(reverse("courses:materials", args=[world.offering.pk])).content.decode()
    assert "Оқулық.pdf" in html
    assert f"{len(PDF)}\xa0bytes" in html


def test_a_material_without_a_recorded_name_is_downloaded_under_its_title(client, world):
    fill_complete(world.version)
    material = Material.objects.create(
        topic=TopicFactory(version=world.version),
        kind="file",
        title="Ескі/файл",
        file=SimpleUploadedFile("old.pdf", PDF),
    )
    approve(world)
    response = download(client, world, material)
    assert quote("Ескі файл.pdf") in response["Content-Disposition"]


def test_a_new_version_copies_the_file_description_and_remembers_the_source(world):
    fill_complete(world.version)
    material = add_file(world, "Силлабус.pdf")
    approve(world)
    draft = services.eumk_draft_open(actor=world.tutor, eumk=world.eumk)
    copy = Material.objects.get(topic__version=draft)
    assert copy.copied_from_id == material.pk
    assert (copy.original_name, copy.mime_type, copy.size, copy.sha256) == (
        "Силлабус.pdf",
        "application/pdf",
        len(PDF),
        hashlib.sha256(PDF).hexdigest(),
    )
    assert copy.file.name == material.file.name


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("a\x00b\x1f.pdf", "a b.pdf"),
        ('Тест: "сұрақ"?.docx', "Тест сұрақ.docx"),
        ("   ", ""),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_file_names_are_cleaned_to_a_safe_base_name(given, kept):
    assert clean_file_name(given) == kept
