import pytest

from qashyq.core.errors import PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry
from qashyq.courses import selectors, services
from qashyq.courses.models import Component, EumkVersion, Material, Topic
from qashyq.courses.tests.factories import fill_complete


def reload(version):
    return EumkVersion.objects.get(pk=version.pk)


# --- completeness --------------------------------------------------------------------------------


def test_empty_version_misses_every_mandatory_component_and_the_plan(world):
    missing = selectors.missing_components(selectors.version_with_contents(world.version.pk))
    kinds = [m.kind for m in missing]
    assert set(kinds) == {
        "syllabus",
        "theory",
        "video_lectures",
        "seminars",
        "sro",
        "srop",
        "control",
        "consultations",
    }
    assert kinds.count("syllabus") == 2  # the text and the calendar-thematic plan


def test_control_materials_need_grading_criteria(world):
    fill_complete(world.version)
    Component.objects.filter(version=world.version, kind="control").update(grading_criteria="")
    missing = selectors.missing_components(selectors.version_with_contents(world.version.pk))
    assert [m.kind for m in missing] == ["control"]


def test_optional_components_are_not_required(world):
    fill_complete(world.version)
    assert selectors.missing_components(selectors.version_with_contents(world.version.pk)) == []


def test_submit_of_incomplete_version_lists_what_is_missing_and_changes_nothing(world, english):
    services.component_save(actor=world.tutor, version=world.version, kind="theory", body="x")
    with pytest.raises(ValidationFailed) as exc:
        services.eumk_version_submit(actor=world.tutor, version=world.version)
    assert "Video lectures: missing" in str(exc.value.message)
    assert "Theoretical material" not in str(exc.value.message)
    assert reload(world.version).status == "draft"
    assert not AuditLogEntry.objects.filter(action="eumk.submit").exists()


# --- the workflow --------------------------------------------------------------------------------


def test_submit_return_fix_approve(world):
    fill_complete(world.version)
    services.eumk_version_submit(actor=world.tutor, version=world.version)
    assert reload(world.version).status == "submitted"
    # submitted versions are locked for editing
    with pytest.raises(ValidationFailed):
        services.topic_add(actor=world.tutor, version=world.version, week=1, title="x")

    services.eumk_version_return(
        actor=world.methodologist, version=world.version, comment="Add captions"
    )
    v = reload(world.version)
    assert (v.status, v.review_comment, v.reviewed_by) == (
        "returned",
        "Add captions",
        world.methodologist,
    )
    entry = AuditLogEntry.objects.get(action="eumk.return")
    assert entry.reason == "Add captions"
    assert entry.old_value["status"] == "submitted" and entry.new_value["status"] == "returned"

    services.topic_add(actor=world.tutor, version=world.version, week=1, title="Кіріспе")
    assert reload(world.version).status == "draft"  # back to draft editing
    services.eumk_version_submit(actor=world.tutor, version=world.version)
    services.eumk_version_approve(actor=world.head, version=world.version)
    assert reload(world.version).status == "approved"
    assert selectors.latest_approved_version(world.discipline.pk).pk == world.version.pk
    assert list(
        AuditLogEntry.objects.filter(object_id=str(world.version.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["eumk.submit", "eumk.return", "eumk.submit", "eumk.approve"]


def test_return_needs_a_comment(world):
    fill_complete(world.version)
    services.eumk_version_submit(actor=world.tutor, version=world.version)
    with pytest.raises(ValidationFailed):
        services.eumk_version_return(actor=world.methodologist, version=world.version, comment=" ")
    assert reload(world.version).status == "submitted"


def test_only_submitted_versions_are_reviewed(world):
    fill_complete(world.version)
    with pytest.raises(ValidationFailed):
        services.eumk_version_approve(actor=world.methodologist, version=world.version)
    assert reload(world.version).status == "draft"


def test_stale_object_cannot_approve_twice(world):
    fill_complete(world.version)
    services.eumk_version_submit(actor=world.tutor, version=world.version)
    stale = reload(world.version)
    services.eumk_version_return(actor=world.head, version=world.version, comment="no")
    with pytest.raises(ValidationFailed):
        services.eumk_version_approve(actor=world.methodologist, version=stale)
    assert reload(world.version).status == "returned"


# --- versioning ----------------------------------------------------------------------------------


def test_editing_an_approved_eumk_makes_a_copy_and_students_keep_the_approved_one(world):
    fill_complete(world.version)
    topic = services.topic_add(actor=world.tutor, version=world.version, week=2, title="Т2")
    services.material_add(
        actor=world.tutor, topic=topic, kind="link", title="L", url="https://e.kz"
    )
    services.eumk_version_submit(actor=world.tutor, version=world.version)
    services.eumk_version_approve(actor=world.methodologist, version=world.version)

    draft = services.eumk_draft_open(actor=world.tutor, eumk=world.eumk)
    assert (draft.number, draft.status) == (2, "draft")
    assert services.eumk_draft_open(actor=world.tutor, eumk=world.eumk).pk == draft.pk
    copy = selectors.version_with_contents(draft.pk)
    assert selectors.missing_components(copy) == []
    assert [t.title for t in copy.topics.all()] == ["Т2"]
    assert [m.url for m in copy.topics.all()[0].materials.all()] == ["https://e.kz"]

    services.topic_delete(actor=world.tutor, topic=copy.topics.all()[0])
    # the approved version is untouched and still the one students see
    approved = selectors.latest_approved_version(world.discipline.pk)
    assert approved.pk == world.version.pk
    assert [t.title for t in approved.topics.all()] == ["Т2"]

    services.eumk_version_submit(actor=world.tutor, version=draft)
    services.eumk_version_approve(actor=world.methodologist, version=draft)
    approved = selectors.latest_approved_version(world.discipline.pk)
    assert approved.pk == draft.pk and list(approved.topics.all()) == []


def test_eumk_start_creates_one_eumk_with_a_first_draft(world):
    from qashyq.academics.tests.factories import CourseOfferingFactory

    offering = CourseOfferingFactory(tutors=[world.tutor])
    eumk = services.eumk_start(actor=world.tutor, discipline=offering.discipline)
    assert services.eumk_start(actor=world.tutor, discipline=offering.discipline).pk == eumk.pk
    assert list(eumk.versions.values_list("number", "status")) == [(1, "draft")]
    with pytest.raises(PermissionDenied):
        services.eumk_start(actor=world.student, discipline=offering.discipline)


# --- materials -----------------------------------------------------------------------------------


def test_material_kinds_need_their_content(world):
    topic = services.topic_add(actor=world.tutor, version=world.version, week=1, title="T")
    for kind, kwargs in [
        ("text", {}),
        ("link", {}),
        ("embed", {}),
        ("file", {}),
        ("video", {}),
        ("nonsense", {"body": "x"}),
        ("text", {"body": "x", "title": " "}),
    ]:
        with pytest.raises(ValidationFailed):
            services.material_add(
                actor=world.tutor, topic=topic, kind=kind, **{"title": "M", **kwargs}
            )
    assert not Material.objects.exists()


def test_file_size_and_type_are_checked(world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .factories import VTT, mp4_bytes

    settings.QASHYQ_EUMK_MAX_UPLOAD_BYTES = 4000
    topic = services.topic_add(actor=world.tutor, version=world.version, week=1, title="T")
    with pytest.raises(ValidationFailed):
        services.material_add(
            actor=world.tutor,
            topic=topic,
            kind="file",
            title="big",
            file=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n" + b"x" * 4000),
        )
    with pytest.raises(ValidationFailed):
        services.material_add(
            actor=world.tutor,
            topic=topic,
            kind="file",
            title="exe",
            file=SimpleUploadedFile("a.exe", b"x"),
        )
    with pytest.raises(ValidationFailed):
        services.material_add(
            actor=world.tutor,
            topic=topic,
            kind="video",
            title="v",
            url="https://v.kz",
            captions=SimpleUploadedFile("a.srt", b"x"),
        )
    m = services.material_add(
        actor=world.tutor,
        topic=topic,
        kind="video",
        title="v",
        file=SimpleUploadedFile("a.mp4", mp4_bytes()),
        captions=SimpleUploadedFile("a.vtt", VTT),
    )
    assert m.file.name.endswith(".mp4") and m.captions.name.endswith(".vtt")
    assert Material.objects.count() == 1


# --- the permission matrix -----------------------------------------------------------------------

EDIT = ["tutor", "methodologist", "head", "site_methodologist"]
NO_EDIT = ["student", "outsider_student", "other_tutor", "other_methodologist", "admin"]
REVIEW = ["methodologist", "head", "site_methodologist"]
NO_REVIEW = ["tutor", "student", "other_tutor", "other_methodologist", "admin"]


@pytest.mark.parametrize("who", EDIT + NO_EDIT)
def test_matrix_edit(world, who):
    actor = getattr(world, who)
    if who in EDIT:
        services.topic_add(actor=actor, version=world.version, week=1, title="T")
        assert Topic.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.topic_add(actor=actor, version=world.version, week=1, title="T")
        with pytest.raises(PermissionDenied):
            services.component_save(actor=actor, version=world.version, kind="theory", body="x")
        fill_complete(world.version)
        with pytest.raises(PermissionDenied):
            services.eumk_version_submit(actor=actor, version=world.version)
        with pytest.raises(PermissionDenied):
            services.eumk_draft_open(actor=actor, eumk=world.eumk)
        assert not Topic.objects.exists()
        assert reload(world.version).status == "draft"
        assert EumkVersion.objects.count() == 1


@pytest.mark.parametrize("who", REVIEW + NO_REVIEW)
@pytest.mark.parametrize("action", ["approve", "return"])
def test_matrix_review(world, who, action):
    actor = getattr(world, who)
    fill_complete(world.version)
    services.eumk_version_submit(actor=world.tutor, version=world.version)
    call = getattr(services, f"eumk_version_{action}")
    if who in REVIEW:
        call(actor=actor, version=world.version, comment="c")
        assert reload(world.version).status == ("approved" if action == "approve" else "returned")
        assert AuditLogEntry.objects.filter(action=f"eumk.{action}", actor=actor).exists()
    else:
        with pytest.raises(PermissionDenied):
            call(actor=actor, version=world.version, comment="c")
        v = reload(world.version)
        assert (v.status, v.reviewed_by, v.review_comment) == ("submitted", None, "")
        assert not AuditLogEntry.objects.filter(action=f"eumk.{action}").exists()


def test_review_queue_is_scoped(world):
    fill_complete(world.version)
    services.eumk_version_submit(actor=world.tutor, version=world.version)
    assert selectors.review_queue(world.methodologist) == [world.version]
    assert selectors.review_queue(world.site_methodologist) == [world.version]
    assert selectors.review_queue(world.other_methodologist) == []
    assert selectors.review_queue(world.tutor) == []
