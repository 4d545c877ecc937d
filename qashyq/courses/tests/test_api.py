"""The courses API: who sees which course, materials as students see them (never unreleased),
the EUMK state for editors and reviewers, pagination, query counts and the OpenAPI document."""

import datetime

import pytest
from django.utils import timezone

from qashyq.academics.tests.factories import CourseOfferingFactory, DisciplineFactory
from qashyq.accounts import services as account_services
from qashyq.courses.models import EumkVersion, Material, Topic
from qashyq.courses.tests.factories import EumkFactory, fill_complete

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _headers(user) -> dict:
    if user is None:
        return {}
    _token, key = account_services.api_token_create(actor=user, owner=user)
    return {"Authorization": f"Bearer {key}"}


def get(client, user, path, **kwargs):
    return client.get(API + path, headers=_headers(user), **kwargs)


@pytest.fixture
def course(world):
    """The world's draft v1 approved (80 % online), a v2 draft in the works, and one topic with
    a released, an unreleased and a file material."""
    version = fill_complete(world.version)
    version.status = "approved"
    version.reviewed_at = timezone.now()
    version.save()
    topic = Topic.objects.create(version=version, week=2, title="Арал теңізі")
    today = timezone.localdate()
    world.released = Material.objects.create(
        topic=topic, kind="text", title="Ашық дәріс", body="**Мәтін**", position=1
    )
    world.unreleased = Material.objects.create(
        topic=topic,
        kind="text",
        title="Жабық дәріс",
        body="құпия",
        position=2,
        release_on=today + datetime.timedelta(days=5),
    )
    world.with_file = Material.objects.create(
        topic=topic, kind="file", title="Кітап", file="eumk/materials/2026/book.pdf", position=3
    )
    world.draft = EumkVersion.objects.create(eumk=world.eumk, number=2, author=world.tutor)
    return world


def user_of(world, caller):
    return {
        "anonymous": None,
        "student": world.student,
        "other_student": world.outsider_student,
        "tutor": world.tutor,
        "other_tutor": world.other_tutor,
        "methodologist": world.methodologist,
        "other_methodologist": world.other_methodologist,
        "admin": world.admin,
    }[caller]


# --- /courses -----------------------------------------------------------------------------------

DETAIL_STATUS = {
    "anonymous": 401,
    "student": 200,
    "other_student": 403,
    "tutor": 200,
    "other_tutor": 403,
    "methodologist": 200,
    "other_methodologist": 403,
    "admin": 200,
}


@pytest.mark.parametrize("caller", DETAIL_STATUS)
def test_course_detail_matrix(client, course, caller):
    response = get(client, user_of(course, caller), f"/courses/{course.offering.pk}")
    assert response.status_code == DETAIL_STATUS[caller]
    body = response.json()
    if response.status_code == 200:
        assert body["id"] == course.offering.pk
        assert body["discipline"]["code"] == course.discipline.code
        assert body["approved_version_id"] == course.version.pk  # not the v2 draft
        assert body["online_share"] == 0.8
        assert body["classification"] == "distance"
        assert [t["id"] for t in body["tutors"]] == [course.tutor.pk]
    else:
        assert (
            body["code"]
            == {401: "not_authenticated", 403: "permission_denied"}[response.status_code]
        )


@pytest.mark.parametrize(
    ("caller", "sees_course", "sees_other"),
    [
        ("student", True, False),
        ("other_student", False, True),
        ("tutor", True, False),
        ("methodologist", True, False),
        ("admin", True, True),
    ],
)
def test_course_list_matrix(client, course, caller, sees_course, sees_other):
    response = get(client, user_of(course, caller), "/courses")
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["items"]}
    assert (course.offering.pk in ids) is sees_course
    assert (course.other_offering.pk in ids) is sees_other


def test_course_list_needs_authentication(client, course):
    response = get(client, None, "/courses")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_course_without_an_approved_version_has_no_share(client, course):
    body = get(client, course.admin, f"/courses/{course.other_offering.pk}").json()
    assert body["approved_version_id"] is None
    assert body["online_share"] is None
    assert body["classification"] is None


def test_missing_course_is_a_404(client, course):
    response = get(client, course.student, "/courses/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- /courses/{id}/materials ------------------------------------------------------------------


@pytest.mark.parametrize("caller", DETAIL_STATUS)
def test_materials_matrix(client, course, caller):
    response = get(client, user_of(course, caller), f"/courses/{course.offering.pk}/materials")
    assert response.status_code == DETAIL_STATUS[caller]


def _titles(body) -> list[str]:
    return [m["title"] for w in body["weeks"] for t in w["topics"] for m in t["materials"]]


def test_students_never_get_unreleased_materials(client, course):
    body = get(client, course.student, f"/courses/{course.offering.pk}/materials").json()
    assert body["version_id"] == course.version.pk
    assert body["shows_unreleased"] is False
    assert _titles(body) == ["Ашық дәріс", "Кітап"]
    assert "құпия" not in str(body)
    assert body["weeks"][0]["week"] == 2
    assert body["weeks"][0]["topics"][0]["title"] == "Арал теңізі"
    text = body["weeks"][0]["topics"][0]["materials"][0]
    assert text["body_html"] == "<p><strong>Мәтін</strong></p>\n"
    assert {c["kind"] for c in body["components"]} >= {"syllabus", "control"}
    assert len(body["plan"]) == 2


def test_tutors_and_staff_see_unreleased_materials(client, course):
    for user in (course.tutor, course.methodologist):
        body = get(client, user, f"/courses/{course.offering.pk}/materials").json()
        assert body["shows_unreleased"] is True
        assert "Жабық дәріс" in _titles(body)


def test_material_file_urls_point_at_the_course_file_view(client, course):
    body = get(client, course.student, f"/courses/{course.offering.pk}/materials").json()
    materials = body["weeks"][0]["topics"][0]["materials"]
    by_title = {m["title"]: m for m in materials}
    assert by_title["Кітап"]["file_url"] == (
        f"/courses/{course.offering.pk}/materials/{course.with_file.pk}/file/"
    )
    assert by_title["Ашық дәріс"]["file_url"] is None


def test_materials_without_an_approved_version_are_empty(client, course):
    body = get(client, course.admin, f"/courses/{course.other_offering.pk}/materials").json()
    assert body["version_id"] is None
    assert body["weeks"] == [] and body["components"] == []


def test_the_draft_is_never_shown_as_the_materials(client, course):
    Topic.objects.create(version=course.draft, week=1, title="Жоба тақырып")
    body = get(client, course.student, f"/courses/{course.offering.pk}/materials").json()
    assert "Жоба тақырып" not in str(body)


# --- /eumk/{id} ---------------------------------------------------------------------------------

EUMK_STATUS = {
    "anonymous": 401,
    "student": 403,
    "other_student": 403,
    "tutor": 200,
    "other_tutor": 403,
    "methodologist": 200,
    "other_methodologist": 403,
    "admin": 403,
}


@pytest.mark.parametrize("caller", EUMK_STATUS)
def test_eumk_matrix(client, course, caller):
    response = get(client, user_of(course, caller), f"/eumk/{course.eumk.pk}")
    assert response.status_code == EUMK_STATUS[caller]


def test_eumk_shows_the_working_version_and_what_is_missing(client, course):
    body = get(client, course.tutor, f"/eumk/{course.eumk.pk}").json()
    assert body["version_id"] == course.draft.pk
    assert body["status"] == "draft"
    assert body["approved_version_id"] == course.version.pk
    assert body["complete"] is False
    missing = {m["kind"] for m in body["missing"]}
    assert {"theory", "control", "syllabus"} <= missing
    assert body["can_edit"] is True and body["can_review"] is False
    reviewer = get(client, course.methodologist, f"/eumk/{course.eumk.pk}").json()
    assert reviewer["can_review"] is True


def test_a_complete_eumk_has_nothing_missing(client, course):
    fill_complete(course.draft)
    body = get(client, course.tutor, f"/eumk/{course.eumk.pk}").json()
    assert body["complete"] is True
    assert body["missing"] == []


def test_missing_eumk_is_a_404(client, course):
    assert get(client, course.tutor, "/eumk/999999").status_code == 404


# --- pagination and query counts ----------------------------------------------------------------


@pytest.fixture
def crowd(course):
    """22 more courses taught by the world's tutor, each with an approved EUMK and a plan."""
    for _n in range(22):
        discipline = DisciplineFactory()
        offering = CourseOfferingFactory(
            discipline=discipline, groups=[course.group], tutors=[course.tutor]
        )
        version = EumkVersion.objects.create(
            eumk=EumkFactory(discipline=discipline), number=1, status="approved"
        )
        fill_complete(version, hours=(("online_sync", "1"), ("in_person", "1")))
        assert offering.pk
    return course


def test_course_list_pagination(client, crowd):
    first = get(client, crowd.tutor, "/courses?limit=10").json()
    assert first["total"] == 23 and first["limit"] == 10 and len(first["items"]) == 10
    last = get(client, crowd.tutor, "/courses?limit=10&offset=20").json()
    assert len(last["items"]) == 3
    ids = {i["id"] for i in first["items"]} | {i["id"] for i in last["items"]}
    assert len(ids) == 13
    assert get(client, crowd.tutor, "/courses?limit=0").status_code == 422


# token lookup, token touch, roles, visibility facts, count, page, groups, tutors
LIST_BUDGET = 12


@pytest.mark.parametrize("caller", ["tutor", "student", "admin"])
def test_course_list_query_count_does_not_grow_with_rows(
    client, crowd, caller, django_assert_max_num_queries
):
    headers = _headers(user_of(crowd, caller))
    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(API + "/courses?limit=100", headers=headers)
    items = response.json()["items"]
    assert len(items) >= 23
    assert {i["online_share"] for i in items} >= {0.5, 0.8}


def test_materials_query_count_does_not_grow_with_materials(
    client, course, django_assert_max_num_queries
):
    topic = Topic.objects.filter(version=course.version).first()
    for n in range(25):
        Material.objects.create(topic=topic, kind="text", title=f"Қосымша {n}", position=10 + n)
    for week in range(3, 8):
        Topic.objects.create(version=course.version, week=week, title=f"Апта {week}")
    headers = _headers(course.student)
    # token lookup and touch, the course with its groups and programs, roles, visibility facts
    # (3), the approved version, its components, plan, topics and materials: 14, whatever the size
    with django_assert_max_num_queries(14):
        response = client.get(API + f"/courses/{course.offering.pk}/materials", headers=headers)
    assert len(_titles(response.json())) == 27


def test_openapi_lists_the_course_paths(client):
    paths = set(client.get(API + "/openapi.json").json()["paths"])
    assert {
        "/api/v1/courses",
        "/api/v1/courses/{course_id}",
        "/api/v1/courses/{course_id}/materials",
        "/api/v1/eumk/{eumk_id}",
    } <= paths


# --- EUMK actions: submit, approve, return, add a topic, add a material -------------------------


def post(client, user, path, payload=None, **kwargs):
    if payload is not None:
        kwargs.update(data=payload, content_type="application/json")
    return client.post(API + path, headers=_headers(user), **kwargs)


def _stored_files() -> list[str]:
    import os

    from django.core.files.storage import default_storage

    found = []
    for folder, _dirs, names in os.walk(default_storage.location):
        found += [os.path.join(folder, n) for n in names]
    return sorted(found)


def _state(world) -> dict:
    """What a refused action must leave as it was."""
    from qashyq.core.models import AuditLogEntry

    version = EumkVersion.objects.get(pk=world.version.pk)
    return {
        "version": (version.status, version.review_comment, version.reviewed_by_id),
        "topics": sorted(Topic.objects.values_list("pk", "title")),
        "materials": sorted(Material.objects.values_list("pk", "title")),
        "audit": AuditLogEntry.objects.filter(action__startswith="eumk").count(),
        "files": _stored_files(),
    }


@pytest.fixture
def submitted(world):
    fill_complete(world.version)
    world.version.status = "submitted"
    world.version.submitted_at = timezone.now()
    world.version.save()
    return world


SUBMIT_STATUS = {
    "tutor": 200,
    "methodologist": 200,
    "student": 403,
    "other_student": 403,
    "other_tutor": 403,
    "other_methodologist": 403,
    "admin": 403,
    "anonymous": 401,
}


@pytest.mark.parametrize("caller", SUBMIT_STATUS)
def test_submit_matrix(client, world, caller):
    fill_complete(world.version)
    before = _state(world)
    response = post(client, user_of(world, caller), f"/eumk/versions/{world.version.pk}/submit")
    assert response.status_code == SUBMIT_STATUS[caller]
    if response.status_code == 200:
        body = response.json()
        assert body["status"] == "submitted" and body["submitted_at"]
        assert EumkVersion.objects.get(pk=world.version.pk).status == "submitted"
    else:
        assert response.json()["code"] in {"permission_denied", "not_authenticated"}
        assert _state(world) == before


def test_an_incomplete_version_is_not_submitted(client, world):
    before = _state(world)
    response = post(client, world.tutor, f"/eumk/versions/{world.version.pk}/submit")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "eumk_incomplete" and body["details"]
    assert _state(world) == before


REVIEW_STATUS = {
    "methodologist": 200,
    "head": 200,
    "site_methodologist": 200,
    "tutor": 403,
    "student": 403,
    "other_methodologist": 403,
    "other_tutor": 403,
    "admin": 403,
}


def _reviewer(world, caller):
    return {"head": world.head, "site_methodologist": world.site_methodologist}.get(caller) or (
        user_of(world, caller)
    )


@pytest.mark.parametrize("action", ["approve", "return"])
@pytest.mark.parametrize("caller", REVIEW_STATUS)
def test_review_matrix(client, submitted, caller, action):
    world = submitted
    before = _state(world)
    response = post(
        client,
        _reviewer(world, caller),
        f"/eumk/versions/{world.version.pk}/{action}",
        {"comment": "Бақылау материалдарын толықтырыңыз."},
    )
    assert response.status_code == REVIEW_STATUS[caller]
    version = EumkVersion.objects.get(pk=world.version.pk)
    if response.status_code == 200:
        expected = "approved" if action == "approve" else "returned"
        assert response.json()["status"] == expected == version.status
        assert response.json()["review_comment"] == "Бақылау материалдарын толықтырыңыз."
    else:
        assert response.json()["code"] == "permission_denied"
        assert _state(world) == before


def test_returning_needs_a_comment(client, submitted):
    before = _state(submitted)
    response = post(
        client, submitted.methodologist, f"/eumk/versions/{submitted.version.pk}/return", {}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"
    assert _state(submitted) == before


def test_a_draft_cannot_be_approved(client, world):
    response = post(
        client, world.methodologist, f"/eumk/versions/{world.version.pk}/approve", {"comment": ""}
    )
    assert response.status_code == 400
    assert EumkVersion.objects.get(pk=world.version.pk).status == "draft"


def test_the_workflow_through_the_api(client, world):
    """Tutor submits, methodologist returns with a comment, tutor fixes and resubmits, approved:
    the students then see it."""
    fill_complete(world.version)
    path = f"/eumk/versions/{world.version.pk}"
    assert post(client, world.tutor, path + "/submit").json()["status"] == "submitted"
    returned = post(client, world.methodologist, path + "/return", {"comment": "Апта 2 жоқ"})
    assert returned.json()["status"] == "returned"
    assert returned.json()["review_comment"] == "Апта 2 жоқ"
    topic = post(client, world.tutor, path + "/topics", {"week": 2, "title": "Апта 2"})
    assert topic.status_code == 201
    assert EumkVersion.objects.get(pk=world.version.pk).status == "draft"
    assert post(client, world.tutor, path + "/submit").json()["status"] == "submitted"
    assert post(client, world.methodologist, path + "/approve", {}).json()["status"] == "approved"
    materials = get(client, world.student, f"/courses/{world.offering.pk}/materials").json()
    assert materials["version_id"] == world.version.pk


def test_review_needs_no_body_for_approval_but_a_valid_one(client, submitted):
    response = client.post(
        API + f"/eumk/versions/{submitted.version.pk}/approve",
        data="not json",
        content_type="application/json",
        headers=_headers(submitted.methodologist),
    )
    assert response.status_code in {400, 422}
    assert EumkVersion.objects.get(pk=submitted.version.pk).status == "submitted"


def test_missing_version_and_topic_are_404(client, world):
    assert post(client, world.tutor, "/eumk/versions/999999/submit").status_code == 404
    response = post(client, world.tutor, "/topics/999999/materials", {"kind": "text", "title": "x"})
    assert response.status_code == 404


TOPIC_STATUS = {
    "tutor": 201,
    "methodologist": 201,
    "student": 403,
    "other_tutor": 403,
    "other_methodologist": 403,
    "admin": 403,
}


@pytest.mark.parametrize("caller", TOPIC_STATUS)
def test_add_topic_matrix(client, world, caller):
    before = _state(world)
    response = post(
        client,
        user_of(world, caller),
        f"/eumk/versions/{world.version.pk}/topics",
        {"week": 3, "title": "  Су ресурстары  "},
    )
    assert response.status_code == TOPIC_STATUS[caller]
    if response.status_code == 201:
        body = response.json()
        assert body["title"] == "Су ресурстары" and body["week"] == 3
        assert Topic.objects.get(pk=body["id"]).version == world.version
    else:
        assert _state(world) == before


@pytest.mark.parametrize(
    ("payload", "status"),
    [({"week": 31, "title": "x"}, 422), ({"week": 2, "title": "  "}, 400), ({"week": 2}, 422)],
)
def test_bad_topics_are_refused(client, world, payload, status):
    response = post(client, world.tutor, f"/eumk/versions/{world.version.pk}/topics", payload)
    assert response.status_code == status
    assert not Topic.objects.exists()


def test_an_approved_version_takes_no_new_topic(client, submitted):
    submitted.version.status = "approved"
    submitted.version.save()
    response = post(
        client,
        submitted.tutor,
        f"/eumk/versions/{submitted.version.pk}/topics",
        {"week": 1, "title": "Кеш"},
    )
    assert response.status_code == 400
    assert not Topic.objects.exists()


@pytest.fixture
def topic(world):
    return Topic.objects.create(version=world.version, week=1, title="Кіріспе")


def test_add_text_and_link_materials(client, world, topic):
    text = post(
        client,
        world.tutor,
        f"/topics/{topic.pk}/materials",
        {"kind": "text", "title": "Дәріс", "body": "**Арал** <script>x</script>"},
    )
    assert text.status_code == 201
    body = text.json()
    assert body["kind"] == "text" and "<strong>Арал</strong>" in body["body_html"]
    assert "<script>" not in body["body_html"]
    link = post(
        client,
        world.methodologist,
        f"/topics/{topic.pk}/materials",
        {"kind": "link", "title": "Сайт", "url": "https://example.kz/aral", "printable": True},
    )
    assert link.status_code == 201
    assert link.json()["url"] == "https://example.kz/aral" and link.json()["printable"] is True
    assert [m.title for m in topic.materials.order_by("position")] == ["Дәріс", "Сайт"]


@pytest.mark.parametrize(
    "payload",
    [
        {"kind": "text", "title": "Бос"},
        {"kind": "link", "title": "Сілтемесіз"},
        {"kind": "file", "title": "Файлсыз"},
        {"kind": "nonsense", "title": "x"},
    ],
)
def test_bad_materials_are_refused(client, world, topic, payload):
    response = post(client, world.tutor, f"/topics/{topic.pk}/materials", payload)
    assert response.status_code == 400
    assert not Material.objects.exists()


def _upload(client, user, topic, data):
    return client.post(
        API + f"/topics/{topic.pk}/materials/upload", data=data, headers=_headers(user)
    )


def test_upload_a_file_material(client, world, topic):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qashyq.courses.tests.factories import PDF

    response = _upload(
        client,
        world.tutor,
        topic,
        {"kind": "file", "title": "Оқулық", "file": SimpleUploadedFile("book.pdf", PDF)},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["file_name"] == "book.pdf" and body["file_type"] == "application/pdf"
    assert body["file_size"] == len(PDF)
    assert len(_stored_files()) == 1


def test_upload_a_video_with_captions(client, world, topic):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qashyq.courses.tests.factories import VTT, mp4_bytes

    response = _upload(
        client,
        world.tutor,
        topic,
        {
            "kind": "video",
            "title": "Бейнедәріс",
            "file": SimpleUploadedFile("lecture.mp4", mp4_bytes()),
            "captions": SimpleUploadedFile("lecture.vtt", VTT),
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["has_captions"] is True
    assert len(_stored_files()) == 2


@pytest.mark.parametrize(
    ("kind", "name", "content"),
    [
        ("file", "tool.exe", b"MZ\x90\x00" + b"\x00" * 100),
        ("video", "fake.mp4", b"%PDF-1.4\n%%EOF\n"),
        ("image", "photo.png", b"just text, not an image"),
    ],
)
def test_a_refused_upload_stores_nothing(client, world, topic, kind, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = _state(world)
    response = _upload(
        client,
        world.tutor,
        topic,
        {"kind": kind, "title": "Жаман", "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 400
    assert response.json()["message"]
    assert _state(world) == before


def test_an_oversized_upload_stores_nothing(client, world, topic, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qashyq.courses.tests.factories import PDF

    settings.QASHYQ_EUMK_MAX_UPLOAD_BYTES = 20
    before = _state(world)
    response = _upload(
        client,
        world.tutor,
        topic,
        {"kind": "file", "title": "Үлкен", "file": SimpleUploadedFile("big.pdf", PDF)},
    )
    assert response.status_code == 400
    assert _state(world) == before


@pytest.mark.parametrize("caller", ["student", "other_tutor", "other_methodologist", "admin"])
def test_only_editors_add_materials(client, world, topic, caller):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qashyq.courses.tests.factories import PDF

    before = _state(world)
    user = user_of(world, caller)
    text = post(
        client, user, f"/topics/{topic.pk}/materials", {"kind": "text", "title": "x", "body": "y"}
    )
    assert text.status_code == 403 and text.json()["code"] == "permission_denied"
    upload = _upload(
        client,
        user,
        topic,
        {"kind": "file", "title": "x", "file": SimpleUploadedFile("book.pdf", PDF)},
    )
    assert upload.status_code == 403
    assert _state(world) == before


def test_openapi_lists_the_eumk_actions(client):
    paths = client.get(API + "/openapi.json").json()["paths"]
    for action in ("submit", "approve", "return", "topics"):
        assert "post" in paths[f"/api/v1/eumk/versions/{{version_id}}/{action}"]
    upload = paths["/api/v1/topics/{topic_id}/materials/upload"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
