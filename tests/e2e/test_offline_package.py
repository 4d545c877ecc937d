"""The offline package opens from disk: index.html through a file:// URL, no server behind it."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qashyq.academics.tests.factories import (
    CourseOfferingFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.courses import services
from qashyq.courses.models import Eumk, EumkVersion, Material
from qashyq.courses.tests.factories import TopicFactory, fill_complete


@pytest.fixture
def package_dir(db, client, settings, tmp_path):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    settings.QASHYQ_OFFLINE_CACHE_DIR = str(tmp_path / "cache")
    group = StudyGroupFactory()
    student = StudentProfileFactory(group=group).user
    tutor = UserFactory()
    offering = CourseOfferingFactory(groups=[group], tutors=[tutor])
    eumk = Eumk.objects.create(discipline=offering.discipline)
    version = fill_complete(EumkVersion.objects.create(eumk=eumk, number=1, author=tutor))
    topic = TopicFactory(version=version, week=1, title="Алғашқы тақырып")
    Material.objects.create(
        topic=topic, kind="text", title="Conspectus", body="# Heading\n\nText", printable=True
    )
    Material.objects.create(
        topic=topic,
        kind="file",
        title="Handout",
        file=SimpleUploadedFile("Тапсырма.txt", "Сәлем, offline!".encode()),
    )
    TopicFactory(version=version, week=2, title="Екінші тақырып")
    services.eumk_version_submit(actor=tutor, version=version)
    methodologist = user_with_role(
        "methodologist", "faculty", offering.discipline.department.faculty_id
    )
    services.eumk_version_approve(actor=methodologist, version=version)

    client.force_login(student)
    response = client.get(reverse("courses:offline_package", args=[offering.pk]))
    assert response.status_code == 200
    target = tmp_path / "unzipped"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zf:
        zf.extractall(target)
    return target


def test_index_opens_from_disk_and_its_links_resolve(browser, package_dir):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto((package_dir / "index.html").as_uri())
        assert page.locator(".topic__title", has_text="Алғашқы тақырып").count() == 1
        assert page.locator(".topic__title", has_text="Екінші тақырып").count() == 1
        assert page.locator("h1", has_text="Heading").count() == 1  # Markdown rendered
        link = page.locator("a.file-link", has_text="Тапсырма")
        href = link.get_attribute("href")
        assert href.startswith("files/") and href.isascii()
        page.goto((package_dir / href).as_uri())
        assert "Сәлем, offline!" in page.content()
        page.goto((package_dir / "index.html").as_uri())
        page.click("a[href='print.html']")
        assert page.url.endswith("print.html")
        assert page.locator("text=Conspectus").count() == 1
        assert page.locator("text=Handout").count() == 0
    finally:
        context.close()
