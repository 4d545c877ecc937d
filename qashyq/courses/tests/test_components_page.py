"""The students' materials page lists the approved version's components: text, link and file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qashyq.courses import services
from qashyq.courses.models import Component, Material
from qashyq.courses.tests.factories import PDF, TopicFactory, fill_complete, mp4_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _staff_without_totp(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def approve(world, version=None):
    version = version or world.version
    services.eumk_version_submit(actor=world.tutor, version=version)
    services.eumk_version_approve(actor=world.methodologist, version=version)


@pytest.fixture
def approved(world):
    """An approved version whose syllabus has Markdown, a link and a PDF."""
    fill_complete(world.version)
    services.component_save(
        actor=world.tutor,
        version=world.version,
        kind="syllabus",
        body="## Мақсаты\n\n**Оқу** жоспары <script>alert(1)</script>",
        url="https://example.edu/syllabus",
        file=SimpleUploadedFile("syllabus.pdf", PDF),
    )
    services.component_save(
        actor=world.tutor,
        version=world.version,
        kind="control",
        body="Тест сұрақтары",
        grading_criteria="A: 95-100",
        file=SimpleUploadedFile("ckm.mp4", mp4_bytes()),
    )
    approve(world)
    world.syllabus = Component.objects.get(version=world.version, kind="syllabus")
    world.control = Component.objects.get(version=world.version, kind="control")
    world.url = reverse("courses:materials", args=[world.offering.pk])
    return world


def component_url(world, component, offering=None):
    return reverse("courses:component_file", args=[(offering or world.offering).pk, component.pk])


def test_the_student_reads_the_components_with_their_links_and_files(client, approved):
    w = approved
    client.force_login(w.student)
    html = client.get(w.url).content.decode()
    assert "<h2>Мақсаты</h2>" in html
    assert "<strong>Оқу</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert 'href="https://example.edu/syllabus"' in html
    assert f'href="{component_url(w, w.syllabus)}"' in html
    assert "Download the file: Syllabus" in html
    assert f'href="{component_url(w, w.control)}"' in html
    assert "A: 95-100" in html


def test_the_component_file_downloads_and_a_video_seeks(client, approved):
    w = approved
    client.force_login(w.student)
    response = client.get(component_url(w, w.syllabus))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    # under the uploader's file name (test_component_metadata.py covers the rest)
    assert 'filename="syllabus.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF

    video = mp4_bytes()
    ranged = client.get(component_url(w, w.control), HTTP_RANGE="bytes=0-7")
    assert ranged.status_code == 206
    assert ranged["Content-Type"] == "video/mp4"
    assert b"".join(ranged.streaming_content) == video[:8]


def test_outsiders_and_other_courses_get_no_component_file(client, approved):
    w = approved
    client.force_login(w.outsider_student)
    refused = client.get(component_url(w, w.syllabus))
    assert refused.status_code == 403
    assert not getattr(refused, "streaming", False)
    # through an offering whose EUMK it is not part of
    other = client.get(component_url(w, w.syllabus, offering=w.other_offering))
    assert other.status_code == 404


def test_a_draft_component_is_for_the_eumk_editors_only(client, approved):
    w = approved
    draft = services.eumk_draft_open(actor=w.tutor, eumk=w.eumk)
    services.component_save(
        actor=w.tutor,
        version=draft,
        kind="syllabus",
        body="new",
        file=SimpleUploadedFile("new.pdf", PDF + b"%new"),
    )
    draft_syllabus = Component.objects.get(version=draft, kind="syllabus")
    client.force_login(w.student)
    assert client.get(component_url(w, draft_syllabus)).status_code == 404
    editors_url = reverse("courses:eumk_component_file", args=[draft_syllabus.pk])
    assert client.get(editors_url).status_code == 403
    client.force_login(w.tutor)
    response = client.get(editors_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF + b"%new"
    page = client.get(reverse("courses:eumk_detail", args=[w.eumk.pk])).content.decode()
    assert f'href="{editors_url}"' in page
    # the students still get the approved file
    client.force_login(w.student)
    approved_file = client.get(component_url(w, w.syllabus))
    assert b"".join(approved_file.streaming_content) == PDF


@pytest.mark.parametrize("weeks", [2, 16])
def test_the_components_with_files_cost_no_extra_query(
    client, world, django_assert_max_num_queries, weeks
):
    fill_complete(world.version)
    for kind in ("syllabus", "theory", "simulators"):
        services.component_save(
            actor=world.tutor,
            version=world.version,
            kind=kind,
            body=f"{kind} text",
            file=SimpleUploadedFile(f"{kind}.pdf", PDF),
        )
    for week in range(1, weeks + 1):
        topic = TopicFactory(version=world.version, week=week)
        Material.objects.bulk_create(
            Material(topic=topic, kind="text", title=f"M{week}.{i}", body="*x*") for i in range(10)
        )
    approve(world)
    client.force_login(world.student)
    with django_assert_max_num_queries(15):  # the same bound as without component files
        html = client.get(reverse("courses:materials", args=[world.offering.pk])).content.decode()
    assert html.count('class="component__file"') == 3
