"""The import page as the registrar office uses it: upload, dry run, confirm, template files."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from qashyq.academics.models import StudentProfile, StudyGroup
from qashyq.academics.tests.factories import FacultyFactory, ProgramFactory, StudyGroupFactory
from qashyq.accounts.iin import make_iin
from qashyq.accounts.models import RoleAssignment, User
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.core.models import AuditLogEntry

pytestmark = pytest.mark.django_db
URL = "/staff/import/"


@pytest.fixture(autouse=True)
def _english_staff_without_totp(settings, client):
    # The staff TOTP rule has its own tests in accounts; here staff reach the pages directly.
    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    # Messages are asserted in English (the browser's remembered choice).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def registrar(client):
    user = user_with_role("registrar", username="registrar", iin="")
    client.force_login(user)
    return user


@pytest.fixture
def group():
    return StudyGroupFactory(code="ӨТ-25-01", program=ProgramFactory(code="6B02101"))


def iin(n: int) -> str:
    return make_iin(datetime.date(2006, 1, 2), female=True, serial=5000 + n)


def xlsx(rows, name="students.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def student_rows(group_code):
    return [
        ["Тегі", "Аты", "ЖСН", "Топ", "student_number", "funding"],
        ["Бекболатова", "Әлия", iin(1), group_code, "A-1", "grant"],
        ["Нұрланов", "Ғалым", iin(2), group_code, "A-2", "paid"],
    ]


def test_upload_shows_a_preview_then_confirm_imports(client, registrar, group):
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"kind": "students", "file": xlsx(student_rows(group.code))})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Бекболатова" in page and "bekbolatova.a" in page
    assert StudentProfile.objects.count() == 0  # a dry run writes nothing
    token = response.context["token"]
    assert token and client.session["academics_import"]["token"] == token

    response = client.post(URL, {"token": token, "confirm": "1"}, follow=True)
    assert "Imported 2 rows" in response.content.decode()
    assert set(StudentProfile.objects.values_list("user__username", flat=True)) == {
        "bekbolatova.a",
        "nurlanov.g",
    }
    assert "academics_import" not in client.session
    assert AuditLogEntry.objects.filter(action="import.students", actor=registrar).count() == 1

    # Confirming twice (a double click, the back button) imports nothing more.
    response = client.post(URL, {"token": token, "confirm": "1"}, follow=True)
    assert "expired" in response.content.decode()
    assert StudentProfile.objects.count() == 2


def test_a_forged_token_imports_nothing(client, registrar, group):
    response = client.post(URL, {"kind": "students", "file": xlsx(student_rows(group.code))})
    assert response.context["token"]
    response = client.post(URL, {"token": "guess", "confirm": "1"}, follow=True)
    assert "expired" in response.content.decode()
    assert StudentProfile.objects.count() == 0


def test_cancel_discards_the_checked_file(client, registrar, group):
    response = client.post(URL, {"kind": "students", "file": xlsx(student_rows(group.code))})
    token = response.context["token"]
    client.post(URL, {"token": token, "cancel": "1"})
    response = client.post(URL, {"token": token, "confirm": "1"}, follow=True)
    assert StudentProfile.objects.count() == 0


def test_bad_rows_are_listed_on_the_page_and_nothing_can_be_confirmed(client, registrar, group):
    rows = student_rows(group.code)
    rows[1][2] = "123"
    rows[2][3] = "НЕТ-ТАКОЙ"
    response = client.post(URL, {"kind": "students", "file": xlsx(rows)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "2 errors" in page
    assert "An IIN has exactly 12 digits." in page
    assert "Unknown group code НЕТ-ТАКОЙ." in page
    assert 'name="confirm"' not in page
    assert "academics_import" not in client.session
    assert StudentProfile.objects.count() == 0


def test_missing_columns_on_the_page(client, registrar):
    response = client.post(
        URL, {"kind": "groups", "file": xlsx([["code", "curator"], ["X-1", ""]], "g.xlsx")}
    )
    assert response.status_code == 400
    assert "lacks required columns: program, admission_year, year_of_study" in (
        response.content.decode()
    )


def test_a_wrong_file_type_gets_a_message_not_a_500(client, registrar):
    response = client.post(
        URL,
        {"kind": "students", "file": SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n\x00\x01\x02")},
    )
    assert response.status_code == 400
    assert "neither an Excel workbook (XLSX) nor a CSV" in response.content.decode()


def test_an_old_xls_file_gets_a_message(client, registrar):
    response = client.post(
        URL,
        {"kind": "students", "file": SimpleUploadedFile("a.xls", b"\xd0\xcf\x11\xe0" + b"0" * 8)},
    )
    assert response.status_code == 400
    assert "Old Excel files (.xls) are not supported" in response.content.decode()


@pytest.mark.parametrize("role", ["tutor", "student", None])
def test_others_get_a_403_page_and_nothing_changes(client, group, role):
    user = user_with_role(role, iin="") if role else UserFactory(iin="")
    client.force_login(user)
    before = (User.objects.count(), StudyGroup.objects.count(), RoleAssignment.objects.count())
    response = client.get(URL)
    assert response.status_code == 403
    assert "Only the registrar office and administrators may import people." in (
        response.content.decode()
    )
    response = client.post(URL, {"kind": "students", "file": xlsx(student_rows(group.code))})
    assert response.status_code == 403
    assert (
        client.get(reverse("academics:import_template", args=["students", "csv"])).status_code
        == 403
    )
    after = (User.objects.count(), StudyGroup.objects.count(), RoleAssignment.objects.count())
    assert after == before


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unknown_template_is_404(client, registrar):
    assert client.get("/staff/import/template/marks.xlsx").status_code == 404
    assert client.get("/staff/import/template/students.ods").status_code == 404


@pytest.mark.parametrize("kind", ["students", "groups", "staff"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_templates_download_and_import_back(client, kind, fmt):
    admin = user_with_role("admin", username="admin", iin="")
    client.force_login(admin)
    StudyGroupFactory(code="ӨТ-24-01", program=ProgramFactory(code="6B02101"), year_of_study=2)
    FacultyFactory(code="ART")
    response = client.get(f"/staff/import/template/{kind}.{fmt}")
    assert response.status_code == 200
    assert f'filename="qashyq-{kind}.{fmt}"' in response["Content-Disposition"]
    content = response.content
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(content)).active
        headers = [cell.value for cell in sheet[1]]
    else:
        assert content.startswith(b"\xef\xbb\xbf")
        headers = content.decode("utf-8-sig").splitlines()[0].split(";")
    assert headers[0] in ("last_name", "code")

    before = User.objects.count(), StudyGroup.objects.count()
    response = client.post(
        URL, {"kind": kind, "file": SimpleUploadedFile(f"template.{fmt}", content)}
    )
    assert response.status_code == 200, response.context["errors"]
    response = client.post(URL, {"token": response.context["token"], "confirm": "1"})
    assert response.status_code == 302
    after = User.objects.count(), StudyGroup.objects.count()
    assert after == (before[0] + (kind != "groups"), before[1] + (kind == "groups"))
    if kind == "students":
        assert User.objects.get(iin="050314612346").student_profile.group.code == "ӨТ-24-01"
