"""The journal export for Platonus: the XLSX and the CSV read back (a known row's values, the
IIN kept as text with its leading zero, a decimal comma in the CSV), one group only, a name that
looks like a formula stays text, who may download it (it carries IINs), the link on the journal
page, and a query count that does not grow with the group."""

import csv
import datetime
import io

import lxml.html
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qashyq.academics.models import Enrollment
from qashyq.academics.tests.factories import StudentProfileFactory, StudyGroupFactory
from qashyq.accounts.iin import make_iin
from qashyq.gradebook import services
from qashyq.gradebook.formats.platonus import HEADERS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# ТК1 90, РК1 85.5, ТК2 80, РК2 70: Р1 87.75, Р2 75, admission 81.375 (81.38 in the file);
# final 0.6 × 81.375 + 0.4 × 95 = 86.825 -> 87 % -> B+ (3.33).
KNOWN = {"tk1": 90, "rk1": "85.5", "tk2": 80, "rk2": 70, "exam": 95}


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False  # tests/e2e and accounts cover the MFA rule


@pytest.fixture
def known(world):
    """The first student, with an IIN starting with 0, known marks and two absences."""
    student = world.student
    student.iin = make_iin(datetime.date(2001, 2, 3), female=True, serial=5)
    student.save(update_fields=["iin"])
    services.marks_set(actor=world.tutor, offering=world.offering, student=student, values=KNOWN)
    for day in (datetime.date(2026, 9, 8), datetime.date(2026, 9, 15)):
        services.attendance_set(
            actor=world.tutor, offering=world.offering, student=student, date=day, present=False
        )
    services.attendance_set(
        actor=world.tutor,
        offering=world.offering,
        student=student,
        date=datetime.date(2026, 9, 22),
        present=True,
    )
    return student


def export_url(world, fmt, **params):
    url = reverse(f"gradebook:journal_platonus_{fmt}", args=[world.offering.pk])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def read_csv(response) -> list[list[str]]:
    data = response.content
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def read_xlsx(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def test_csv_holds_the_known_row_with_a_decimal_comma(client, world, known):
    client.force_login(world.tutor)
    response = client.get(export_url(world, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == list(HEADERS)
    assert len(rows) == 1 + len(world.students)
    line = dict(zip(HEADERS, next(r for r in rows if r[1] == known.full_name), strict=True))
    profile = known.student_profile
    discipline = world.offering.discipline
    assert line["ИИН"] == known.iin and line["ИИН"].startswith("0")
    assert line["Номер зачетной книжки"] == profile.student_number
    assert line["Группа"] == world.group.code
    assert (line["Код дисциплины"], line["Дисциплина"]) == (discipline.code, discipline.name_ru)
    assert line["Кредиты"] == str(discipline.credits)
    assert [line[h] for h in ("ТК1", "РК1", "ТК2", "РК2")] == ["90", "85,5", "80", "70"]
    assert line["Рейтинг допуска"] == "81,38"
    assert line["Экзамен"] == "95"
    assert line["Итоговая оценка, %"] == "87"
    assert (line["Буквенная оценка"], line["Цифровой эквивалент"]) == ("B+", "3,33")
    assert line["Пропуски (н)"] == "2"
    # A student without marks: empty cells, no letter, no absences.
    other = next(r for r in rows if r[1] == world.students[1].full_name)
    empty = dict(zip(HEADERS, other, strict=True))
    assert (empty["ТК1"], empty["Буквенная оценка"], empty["Пропуски (н)"]) == ("", "", "0")


def test_xlsx_holds_the_known_row_as_numbers_and_the_iin_as_text(client, world, known):
    client.force_login(world.registrar)
    response = client.get(export_url(world, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx(response)
    assert rows[0] == HEADERS
    line = dict(zip(HEADERS, next(r for r in rows if r[1] == known.full_name), strict=True))
    assert line["ИИН"] == known.iin  # a string, with its leading zero
    assert line["Номер зачетной книжки"] == known.student_profile.student_number
    assert [line[h] for h in ("ТК1", "РК1", "ТК2", "РК2", "Экзамен")] == [90, 85.5, 80, 70, 95]
    assert line["Рейтинг допуска"] == 81.38
    assert line["Итоговая оценка, %"] == 87
    assert (line["Буквенная оценка"], line["Цифровой эквивалент"]) == ("B+", 3.33)
    assert line["Пропуски (н)"] == 2
    assert line["Кредиты"] == world.offering.discipline.credits


def test_one_group_only(client, world, known):
    second = StudyGroupFactory()
    world.offering.groups.add(second)
    newcomer = StudentProfileFactory(group=second).user
    Enrollment.objects.create(offering=world.offering, student=newcomer, group=second)
    client.force_login(world.tutor)
    rows = read_csv(client.get(export_url(world, "csv", group=second.pk)))
    assert [r[1] for r in rows[1:]] == [newcomer.full_name]
    assert rows[1][3] == second.code
    rows = read_xlsx(client.get(export_url(world, "xlsx", group=world.group.pk)))
    assert {r[1] for r in rows[1:]} == {s.full_name for s in world.students}
    # A group that does not study the course, or nonsense: refused.
    other = world.outsider.student_profile.group
    assert client.get(export_url(world, "csv", group=other.pk)).status_code == 400
    assert client.get(export_url(world, "csv", group="x")).status_code == 400


def test_a_name_like_a_formula_stays_text(client, world):
    student = world.student
    student.last_name = '=HYPERLINK("http://evil.example","x")'
    student.save(update_fields=["last_name"])
    client.force_login(world.tutor)
    rows = read_csv(client.get(export_url(world, "csv")))
    assert any(r[1].startswith("'=HYPERLINK") for r in rows[1:])
    sheet = load_workbook(io.BytesIO(client.get(export_url(world, "xlsx")).content)).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    formula = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert formula.data_type == "s"


ALLOWED = ["tutor", "registrar", "faculty_registrar", "admin"]
REFUSED = [
    "other_tutor",
    "other_faculty_registrar",
    "methodologist",
    "curator",
    "student",
    "parent",
    "outsider",
]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("who", ALLOWED + REFUSED)
def test_who_may_download_the_export(client, world, known, who, fmt):
    client.force_login(getattr(world, who))
    response = client.get(export_url(world, fmt))
    if who in ALLOWED:
        assert response.status_code == 200
        assert known.iin.encode() in response.content or fmt == "xlsx"
    else:
        assert response.status_code == 403
        assert known.iin.encode() not in response.content


def test_anonymous_is_sent_to_log_in(client, world, known):
    response = client.get(export_url(world, "csv"))
    assert response.status_code == 302
    assert known.iin.encode() not in response.content


def test_journal_page_links_the_export_for_those_who_may(client, world):
    client.force_login(world.tutor)
    page = lxml.html.fromstring(client.get(f"/courses/{world.offering.pk}/journal/").content)
    form = page.get_element_by_id("platonus-export")
    assert form.get("action") == export_url(world, "xlsx")
    assert export_url(world, "csv") in {b.get("formaction") for b in form.iter("button")}
    client.force_login(world.methodologist)  # reads the journal, may not export it
    response = client.get(f"/courses/{world.offering.pk}/journal/")
    assert response.status_code == 200
    assert b'id="platonus-export"' not in response.content


def _enrol(world, count):
    for _ in range(count):
        profile = StudentProfileFactory(group=world.group)
        Enrollment.objects.create(offering=world.offering, student=profile.user, group=world.group)
        services.marks_set(
            actor=world.tutor,
            offering=world.offering,
            student=profile.user,
            values={"tk1": 70, "rk1": 80, "exam": 60},
        )
        services.attendance_set(
            actor=world.tutor,
            offering=world.offering,
            student=profile.user,
            date=datetime.date(2026, 9, 8),
            present=False,
        )


def test_export_queries_do_not_grow_with_the_group(client, world, django_assert_max_num_queries):
    client.force_login(world.tutor)
    _enrol(world, 2)
    with django_assert_max_num_queries(14) as small:
        assert client.get(export_url(world, "csv")).status_code == 200
    _enrol(world, 20)
    with django_assert_max_num_queries(14) as large:
        response = client.get(export_url(world, "xlsx"))
    assert len(read_xlsx(response)) == 1 + 3 + 22
    assert len(large.captured_queries) == len(small.captured_queries)
