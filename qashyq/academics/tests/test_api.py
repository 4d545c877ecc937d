"""The academic API: who sees what (a role matrix per endpoint), IIN hiding, filters,
pagination, error shapes, the OpenAPI document and query counts on long lists."""

import datetime
import itertools

import pytest
from django.contrib.staticfiles import finders
from django.utils import translation

from qashyq.academics.models import StudentProfile
from qashyq.academics.tests.factories import (
    CourseOfferingFactory,
    DisciplineFactory,
    ProgramFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts import services
from qashyq.accounts.iin import make_iin
from qashyq.accounts.models import ParentLink
from qashyq.accounts.tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

API = "/api/v1"
CALLERS = [
    "anonymous",
    "student",
    "other_student",
    "parent",
    "group_tutor",
    "other_tutor",
    "registrar",
    "admin",
]


_serials = itertools.count()


def _iin() -> str:
    """A unique valid IIN: one birth date per person (the factory's sequence can repeat one)."""
    birth = datetime.date(2001, 1, 1) + datetime.timedelta(days=next(_serials))
    return make_iin(birth, female=False, serial=1)


def person(**kwargs):
    return UserFactory(iin=_iin(), **kwargs)


def staff(role: str, **kwargs):
    return user_with_role(role, iin=_iin(), **kwargs)


def student(**kwargs):
    kwargs.setdefault("user", person())
    return StudentProfileFactory(**kwargs)


def _headers(user) -> dict:
    if user is None:
        return {}
    _token, key = services.api_token_create(actor=user, owner=user)
    return {"Authorization": f"Bearer {key}"}


class World:
    """Two groups of one academy: a student with a parent in group A, another student in B,
    a tutor teaching A, a tutor teaching B, a registrar and an administrator."""

    def __init__(self):
        self.program = ProgramFactory(
            code="6B04101",
            name_kk="Өнертану",
            name_ru="Искусствоведение",
            name_en="Art history",
            delivery_format="distance",
        )
        self.other_program = ProgramFactory(code="6B04102", delivery_format="blended")
        self.group = StudyGroupFactory(code="ӨТ-24-1", program=self.program)
        self.other_group = StudyGroupFactory(code="ӨТ-24-2", program=self.other_program)
        self.student_iin = make_iin(datetime.date(1999, 3, 1), female=False, serial=7001)
        self.profile = StudentProfileFactory(
            group=self.group, user=UserFactory(username="erlan", iin=self.student_iin)
        )
        self.other_profile = StudentProfileFactory(
            group=self.other_group, user=person(username="dana")
        )
        self.parent = staff("parent", username="mother")
        ParentLink.objects.create(parent=self.parent, student=self.profile.user)
        self.group_tutor = person(username="tutor_a")
        self.other_tutor = person(username="tutor_b")
        CourseOfferingFactory(groups=[self.group], tutors=[self.group_tutor])
        CourseOfferingFactory(groups=[self.other_group], tutors=[self.other_tutor])
        self.registrar = staff("registrar", username="registrar")
        self.admin = staff("admin", username="admin")

    def user(self, caller: str):
        return {
            "anonymous": None,
            "student": self.profile.user,
            "other_student": self.other_profile.user,
            "parent": self.parent,
            "group_tutor": self.group_tutor,
            "other_tutor": self.other_tutor,
            "registrar": self.registrar,
            "admin": self.admin,
        }[caller]


@pytest.fixture
def world():
    return World()


def get(client, world, caller, path, **kwargs):
    return client.get(API + path, headers=_headers(world.user(caller)), **kwargs)


# --- /me ----------------------------------------------------------------------------------------


def test_me_for_a_student_shows_roles_and_the_student_record(client, world):
    body = get(client, world, "student", "/me").json()
    assert body["username"] == "erlan"
    assert body["iin"] == world.student_iin
    assert body["primary_role"] == "student"
    assert {"role": "student", "scope_type": "site", "scope_id": None}.items() <= body["roles"][
        0
    ].items()
    assert body["student"]["student_number"] == world.profile.student_number
    assert body["student"]["group"] == {"id": world.group.pk, "code": "ӨТ-24-1"}
    assert body["student"]["program"]["code"] == "6B04101"
    assert body["children"] == []


def test_me_for_a_parent_lists_the_children(client, world):
    body = get(client, world, "parent", "/me").json()
    assert body["student"] is None
    [child] = body["children"]
    assert child["username"] == "erlan"
    assert child["student"]["group"]["code"] == "ӨТ-24-1"


def test_me_for_a_tutor_shows_the_course_scope(client, world):
    body = get(client, world, "group_tutor", "/me").json()
    assert [(r["role"], r["scope_type"]) for r in body["roles"]] == [("tutor", "course")]
    assert body["roles"][0]["scope_id"] is not None
    assert body["student"] is None


def test_me_update_refuses_an_unknown_language_and_changes_nothing(client, world):
    user = world.profile.user
    response = client.patch(
        API + "/me",
        {"preferred_language": "de"},
        content_type="application/json",
        headers=_headers(user),
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["message"]
    user.refresh_from_db()
    assert user.preferred_language == "kk"


def test_me_update_with_a_malformed_body_is_a_422(client, world):
    response = client.patch(
        API + "/me",
        {"preferred_language": 5},
        content_type="application/json",
        headers=_headers(world.profile.user),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["details"]["errors"][0]["loc"][-1] == "preferred_language"


# --- programs and disciplines (public) ----------------------------------------------------------


@pytest.mark.parametrize("caller", CALLERS)
def test_everyone_reads_the_program_catalogue(client, world, caller):
    listing = get(client, world, caller, "/programs")
    assert listing.status_code == 200
    assert {p["code"] for p in listing.json()["items"]} == {"6B04101", "6B04102"}
    detail = get(client, world, caller, "/programs/6B04101")
    assert detail.status_code == 200
    assert detail.json()["name_kk"] == "Өнертану"


def test_unpublished_programs_are_not_in_the_public_catalogue(client, world):
    ProgramFactory(code="6B99999", is_published=False)
    codes = {p["code"] for p in client.get(API + "/programs").json()["items"]}
    assert "6B99999" not in codes
    response = client.get(API + "/programs/6B99999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_program_names_follow_the_request_language(client, world):
    for language, name in [("kk", "Өнертану"), ("ru", "Искусствоведение"), ("en", "Art history")]:
        body = client.get(API + "/programs/6B04101", headers={"Accept-Language": language}).json()
        assert body["name"] == name
        assert (body["name_kk"], body["name_ru"], body["name_en"]) == (
            "Өнертану",
            "Искусствоведение",
            "Art history",
        )
    with translation.override("en"):
        expected = "Distance (80% or more online)"
    body = client.get(API + "/programs/6B04101", headers={"Accept-Language": "en"}).json()
    assert body["delivery_format_display"] == expected


def test_program_filters(client, world):
    ProgramFactory(code="7M02101", level="master", delivery_format="distance")
    by_format = client.get(API + "/programs?delivery_format=blended").json()
    assert [p["code"] for p in by_format["items"]] == ["6B04102"]
    by_level = client.get(API + "/programs?level=master").json()
    assert [p["code"] for p in by_level["items"]] == ["7M02101"]
    both = client.get(API + "/programs?level=bachelor&delivery_format=distance").json()
    assert [p["code"] for p in both["items"]] == ["6B04101"]


def test_disciplines_list_filter_and_detail(client, world):
    history = DisciplineFactory(code="ART101", name_en="History of arts")
    history.programs.add(world.program)
    other = DisciplineFactory(code="ART202")
    other.programs.add(world.other_program)

    everything = client.get(API + "/disciplines").json()
    assert {"ART101", "ART202"} <= {d["code"] for d in everything["items"]}
    of_program = client.get(API + "/disciplines?program=6B04101").json()
    assert [d["code"] for d in of_program["items"]] == ["ART101"]
    assert of_program["total"] == 1
    detail = client.get(API + "/disciplines/ART101", headers={"Accept-Language": "en"}).json()
    assert detail["name"] == "History of arts"
    assert detail["programs"] == ["6B04101"]
    assert detail["credits"] == 5 and detail["ects"] == 5.0
    assert client.get(API + "/disciplines/NOPE").json()["code"] == "not_found"


# --- groups -------------------------------------------------------------------------------------

GROUP_DETAIL = {
    "anonymous": 401,
    "student": 200,
    "other_student": 403,
    "parent": 403,  # the group would list the classmates (see academics.policies)
    "group_tutor": 200,
    "other_tutor": 403,
    "registrar": 200,
    "admin": 200,
}
GROUPS_LISTED = {
    "student": {"ӨТ-24-1"},
    "other_student": {"ӨТ-24-2"},
    "parent": set(),
    "group_tutor": {"ӨТ-24-1"},
    "other_tutor": {"ӨТ-24-2"},
    "registrar": {"ӨТ-24-1", "ӨТ-24-2"},
    "admin": {"ӨТ-24-1", "ӨТ-24-2"},
}


@pytest.mark.parametrize("caller", CALLERS)
def test_group_detail_matrix(client, world, caller):
    response = get(client, world, caller, f"/groups/{world.group.pk}")
    assert response.status_code == GROUP_DETAIL[caller]
    body = response.json()
    if response.status_code == 200:
        assert body["code"] == "ӨТ-24-1"
        assert body["student_count"] == 1
        assert body["program"]["code"] == "6B04101"
    else:
        expected = {401: "not_authenticated", 403: "permission_denied"}[response.status_code]
        assert body["code"] == expected
        assert "ӨТ-24-1" not in response.content.decode()


@pytest.mark.parametrize("caller", CALLERS)
def test_group_list_matrix(client, world, caller):
    response = get(client, world, caller, "/groups")
    if caller == "anonymous":
        assert response.status_code == 401
        return
    body = response.json()
    assert {g["code"] for g in body["items"]} == GROUPS_LISTED[caller]
    assert body["total"] == len(GROUPS_LISTED[caller])


def test_missing_group_is_a_404_not_a_403(client, world):
    response = get(client, world, "other_student", "/groups/987654")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_group_filters(client, world):
    StudyGroupFactory(code="ӨТ-23-1", program=world.program, year_of_study=3)
    by_program = get(client, world, "admin", "/groups?program=6B04101").json()
    assert {g["code"] for g in by_program["items"]} == {"ӨТ-24-1", "ӨТ-23-1"}
    by_year = get(client, world, "admin", "/groups?program=6B04101&year_of_study=3").json()
    assert [g["code"] for g in by_year["items"]] == ["ӨТ-23-1"]


# --- students -----------------------------------------------------------------------------------

# (status, is the IIN shown) for the record of the student in group A.
STUDENT_DETAIL = {
    "anonymous": (401, False),
    "student": (200, True),
    "other_student": (403, False),
    "parent": (200, True),
    "group_tutor": (200, False),
    "other_tutor": (403, False),
    "registrar": (200, True),
    "admin": (200, True),
}
STUDENTS_LISTED = {
    "student": {"erlan"},
    "other_student": {"dana"},
    "parent": {"erlan"},
    "group_tutor": {"erlan"},
    "other_tutor": {"dana"},
    "registrar": {"erlan", "dana"},
    "admin": {"erlan", "dana"},
}


@pytest.mark.parametrize("caller", CALLERS)
def test_student_detail_matrix_with_iin_hiding(client, world, caller):
    response = get(client, world, caller, f"/students/{world.profile.pk}")
    status, iin_shown = STUDENT_DETAIL[caller]
    assert response.status_code == status
    text = response.content.decode()
    if status == 200:
        body = response.json()
        assert body["username"] == "erlan"
        assert body["group"]["code"] == "ӨТ-24-1"
        assert body["iin"] == (world.student_iin if iin_shown else None)
    else:
        assert response.json()["code"] in {"not_authenticated", "permission_denied"}
    if not iin_shown:
        assert world.student_iin not in text


def test_disability_group_is_hidden_like_the_iin(client, world):
    StudentProfile.objects.filter(pk=world.profile.pk).update(
        distance_ground="special_needs", disability_group=2
    )
    assert (
        get(client, world, "registrar", f"/students/{world.profile.pk}").json()["disability_group"]
        == 2
    )
    assert (
        get(client, world, "group_tutor", f"/students/{world.profile.pk}").json()[
            "disability_group"
        ]
        is None
    )


@pytest.mark.parametrize("caller", CALLERS)
def test_student_list_matrix_with_iin_hiding(client, world, caller):
    response = get(client, world, caller, "/students")
    if caller == "anonymous":
        assert response.status_code == 401
        return
    body = response.json()
    assert {s["username"] for s in body["items"]} == STUDENTS_LISTED[caller]
    iin_of = {s["username"]: s["iin"] for s in body["items"]}
    if "erlan" in iin_of:
        assert (iin_of["erlan"] == world.student_iin) == STUDENT_DETAIL[caller][1]
    if caller in {"group_tutor", "other_tutor"}:
        assert set(iin_of.values()) == {None}


def test_missing_student_is_a_404(client, world):
    response = get(client, world, "admin", "/students/987654")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_student_filters(client, world):
    student(group=world.group, status="academic_leave")
    in_group = get(client, world, "admin", f"/students?group={world.group.pk}").json()
    assert in_group["total"] == 2
    on_leave = get(client, world, "admin", "/students?status=academic_leave").json()
    assert [s["status"] for s in on_leave["items"]] == ["academic_leave"]
    of_program = get(client, world, "admin", "/students?program=6B04102").json()
    assert [s["username"] for s in of_program["items"]] == ["dana"]
    bad = get(client, world, "admin", "/students?status=on_holiday")
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_failed"


# --- pagination and errors ----------------------------------------------------------------------


def test_pagination_limit_offset_and_total(client, world):
    for n in range(5):
        ProgramFactory(code=f"6B0300{n}")
    first = client.get(API + "/programs?limit=3").json()
    second = client.get(API + "/programs?limit=3&offset=3").json()
    assert first["total"] == second["total"] == 7
    assert (first["limit"], first["offset"], second["offset"]) == (3, 0, 3)
    assert len(first["items"]) == 3 and len(second["items"]) == 3
    assert not {p["code"] for p in first["items"]} & {p["code"] for p in second["items"]}


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "offset=-1", "limit=many"])
def test_bad_pagination_is_a_422_with_the_field(client, world, query):
    response = client.get(f"{API}/programs?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["message"]
    assert body["details"]["errors"][0]["loc"][-1] == query.split("=")[0]


def test_unknown_api_path_is_a_json_404(client):
    response = client.get(API + "/no/such/thing")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": response.json()["message"],
        "details": None,
    }


def test_wrong_method_is_a_json_405(client):
    response = client.delete(API + "/programs")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "GET"


def test_a_bug_is_a_json_500_and_logged(client, world, monkeypatch, caplog):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr("qashyq.academics.selectors.published_programs", broken)
    response = client.get(API + "/programs")
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "server_error"
    assert "boom" not in body["message"]
    assert any("boom" in str(record.exc_info) for record in caplog.records if record.exc_info)


def test_error_messages_are_in_the_callers_language(client, world):
    world.other_profile.user.preferred_language = "ru"
    world.other_profile.user.save(update_fields=["preferred_language"])
    response = get(client, world, "other_student", f"/groups/{world.group.pk}")
    assert response["Content-Language"] == "ru"
    with translation.override("ru"):
        expected = translation.gettext("You are not a member of this group.")
    assert response.json()["message"] == expected


# --- OpenAPI and docs ---------------------------------------------------------------------------


def test_openapi_document_lists_every_endpoint_and_the_bearer_scheme(client):
    response = client.get(API + "/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/me",
        "/api/v1/programs",
        "/api/v1/programs/{code}",
        "/api/v1/disciplines",
        "/api/v1/disciplines/{code}",
        "/api/v1/groups",
        "/api/v1/groups/{group_id}",
        "/api/v1/students",
        "/api/v1/students/{student_id}",
    } <= paths
    assert set(schema["paths"]["/api/v1/me"]) == {"get", "patch"}
    assert {} in schema["paths"]["/api/v1/programs"]["get"]["security"]  # public
    assert {} not in schema["paths"]["/api/v1/students"]["get"]["security"]
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["ApiTokenAuth"].items()


def test_docs_page_loads_swagger_from_our_own_static_files(client):
    response = client.get(API + "/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    for path in (
        "vendor/swagger-ui/swagger-ui-bundle.js",
        "vendor/swagger-ui/swagger-ui.css",
        "vendor/swagger-ui/qashyq-swagger-init.js",
    ):
        assert f"/static/{path}" in html
        assert finders.find(path), path
    assert 'data-openapi-url="/api/v1/openapi.json"' in html


# --- query counts -------------------------------------------------------------------------------


@pytest.fixture
def crowd(world):
    """25 students in group A (each with a parent link for the first five), 22 groups, 22
    programs and 22 disciplines."""
    for n in range(25):
        profile = student(group=world.group)
        if n < 5:
            ParentLink.objects.create(parent=world.parent, student=profile.user)
    for _n in range(20):
        StudyGroupFactory(program=world.program, curator=person())
    for _n in range(20):
        program = ProgramFactory()
        discipline = DisciplineFactory()
        discipline.programs.add(program, world.program)
    CourseOfferingFactory(groups=[world.group], tutors=[world.group_tutor])
    return world


# token lookup, token touch, roles, reach facts (a few), count, page, prefetch
LIST_BUDGET = 10


@pytest.mark.parametrize("caller", ["registrar", "group_tutor", "parent", "student"])
def test_student_list_query_count_does_not_grow_with_rows(
    client, crowd, caller, django_assert_max_num_queries
):
    headers = _headers(crowd.user(caller))
    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(API + "/students?limit=100", headers=headers)
    assert response.status_code == 200
    if caller in {"registrar", "group_tutor"}:
        assert len(response.json()["items"]) >= 26


@pytest.mark.parametrize("caller", ["admin", "group_tutor"])
def test_group_list_query_count_does_not_grow_with_rows(
    client, crowd, caller, django_assert_max_num_queries
):
    headers = _headers(crowd.user(caller))
    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(API + "/groups?limit=100", headers=headers)
    assert response.status_code == 200
    if caller == "admin":
        assert len(response.json()["items"]) >= 22


def test_catalogue_query_counts_do_not_grow_with_rows(client, crowd, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        programs = client.get(API + "/programs?limit=100")
    assert len(programs.json()["items"]) >= 22
    with django_assert_max_num_queries(4):
        disciplines = client.get(API + "/disciplines?limit=100")
    assert len(disciplines.json()["items"]) >= 20


def test_me_query_count_for_a_parent_with_many_children(
    client, crowd, django_assert_max_num_queries
):
    headers = _headers(crowd.parent)
    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(API + "/me", headers=headers)
    assert len(response.json()["children"]) == 6
