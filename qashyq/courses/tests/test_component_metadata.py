"""An EUMK component's file keeps the uploader's name, the sniffed type, size and sha256, like a
material's: downloads carry them (Content-Disposition with the original name), a new version
copies them, replacing or removing the file updates them."""

import hashlib
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qashyq.core.errors import ValidationFailed
from qashyq.courses import services
from qashyq.courses.models import Component
from qashyq.courses.tests.factories import PDF, fill_complete, mp4_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NAME = "Силлабус: Өнер тарихы.pdf"
KEPT = "Силлабус Өнер тарихы.pdf"  # the colon is not safe in a file name


@pytest.fixture(autouse=True)
def _staff_without_totp(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def save(world, version=None, *, name=NAME, data=PDF, **kwargs) -> Component:
    services.component_save(
        actor=world.tutor,
        version=version or world.version,
        kind="syllabus",
        body="Мазмұны",
        file=SimpleUploadedFile(name, data, content_type="application/octet-stream")
        if name
        else None,
        **kwargs,
    )
    return Component.objects.get(version=version or world.version, kind="syllabus")


def approve(world):
    services.eumk_version_submit(actor=world.tutor, version=world.version)
    services.eumk_version_approve(actor=world.methodologist, version=world.version)


def test_the_upload_is_described_by_its_name_type_size_and_fingerprint(world):
    component = save(world)
    assert component.original_name == KEPT
    assert component.mime_type == "application/pdf"
    assert component.size == len(PDF)
    assert component.sha256 == hashlib.sha256(PDF).hexdigest()
    assert "Силлабус" not in component.file.name  # the stored name stays random


def test_students_download_the_approved_file_under_its_original_name(client, world):
    fill_complete(world.version)
    component = save(world)
    approve(world)
    client.force_login(world.student)
    response = client.get(reverse("courses:component_file", args=[world.offering.pk, component.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(KEPT)}" in disposition
    disposition.encode("ascii")  # an ASCII header with an RFC 5987 name
    assert response["ETag"] == f'"{hashlib.sha256(PDF).hexdigest()}"'
    assert b"".join(response.streaming_content) == PDF


def test_editors_download_a_draft_file_under_its_original_name(client, world):
    component = save(world, name="Бақылау тапсырмалары.mp4", data=mp4_bytes())
    client.force_login(world.tutor)
    response = client.get(reverse("courses:eumk_component_file", args=[component.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Disposition"].startswith("inline;")
    assert quote("Бақылау тапсырмалары.mp4") in response["Content-Disposition"]


def test_a_replacement_updates_and_removing_clears_the_description(world):
    save(world)
    other = PDF + b"%second"
    replaced = save(world, name="жаңа.pdf", data=other)
    assert replaced.original_name == "жаңа.pdf"
    assert replaced.size == len(other)
    assert replaced.sha256 == hashlib.sha256(other).hexdigest()

    cleared = save(world, name=None, clear_file=True)
    assert not cleared.file
    assert (cleared.original_name, cleared.mime_type, cleared.size, cleared.sha256) == (
        "",
        "",
        None,
        "",
    )


def test_a_refused_upload_keeps_the_earlier_description(world):
    save(world)
    with pytest.raises(ValidationFailed):
        save(world, name="program.pdf", data=b"MZ\x90\x00" + b"\x00" * 100)
    component = Component.objects.get(version=world.version, kind="syllabus")
    assert component.original_name == KEPT
    assert component.sha256 == hashlib.sha256(PDF).hexdigest()


def test_a_new_version_copies_the_description_and_downloads_the_same(client, world):
    fill_complete(world.version)
    save(world)
    approve(world)
    draft = services.eumk_draft_open(actor=world.tutor, eumk=world.eumk)
    copy = Component.objects.get(version=draft, kind="syllabus")
    assert copy.pk != Component.objects.get(version=world.version, kind="syllabus").pk
    assert (copy.original_name, copy.mime_type, copy.size, copy.sha256) == (
        KEPT,
        "application/pdf",
        len(PDF),
        hashlib.sha256(PDF).hexdigest(),
    )
    client.force_login(world.tutor)
    response = client.get(reverse("courses:eumk_component_file", args=[copy.pk]))
    assert quote(KEPT) in response["Content-Disposition"]


def test_a_file_stored_without_a_name_is_named_after_the_component(client, world):
    component = save(world)
    Component.objects.filter(pk=component.pk).update(original_name="", mime_type="", sha256="")
    client.force_login(world.tutor)
    response = client.get(reverse("courses:eumk_component_file", args=[component.pk]))
    assert response.status_code == 200
    assert f"Syllabus - {world.discipline.code}.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"  # from the stored extension
