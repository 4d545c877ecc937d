"""Students' marks carry over to a newly approved version for the materials that did not change."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qashyq.academics.models import Enrollment
from qashyq.academics.tests.factories import StudentProfileFactory
from qashyq.courses import progress, services
from qashyq.courses.models import Material, MaterialCompletion
from qashyq.courses.tests.factories import PDF, TopicFactory, fill_complete

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _staff_without_totp(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def approve(world, version):
    services.eumk_version_submit(actor=world.tutor, version=version)
    services.eumk_version_approve(actor=world.methodologist, version=version)


@pytest.fixture
def course(world):
    """Version 1 approved with a text, a file and a link; the student completed all three; a
    second student completed the text only; version 2 is open as a draft."""
    fill_complete(world.version)
    topic = TopicFactory(version=world.version, week=1)
    add = lambda **kw: services.material_add(actor=world.tutor, topic=topic, **kw)  # noqa: E731
    world.text = add(kind="text", title="Кіріспе", body="Мәтін")
    world.file = add(kind="file", title="Үлестірме", file=SimpleUploadedFile("u.pdf", PDF))
    world.link = add(kind="link", title="Сілтеме", url="https://example.edu/a")
    approve(world, world.version)
    for material in (world.text, world.file, world.link):
        progress.material_mark_complete(actor=world.student, material=material)
    world.second = StudentProfileFactory(group=world.group).user
    Enrollment.objects.get_or_create(offering=world.offering, student=world.second)
    progress.material_mark_complete(actor=world.second, material=world.text)
    world.draft = services.eumk_draft_open(actor=world.tutor, eumk=world.eumk)
    world.copy = {m.copied_from_id: m for m in Material.objects.filter(topic__version=world.draft)}
    return world


def done_titles(student, version):
    return set(
        MaterialCompletion.objects.filter(
            student=student, material__topic__version=version
        ).values_list("material__title", flat=True)
    )


def test_unchanged_materials_stay_done_and_changed_ones_start_again(client, course):
    w = course
    services.material_update(
        actor=w.tutor, material=w.copy[w.link.pk], title="Сілтеме", url="https://example.edu/b"
    )
    topic = w.copy[w.text.pk].topic
    services.material_add(actor=w.tutor, topic=topic, kind="text", title="Жаңа", body="жаңа")
    approve(w, w.draft)

    assert done_titles(w.student, w.draft) == {"Кіріспе", "Үлестірме"}
    assert done_titles(w.second, w.draft) == {"Кіріспе"}
    # the old version's marks stay where they were
    assert done_titles(w.student, w.version) == {"Кіріспе", "Үлестірме", "Сілтеме"}

    client.force_login(w.student)
    html = client.get(reverse("courses:materials", args=[w.offering.pk])).content.decode()
    assert "2 of 4 materials done (50%)" in html


def test_a_replaced_file_with_the_same_title_starts_again(course):
    w = course
    services.material_update(
        actor=w.tutor,
        material=w.copy[w.file.pk],
        title="Үлестірме",
        file=SimpleUploadedFile("u.pdf", PDF + b"% v2\n"),
    )
    approve(w, w.draft)
    assert done_titles(w.student, w.draft) == {"Кіріспе", "Сілтеме"}


def test_the_same_file_uploaded_again_counts_as_unchanged(course):
    w = course
    services.material_update(
        actor=w.tutor,
        material=w.copy[w.file.pk],
        title="Үлестірме",
        file=SimpleUploadedFile("again.pdf", PDF),
    )
    approve(w, w.draft)
    assert "Үлестірме" in done_titles(w.student, w.draft)


@pytest.mark.parametrize(
    "change",
    [{"title": "Кіріспе (жаңа)", "body": "Мәтін"}, {"title": "Кіріспе", "body": "Мәтін 2"}],
)
def test_a_changed_title_or_text_starts_again(course, change):
    w = course
    services.material_update(actor=w.tutor, material=w.copy[w.text.pk], **change)
    approve(w, w.draft)
    assert done_titles(w.student, w.draft) == {"Үлестірме", "Сілтеме"}
    assert done_titles(w.second, w.draft) == set()


def test_nothing_carries_before_the_approval_and_a_return_carries_nothing(course):
    w = course
    assert done_titles(w.student, w.draft) == set()
    services.eumk_version_submit(actor=w.tutor, version=w.draft)
    services.eumk_version_return(actor=w.methodologist, version=w.draft, comment="Толықтыр")
    assert done_titles(w.student, w.draft) == set()


def test_carrying_costs_a_fixed_number_of_queries(course, django_assert_max_num_queries):
    w = course
    for _i in range(20):
        MaterialCompletion.objects.create(
            material=w.text, student=StudentProfileFactory(group=w.group).user
        )
    with django_assert_max_num_queries(3):
        copied = progress.carry_completions(w.draft)
    assert copied == 22 + 2  # the text: 22 students; the file and the link: 1 each
    # running it again copies no duplicate
    progress.carry_completions(w.draft)
    assert MaterialCompletion.objects.filter(material__topic__version=w.draft).count() == 24
