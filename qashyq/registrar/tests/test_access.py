"""Who sees what: pages and API, role × action. A denial shows nothing of the record."""

import pytest

from qashyq.accounts import services as account_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API = "/api/v1"


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False  # accounts and tests/e2e cover the MFA rule


def _get(client, world, who, path):
    user = getattr(world, who) if who else None
    if user is not None:
        client.force_login(user)
    return client.get(path.format(id=world.student.pk))


# (reader, transcript page, PDF, JSON export, GPA page)
MATRIX = [
    ("student", 200, 200, 403, 200),
    ("parent", 403, 403, 403, 200),
    ("other_parent", 403, 403, 403, 403),
    ("other", 403, 403, 403, 403),
    ("tutor", 403, 403, 403, 403),
    ("registrar", 200, 200, 200, 200),
    ("faculty_registrar", 200, 200, 200, 200),
    ("other_faculty_registrar", 403, 403, 403, 403),
    ("admin", 200, 200, 200, 200),
]


@pytest.mark.parametrize(("who", "page", "pdf", "export", "gpa"), MATRIX)
def test_pages(client, world, who, page, pdf, export, gpa):
    paths = {
        "/students/{id}/transcript/": page,
        "/students/{id}/transcript.pdf?lang=kk": pdf,
        "/students/{id}/transcript.json": export,
        "/students/{id}/gpa/": gpa,
    }
    for path, expected in paths.items():
        response = _get(client, world, who, path)
        assert response.status_code == expected, path
        body = response.content.decode("utf-8", "replace") if expected != 200 else ""
        # a denial shows nothing of the record (the student's own name is in their page header)
        assert "KAZ101" not in body
        assert world.profile.student_number not in body
        if who != "student":
            assert "Үсенова" not in body


@pytest.mark.parametrize(("who", "transcript", "gpa"), [(w, p, g) for w, p, _pdf, _e, g in MATRIX])
def test_api(client, world, who, transcript, gpa):
    user = getattr(world, who)
    _token, key = account_services.api_token_create(actor=user, owner=user)
    headers = {"Authorization": f"Bearer {key}"}
    for path, expected in (("transcript", transcript), ("gpa", gpa)):
        response = client.get(f"{API}/students/{world.student.pk}/{path}", headers=headers)
        assert response.status_code == expected, path
        if expected == 200:
            assert response.json()["gpa"] == 2.22
        else:
            assert response.json()["code"] == "permission_denied"
            assert "Үсенова" not in response.content.decode()


def test_anonymous_is_sent_to_sign_in_and_the_api_says_401(client, world):
    response = client.get(f"/students/{world.student.pk}/transcript/")
    assert response.status_code == 302
    assert client.get(f"{API}/students/{world.student.pk}/gpa").status_code == 401


def test_no_such_student(client, world):
    missing = world.student.pk + 10_000
    client.force_login(world.student)
    # a student cannot tell a missing id from someone else's record
    assert client.get(f"/students/{missing}/gpa/").status_code == 403
    client.force_login(world.registrar)
    assert client.get(f"/students/{missing}/transcript/").status_code == 404


def test_student_sees_own_transcript_page(client, world):
    client.force_login(world.student)
    response = client.get("/transcript/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "KAZ101" in text and "FX" in text and "2.22" in text
    assert world.student.iin not in text
    assert "transcript.json" not in text  # the export link is the registrar's


def test_pdf_download_in_each_language(client, world):
    client.force_login(world.student)
    for lang in ("kk", "ru", "en"):
        response = client.get(f"/students/{world.student.pk}/transcript.pdf?lang={lang}")
        assert response["Content-Type"] == "application/pdf"
        assert f"-{lang}.pdf" in response["Content-Disposition"]
        assert response.content.startswith(b"%PDF")


def test_api_transcript_fields(client, world):
    client.force_login(world.student)
    data = client.get(f"{API}/students/{world.student.pk}/transcript").json()
    assert data["student_number"] == world.profile.student_number
    assert "iin" not in data
    assert len(data["attempts"]) == 6
    summer = data["attempts"][-1]
    assert (summer["discipline_code"], summer["letter"], summer["retake"]) == ("SOC102", "B", True)
    assert summer["period"]["kind"] == "summer"
    assert [p["gpa"] for p in data["periods"]] == [1.84, 1.1, 3.0]
    gpa = client.get(f"{API}/students/{world.student.pk}/gpa").json()
    assert [p["cumulative_gpa"] for p in gpa["periods"]] == [1.84, 1.47, 2.22]


def test_parent_sees_child_gpa_list(client, world):
    client.force_login(world.parent)
    response = client.get("/children/gpa/")
    assert f"/students/{world.student.pk}/gpa/" in response.content.decode()
    page = client.get(f"/students/{world.student.pk}/gpa/").content.decode()
    assert "2.22" in page
    assert f"/students/{world.student.pk}/transcript/" not in page


def test_registrar_search(client, world):
    client.force_login(world.faculty_registrar)
    response = client.get("/registrar/students/", {"q": "Үсенова"})
    assert response.status_code == 200
    assert f"/students/{world.student.pk}/transcript.json" in response.content.decode()
    by_number = client.get("/registrar/students/", {"q": world.profile.student_number})
    assert "Үсенова" in by_number.content.decode()
    # a faculty registrar does not find students of other faculties
    other = client.get("/registrar/students/", {"q": world.other.student_profile.student_number})
    assert world.other.last_name not in other.content.decode()
    client.force_login(world.student)
    assert client.get("/registrar/students/", {"q": "a"}).status_code == 403
    assert client.get("/registrar/below-threshold/").status_code == 403


def test_endpoints_are_in_the_openapi_document(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for name in ("transcript", "gpa"):
        get = paths[f"{API}/students/{{student_id}}/{name}"]["get"]
        assert {"200", "401", "403", "404"} <= set(get["responses"])
