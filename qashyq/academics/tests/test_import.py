"""Bulk import of students, groups and staff: real XLSX and CSV files, every bad row reported,
no partial import, only the registrar office and administrators."""

import csv
import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from qashyq.academics import services
from qashyq.academics.imports import ImportRejected
from qashyq.academics.models import Enrollment, StudentProfile, StudyGroup
from qashyq.academics.tests.factories import (
    CourseOfferingFactory,
    FacultyFactory,
    ProgramFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.iin import make_iin
from qashyq.accounts.models import RoleAssignment, User
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.core.errors import PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry

pytestmark = pytest.mark.django_db

HEADERS = [
    "last_name",
    "first_name",
    "middle_name",
    "iin",
    "email",
    "group",
    "student_number",
    "funding",
]


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English, whatever the default language's catalogue says.
    with translation.override("en"):
        yield


def iin(n: int, female: bool = True) -> str:
    return make_iin(datetime.date(2005, 3, 14), female=female, serial=4000 + n)


def write_xlsx(path: Path, rows) -> Path:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, rows, *, encoding: str, delimiter: str = ";") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def counts() -> tuple[int, int, int, int, int]:
    return (
        User.objects.count(),
        StudentProfile.objects.count(),
        StudyGroup.objects.count(),
        RoleAssignment.objects.count(),
        Enrollment.objects.count(),
    )


@pytest.fixture
def registrar():
    return user_with_role("registrar", username="registrar", iin="")


@pytest.fixture
def group():
    program = ProgramFactory(code="6B02101")
    return StudyGroupFactory(code="ӨТ-25-01", program=program, year_of_study=1)


@pytest.fixture
def offering(group):
    return CourseOfferingFactory(groups=[group])


def kazakh_rows(group_code: str = "ӨТ-25-01"):
    return [
        HEADERS,
        [
            "Әбілқасымова",
            "Гүлнұр",
            "Серікқызы",
            iin(1),
            "gulnur@example.kz",
            group_code,
            "S-1",
            "grant",
        ],
        [
            "Құрманғалиев",
            "Нұрсұлтан",
            "Өмірұлы",
            iin(2, female=False),
            "",
            group_code,
            "S-2",
            "paid",
        ],
        ["Һасанова", "Іңкәр", "", iin(3), "", group_code, "S-3", "grant"],
    ]


def import_file(actor, kind: str, path: Path) -> int:
    report = services.people_import_check(actor=actor, kind=kind, upload=upload(path))
    assert report.errors == [], report.errors
    return services.people_import(
        actor=actor, kind=kind, rows=report.rows, file_name=report.file_name
    )


def assert_kazakh_students_imported(group, offering) -> None:
    gulnur = User.objects.get(iin=iin(1))
    assert (gulnur.last_name, gulnur.first_name, gulnur.middle_name) == (
        "Әбілқасымова",
        "Гүлнұр",
        "Серікқызы",
    )
    assert gulnur.username == "abilqasymova.g"
    assert gulnur.email == "gulnur@example.kz"
    assert not gulnur.has_usable_password()
    assert gulnur.student_profile.group == group
    assert gulnur.student_profile.program == group.program
    assert gulnur.student_profile.year_of_study == 1
    assert RoleAssignment.objects.filter(user=gulnur, role="student").exists()
    assert Enrollment.objects.filter(offering=offering, student=gulnur).exists()
    assert User.objects.get(iin=iin(2, female=False)).student_profile.funding == "paid"
    assert User.objects.get(iin=iin(3)).username == "hasanova.i"
    entry = AuditLogEntry.objects.get(action="import.students")
    assert entry.new_value["rows"] == 3


# --- good files ----------------------------------------------------------------------------------


def test_xlsx_with_kazakh_names(tmp_path, registrar, group, offering):
    path = write_xlsx(tmp_path / "students.xlsx", kazakh_rows())
    assert import_file(registrar, "students", path) == 3
    assert_kazakh_students_imported(group, offering)


def test_csv_utf8_with_commas(tmp_path, registrar, group, offering):
    path = write_csv(tmp_path / "students.csv", kazakh_rows(), encoding="utf-8", delimiter=",")
    assert import_file(registrar, "students", path) == 3
    assert_kazakh_students_imported(group, offering)


def test_csv_utf8_bom_with_kazakh_headers(tmp_path, registrar, group, offering):
    rows = kazakh_rows()
    rows[0] = [
        "Тегі",
        "Аты",
        "Әкесінің аты",
        "ЖСН",
        "Электрондық пошта",
        "Топ",
        "Сынақ кітапшасының нөмірі",
        "Қаржыландыру",
    ]
    rows[1][-1] = "мемлекеттік грант"
    rows[2][-1] = "ақылы"
    path = write_csv(tmp_path / "students.csv", rows, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert import_file(registrar, "students", path) == 3
    assert_kazakh_students_imported(group, offering)


def test_csv_cp1251_with_russian_headers(tmp_path, registrar):
    group = StudyGroupFactory(code="ИЗО-24-01", year_of_study=2)
    rows = [
        ["Фамилия", "Имя", "Отчество", "ИИН", "Группа", "Номер зачетной книжки", "Финансирование"],
        ["Сергеева", "Ольга", "Викторовна", iin(11), "изо-24-01", "Z-11", "Грант"],
        ["Ёлкин", "Пётр", "Ильич", iin(12, female=False), "ИЗО-24-01", "Z-12", "платное"],
    ]
    path = write_csv(tmp_path / "platonus.csv", rows, encoding="cp1251")
    assert "Сергеева".encode("cp1251") in path.read_bytes()
    report = services.people_import_check(actor=registrar, kind="students", upload=upload(path))
    assert report.errors == []
    services.people_import(actor=registrar, kind="students", rows=report.rows)
    olga = User.objects.get(iin=iin(11))
    assert (olga.last_name, olga.middle_name, olga.username) == (
        "Сергеева",
        "Викторовна",
        "sergeeva.o",
    )
    assert olga.student_profile.group == group
    assert olga.student_profile.funding == "grant"
    petr = User.objects.get(iin=iin(12, female=False))
    assert petr.username == "yolkin.p"
    assert petr.student_profile.funding == "paid"


def test_excel_dropped_leading_zero_of_iin_is_restored(tmp_path, registrar, group):
    value = iin(21)
    assert value.startswith("0")
    rows = [HEADERS, ["Ахметова", "Әсел", "", int(value), "", group.code, "S-21", "grant"]]
    path = write_xlsx(tmp_path / "numbers.xlsx", rows)
    import_file(registrar, "students", path)
    assert User.objects.filter(iin=value).exists()


def test_generated_usernames_do_not_collide(tmp_path, registrar, group):
    UserFactory(username="saparova.a", iin="")
    rows = [
        HEADERS,
        ["Сапарова", "Айгерім", "", iin(31), "", group.code, "S-31", "grant"],
        ["Сапарова", "Айжан", "", iin(32), "", group.code, "S-32", "grant"],
    ]
    import_file(registrar, "students", write_xlsx(tmp_path / "s.xlsx", rows))
    assert User.objects.get(iin=iin(31)).username == "saparova.a2"
    assert User.objects.get(iin=iin(32)).username == "saparova.a3"


def test_password_column_sets_a_usable_password(tmp_path, registrar, group):
    rows = [
        [*HEADERS, "password"],
        ["Омарова", "Дана", "", iin(41), "", group.code, "S-41", "paid", "Kokshetau-2025!"],
    ]
    import_file(registrar, "students", write_xlsx(tmp_path / "p.xlsx", rows))
    assert User.objects.get(iin=iin(41)).check_password("Kokshetau-2025!")


def test_groups_import(tmp_path, registrar):
    program = ProgramFactory(code="6B02102")
    curator = UserFactory(username="curator1", iin="")
    rows = [
        ["code", "program", "admission_year", "year_of_study", "language", "curator"],
        ["АМ-25-01", "6B02102", "2025", "1", "kk", "curator1"],
        ["АМ-25-02", "6b02102", "2025", "1", "рус", ""],
    ]
    path = write_csv(tmp_path / "groups.csv", rows, encoding="utf-8")
    assert import_file(registrar, "groups", path) == 2
    first = StudyGroup.objects.get(code="АМ-25-01")
    assert (first.program, first.curator, first.language) == (program, curator, "kk")
    assert StudyGroup.objects.get(code="АМ-25-02").language == "ru"
    assert AuditLogEntry.objects.get(action="import.groups").new_value["rows"] == 2


def test_staff_import_assigns_scoped_roles(tmp_path, group, offering):
    admin = user_with_role("admin", username="boss", iin="")
    faculty = FacultyFactory(code="ART")
    rows = [
        ["Тегі", "Аты", "ЖСН", "email", "Роль", "scope_type", "scope_code"],
        ["Жақсылықов", "Ерұлан", "", "erulan@example.kz", "tutor", "course", str(offering.pk)],
        ["Мұқанова", "Әйгерім", iin(51), "", "methodologist", "faculty", "art"],
        ["Бекова", "Сая", "", "", "registrar", "", ""],
    ]
    assert import_file(admin, "staff", write_xlsx(tmp_path / "staff.xlsx", rows)) == 3
    tutor = User.objects.get(email="erulan@example.kz")
    assert tutor.username == "zhaqsylyqov.e"
    assert offering.tutors.filter(pk=tutor.pk).exists()
    assert RoleAssignment.objects.filter(
        user=tutor, role="tutor", scope_type="course", scope_id=offering.pk
    ).exists()
    methodologist = User.objects.get(iin=iin(51))
    assert RoleAssignment.objects.filter(
        user=methodologist, role="methodologist", scope_type="faculty", scope_id=faculty.pk
    ).exists()
    assert RoleAssignment.objects.filter(
        user__last_name="Бекова", role="registrar", scope_type="site"
    ).exists()
    assert AuditLogEntry.objects.get(action="import.staff").new_value["rows"] == 3


def test_a_registrar_cannot_grant_privileged_roles_by_import(tmp_path, registrar):
    rows = [
        ["last_name", "first_name", "role"],
        ["Тоқтаров", "Бауыржан", "admin"],
        ["Нұрғалиева", "Жанар", "student"],
    ]
    report = services.people_import_check(
        actor=registrar, kind="staff", upload=upload(write_xlsx(tmp_path / "s.xlsx", rows))
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, "role"), (3, "role")]
    assert "administrator" in report.errors[0].message
    assert "not a staff role" in report.errors[1].message


# --- bad files -----------------------------------------------------------------------------------


def test_missing_columns_are_reported_once_with_their_names(tmp_path, registrar, group):
    before = counts()
    rows = [["last_name", "first_name", "email"], ["Әлиев", "Дархан", "d@example.kz"]]
    report = services.people_import_check(
        actor=registrar, kind="students", upload=upload(write_xlsx(tmp_path / "m.xlsx", rows))
    )
    assert len(report.errors) == 1
    error = report.errors[0]
    assert error.row == 1
    for column in ("iin", "group", "student_number", "funding"):
        assert column in error.message
    assert counts() == before


def test_several_bad_rows_are_all_listed_and_nothing_is_written(tmp_path, registrar, group):
    StudentProfileFactory(group=group, user__iin=iin(60), student_number="TAKEN-1")
    UserFactory(email="taken@example.kz", iin="")
    before = counts()
    bad_iin = iin(61)[:11] + str((int(iin(61)[11]) + 1) % 10)
    rows = [
        HEADERS,
        ["Ахметов", "Бақыт", "", iin(62), "", group.code, "N-1", "grant"],  # row 2: good
        ["Серікова", "Ая", "", bad_iin, "", group.code, "N-2", "grant"],  # 3: check digit
        ["Болатов", "Ерлан", "", iin(63), "", "ЖОҚ-99", "N-3", "grant"],  # 4: unknown group
        ["Дубль", "Ақжол", "", iin(62), "", group.code, "N-4", "grant"],  # 5: IIN of row 2
        ["Қасым", "Мира", "", iin(64), "", group.code, "N-5", "free"],  # 6: funding
        ["Бар", "Болат", "", iin(60), "", group.code, "TAKEN-1", "grant"],  # 7: IIN, number in DB
        ["Хат", "Әлия", "", iin(65), "taken@example.kz", group.code, "N-7", "grant"],  # 8: email
        ["", "Аты", "", iin(66), "", group.code, "N-2", "paid"],  # 9: surname, number of row 3
    ]
    path = write_csv(tmp_path / "bad.csv", rows, encoding="utf-8-sig")
    report = services.people_import_check(actor=registrar, kind="students", upload=upload(path))
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (3, "iin"),
        (4, "group"),
        (5, "iin"),
        (6, "funding"),
        (7, "iin"),
        (7, "student_number"),
        (8, "email"),
        (9, "last_name"),
        (9, "student_number"),
    }
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "check digit" in messages[(3, "iin")]
    assert "ЖОҚ-99" in messages[(4, "group")]
    assert "row 2" in messages[(5, "iin")]
    assert "already belongs" in messages[(7, "iin")]
    assert report.bad_rows == 7
    with pytest.raises(ImportRejected) as caught:
        services.people_import(actor=registrar, kind="students", rows=report.rows)
    assert len(caught.value.errors) == len(report.errors)
    assert counts() == before
    assert not AuditLogEntry.objects.filter(action__startswith="import.").exists()


def test_bad_group_rows_are_listed(tmp_path, registrar, group):
    rows = [
        ["code", "program", "admission_year", "year_of_study"],
        [group.code, group.program.code, "2025", "1"],  # exists
        ["НОВ-1", "NOPE", "2025", "1"],  # unknown program
        ["НОВ-2", group.program.code, "1900", "9"],  # bad years
        ["нов-2", group.program.code, "2025", "1"],  # repeated code
    ]
    report = services.people_import_check(
        actor=registrar, kind="groups", upload=upload(write_xlsx(tmp_path / "g.xlsx", rows))
    )
    assert {(e.row, e.column) for e in report.errors} == {
        (2, "code"),
        (3, "program"),
        (4, "admission_year"),
        (4, "year_of_study"),
        (5, "code"),
    }


def test_a_failure_at_write_time_leaves_nothing(tmp_path, registrar, group, offering, monkeypatch):
    path = write_xlsx(tmp_path / "students.xlsx", kazakh_rows())
    report = services.people_import_check(actor=registrar, kind="students", upload=upload(path))
    assert report.errors == []
    before = counts()
    real_create = services.student_create
    calls = []

    def failing_create(**kwargs):
        calls.append(kwargs["iin"])
        if len(calls) == 3:
            raise ValidationFailed(details={"student_number": "disk on fire"})
        return real_create(**kwargs)

    monkeypatch.setattr(services, "student_create", failing_create)
    with pytest.raises(ImportRejected) as caught:
        services.people_import(actor=registrar, kind="students", rows=report.rows)
    assert len(calls) == 3
    assert [(e.row, e.column) for e in caught.value.errors] == [(4, "student_number")]
    assert counts() == before
    assert not AuditLogEntry.objects.filter(action="import.students").exists()


def test_rows_are_checked_again_at_confirm_time(tmp_path, registrar, group):
    path = write_xlsx(tmp_path / "students.xlsx", kazakh_rows())
    report = services.people_import_check(actor=registrar, kind="students", upload=upload(path))
    assert report.errors == []
    UserFactory(iin=iin(2, female=False))  # someone took the IIN meanwhile
    before = counts()
    with pytest.raises(ImportRejected) as caught:
        services.people_import(actor=registrar, kind="students", rows=report.rows)
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "iin")]
    assert counts() == before


@pytest.mark.parametrize("role", ["tutor", "student", "methodologist", None])
def test_only_the_registrar_office_and_admins_may_import(tmp_path, group, role):
    actor = user_with_role(role, iin="") if role else UserFactory(iin="")
    path = write_xlsx(tmp_path / "students.xlsx", kazakh_rows())
    before = counts()
    with pytest.raises(PermissionDenied):
        services.people_import_check(actor=actor, kind="students", upload=upload(path))
    rows = [(2, dict(zip(HEADERS, kazakh_rows()[1], strict=True)))]
    with pytest.raises(PermissionDenied):
        services.people_import(actor=actor, kind="students", rows=rows)
    assert counts() == before


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "neither an Excel workbook"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "Old Excel files"),
        ("broken.xlsx", b"PK\x03\x04garbage", "could not be read as an Excel workbook"),
        ("empty.csv", b"  \r\n", "empty"),
        ("odd.csv", "Фамилия;ИИН\n".encode("cp1251") + b"\x98\n", "neither an Excel workbook"),
    ],
)
def test_a_wrong_file_type_or_encoding_gets_a_clear_message(registrar, name, content, reason):
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        services.people_import_check(
            actor=registrar, kind="students", upload=SimpleUploadedFile(name, content)
        )
    assert reason in str(caught.value.message)
    assert counts() == before


def test_a_file_in_another_cyrillic_encoding_is_caught_by_its_headers(tmp_path, registrar):
    rows = [
        ["Фамилия", "Имя", "ИИН", "Группа", "Номер зачетной книжки", "Финансирование"],
        ["Иванова", "Анна", iin(70), "ИЗО", "1", "грант"],
    ]
    path = write_csv(tmp_path / "koi8.csv", rows, encoding="koi8-r")
    report = services.people_import_check(actor=registrar, kind="students", upload=upload(path))
    assert len(report.errors) == 1
    assert "UTF-8 or Windows-1251" in report.errors[0].message


def test_utf16_unicode_text_from_excel_is_read(tmp_path, registrar, group):
    path = write_csv(tmp_path / "unicode.txt", kazakh_rows(), encoding="utf-16", delimiter="\t")
    assert import_file(registrar, "students", path) == 3
