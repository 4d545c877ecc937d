"""The columns of each kind of file, their Russian and Kazakh header aliases, and templates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qashyq.accounts.roles import Role, ScopeType
from qashyq.core.errors import ValidationFailed

from ..formats.tables import Table
from ..models import (
    Faculty,
    Funding,
    Program,
    StudyGroup,
)
from .report import ImportReport, RowError
from .values import norm


class ImportKind(models.TextChoices):
    STUDENTS = "students", gettext_lazy("Students")
    GROUPS = "groups", gettext_lazy("Study groups")
    STAFF = "staff", gettext_lazy("Staff")


TEMPLATE_FORMATS = ("xlsx", "csv")
# Roles that only a system administrator may hand out, also through an import.
PRIVILEGED_ROLES = frozenset({Role.ADMIN, Role.RECTOR, Role.VICE_RECTOR, Role.REGISTRAR})


@dataclass(frozen=True)
class Column:
    key: str
    required: bool
    help: Any  # a lazy translation shown on the import page


_PERSON = [
    Column("last_name", True, gettext_lazy("Surname")),
    Column("first_name", True, gettext_lazy("Given name")),
    Column("middle_name", False, gettext_lazy("Patronymic (optional)")),
]

COLUMNS: dict[str, list[Column]] = {
    ImportKind.STUDENTS: [
        *_PERSON,
        Column("iin", True, gettext_lazy("IIN, 12 digits")),
        Column("email", False, gettext_lazy("E-mail (optional, unique)")),
        Column(
            "username",
            False,
            gettext_lazy("Login (optional: made from the surname and initial when empty)"),
        ),
        Column(
            "group", True, gettext_lazy("Study group code (may be empty when a program is given)")
        ),
        Column("program", False, gettext_lazy("Program code (optional when a group is given)")),
        Column("student_number", True, gettext_lazy("Record book number (unique)")),
        Column("year_of_study", False, gettext_lazy("Year of study, 1–8 (default: the group's)")),
        Column("funding", True, gettext_lazy("Funding: grant or paid")),
        Column(
            "distance_ground",
            False,
            gettext_lazy(
                "Ground for distance study: additional_education, special_needs, "
                "exchange_abroad, business_trip or empty"
            ),
        ),
        Column(
            "disability_group", False, gettext_lazy("Disability group 1–3 (special needs only)")
        ),
        Column("shortened_period", False, gettext_lazy("Shortened study period: yes or no")),
        Column("language", False, gettext_lazy("Interface language: kk, ru or en")),
        Column("password", False, gettext_lazy("Password (optional: otherwise password reset)")),
    ],
    ImportKind.GROUPS: [
        Column("code", True, gettext_lazy("Group code (unique)")),
        Column("program", True, gettext_lazy("Program code")),
        Column("admission_year", True, gettext_lazy("Year of admission, e.g. 2025")),
        Column("year_of_study", True, gettext_lazy("Year of study, 1–8")),
        Column("language", False, gettext_lazy("Language of instruction: kk, ru or en")),
        Column("curator", False, gettext_lazy("Curator's login (optional)")),
    ],
    ImportKind.STAFF: [
        *_PERSON,
        Column("iin", False, gettext_lazy("IIN, 12 digits (optional for staff)")),
        Column("email", False, gettext_lazy("E-mail (optional, unique)")),
        Column(
            "username",
            False,
            gettext_lazy("Login (optional: made from the surname and initial when empty)"),
        ),
        Column("role", True, gettext_lazy("Role, e.g. tutor, methodologist, proctor")),
        Column(
            "scope_type",
            False,
            gettext_lazy("Where the role applies: site, faculty, program, group or course"),
        ),
        Column(
            "scope_code",
            False,
            gettext_lazy("Faculty, program or group code; course offering number"),
        ),
        Column("language", False, gettext_lazy("Interface language: kk, ru or en")),
        Column("password", False, gettext_lazy("Password (optional: otherwise password reset)")),
    ],
}

# Russian and Kazakh headers as registrar offices and Platonus exports write them.
_ALIASES: dict[str, tuple[str, ...]] = {
    "last_name": ("фамилия", "тегі", "тегi", "surname", "last name", "family name"),
    "first_name": ("имя", "аты", "есімі", "есім", "first name", "given name"),
    "middle_name": (
        "отчество",
        "әкесінің аты",
        "әкесiнiң аты",
        "patronymic",
        "middle name",
    ),
    "iin": ("иин", "жсн", "iin", "иин студента", "жеке сәйкестендіру нөмірі"),
    "email": (
        "e-mail",
        "e mail",
        "email",
        "почта",
        "эл. почта",
        "электронная почта",
        "электрондық пошта",
        "эл. пошта",
    ),
    "username": ("логин", "login", "имя пользователя", "пайдаланушы аты", "user name"),
    "group": ("группа", "топ", "код группы", "топ коды", "group code", "шифр группы"),
    "program": (
        "программа",
        "образовательная программа",
        "код оп",
        "шифр оп",
        "оп",
        "бағдарлама",
        "білім беру бағдарламасы",
        "бб коды",
        "program code",
    ),
    "student_number": (
        "номер зачетной книжки",
        "зачетная книжка",
        "№ зачетной книжки",
        "номер зачетки",
        "сынақ кітапшасының нөмірі",
        "сынақ кітапшасы",
        "record book",
        "record book number",
        "student id",
    ),
    "year_of_study": ("курс", "год обучения", "оқу курсы", "year", "year of study"),
    "funding": (
        "финансирование",
        "основа обучения",
        "форма оплаты",
        "қаржыландыру",
        "оқу негізі",
    ),
    "distance_ground": (
        "основание дот",
        "основание для дистанционного обучения",
        "қашықтықтан оқыту негізі",
        "дот негізі",
    ),
    "disability_group": ("группа инвалидности", "мүгедектік тобы"),
    "shortened_period": ("сокращенный срок", "сокращенный срок обучения", "қысқартылған мерзім"),
    "language": ("язык", "тіл", "язык интерфейса", "язык обучения", "оқыту тілі"),
    "password": ("пароль", "құпиясөз", "құпия сөз"),
    "code": ("код", "код группы", "шифр группы", "группа", "топ", "топ коды", "group"),
    "admission_year": ("год поступления", "түскен жылы", "қабылданған жылы", "admission year"),
    "curator": ("куратор", "эдвайзер", "тәлімгер", "curator login"),
    "role": ("роль", "рөл", "рөлі", "должность"),
    "scope_type": ("область", "область роли", "аумақ", "scope", "scope type"),
    "scope_code": ("код области", "аумақ коды", "scope code"),
}


# --- headers -------------------------------------------------------------------------------------


def header_map(kind: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for column in COLUMNS[kind]:
        names = (column.key, column.key.replace("_", " "), *_ALIASES.get(column.key, ()))
        for name in names:
            mapping.setdefault(norm(name), column.key)
    return mapping


def column_keys(kind: str) -> list[str]:
    return [c.key for c in COLUMNS[kind]]


def keyed_rows(kind: str, table: Table) -> ImportReport:
    """Map the table's headers to column keys; report missing columns once, in row 1."""
    report = ImportReport(kind=kind)
    aliases = header_map(kind)
    index: dict[int, str] = {}
    for position, header in enumerate(table.headers):
        key = aliases.get(norm(header))
        if key is None:
            if header.strip():
                report.ignored_columns.append(header.strip())
        elif key in index.values():
            report.errors.append(
                RowError(1, header, _("The column %(column)s appears twice.") % {"column": key})
            )
        else:
            index[position] = key
    missing = [c.key for c in COLUMNS[kind] if c.required and c.key not in index.values()]
    if missing:
        message = _(
            "The file lacks required columns: %(columns)s. The first row must hold the column "
            "headers; download the template to see them."
        ) % {"columns": ", ".join(missing)}
        if not index:
            message += " " + _(
                "No header was recognised: check that this is the right kind of file and that "
                "it is saved in UTF-8 or Windows-1251."
            )
        report.errors.append(RowError(1, ", ".join(missing), message))
    if report.errors:
        return report
    for number, cells in table.rows:
        values = {
            key: (cells[pos].strip() if pos < len(cells) else "") for pos, key in index.items()
        }
        report.rows.append((number, values))
    if not report.rows:
        report.errors.append(RowError(2, "", _("The file has a header row but no data rows.")))
    return report


# --- templates -----------------------------------------------------------------------------------


def template_rows(kind: str) -> tuple[list[str], list[list[str]]]:
    """The header row and one example row, using real codes from the database where there are."""
    if kind not in ImportKind.values:
        raise ValidationFailed(_("Unknown kind of import."))
    keys = column_keys(kind)
    group = StudyGroup.objects.select_related("program").order_by("code").first()
    program = group.program if group else Program.objects.order_by("code").first()
    if kind == ImportKind.STUDENTS:
        example = {
            "last_name": "Әбілқасымова",
            "first_name": "Гүлнұр",
            "middle_name": "Серікқызы",
            "iin": "050314612346",
            "email": "gulnur.abilqasymova@example.kz",
            "group": group.code if group else "ӨТ-25-01",
            "program": program.code if program else "6B02101",
            "student_number": "2025-00001",
            "year_of_study": str(group.year_of_study) if group else "1",
            "funding": Funding.STATE_GRANT,
            "language": "kk",
            "shortened_period": "no",
        }
    elif kind == ImportKind.GROUPS:
        code, n = "ӨТ-25-01", 1
        while StudyGroup.objects.filter(code=code).exists():
            n += 1
            code = f"ӨТ-25-{n:02d}"
        example = {
            "code": code,
            "program": program.code if program else "6B02101",
            "admission_year": str(datetime.date.today().year),  # noqa: DTZ011
            "year_of_study": "1",
            "language": "kk",
        }
    else:
        faculty = Faculty.objects.order_by("code").first()
        example = {
            "last_name": "Жақсылықов",
            "first_name": "Ерұлан",
            "middle_name": "Нұрланұлы",
            "iin": "851102303216",
            "email": "erulan.zhaqsylyqov@example.kz",
            "role": Role.TUTOR,
            "scope_type": ScopeType.FACULTY if faculty else ScopeType.SITE,
            "scope_code": faculty.code if faculty else "",
            "language": "kk",
        }
    return keys, [[str(example.get(key, "")) for key in keys]]
