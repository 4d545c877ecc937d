"""The journal pages: the grid with its computed columns and sources, the plain form per row
(no JavaScript), who is refused (and that nothing changed), XLSX download and upload (a dry run
that lists bad cells, then all or nothing), the student's and the parent's rows, the registrar's
queue of late edits, and a query count that does not grow with the group."""

import io
from decimal import Decimal

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from qashyq.academics.models import Enrollment
from qashyq.academics.tests.factories import StudentProfileFactory
from qashyq.gradebook import services
from qashyq.gradebook.models import (
    Attendance,
    JournalRow,
    LateEditRequest,
    LateEditStatus,
    MarkChange,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False  # tests/e2e and accounts cover the MFA rule


def url(world, suffix=""):
    return f"/courses/{world.offering.pk}/journal/{suffix}"


def as_user(client, user):
    client.force_login(user)
    return client


def fill(world):
    services.marks_set(
        actor=world.tutor,
        offering=world.offering,
        student=world.student,
        values={"tk1": 90, "rk1": 90, "tk2": 90, "rk2": 90, "exam": "88.75"},
    )
    services.mark_post_from_source(
        actor=None,
        offering=world.offering,
        student=world.students[1],
        column="rk1",
        value=40,
        source="test",
        source_ref="attempt:9",
    )


def grid_row(response, student) -> dict:
    """The row of the grid as the user sees it: column -> text (inputs by value)."""
    doc = lxml.html.fromstring(response.content.decode())
    (tr,) = doc.xpath(f'//table[@id="journal-grid"]//tr[@data-student="{student.pk}"]')
    out = {}
    for td in tr.xpath("./td[@data-column]"):
        inputs = td.xpath(".//input")
        out[td.get("data-column")] = (
            inputs[0].get("value") if inputs else td.xpath('string(.//span[@class="value"])')
        )
        out[td.get("data-column") + "_source"] = td.xpath("string(.//abbr/@title)")
    for td in tr.xpath("./td[@data-computed]"):
        out[td.get("data-computed")] = td.text_content().strip()
    return out


def marks(world, student):
    row = JournalRow.objects.filter(journal__offering=world.offering, student=student).first()
    return None if row is None else {c: getattr(row, c) for c in ("tk1", "rk1", "tk2", "exam")}


# --- the grid ------------------------------------------------------------------------------------


def test_grid_shows_marks_computed_columns_and_sources(client, world):
    fill(world)
    response = as_user(client, world.tutor).get(url(world))
    assert response.status_code == 200
    row = grid_row(response, world.student)
    assert row["tk1"] == "90" and row["exam"] == "88.75"
    # Р1 = Р2 = admission = 90; final = round(0.6 x 90 + 0.4 x 88.75 = 89.5) = 90 -> A-
    assert (row["r1"], row["r2"], row["admission_rating"]) == ("90", "90", "90")
    assert (row["final_percent"], row["letter"]) == ("90", "A-")
    assert row["tk1_source"] == "entered by hand"
    other = grid_row(response, world.students[1])
    assert other["rk1"] == "40" and other["rk1_source"] == "test: attempt:9"
    # Incomplete rows compute nothing yet (no guessing at missing marks).
    assert other["r1"] == "" and other["final_percent"] == "" and other["letter"] == ""
    # Computed columns have no input: only the five marks are editable.
    doc = lxml.html.fromstring(response.content.decode())
    names = {i.get("name") for i in doc.xpath('//tr[@data-student]//td[@class="cell"]//input')}
    assert names == {"tk1", "rk1", "tk2", "rk2", "exam"}
    assert b"gradebook/journal.js" in response.content


def test_weekly_marks_show_as_an_aggregated_cc(client, world):
    for week, value in ((1, 80), (2, 60)):
        services.mark_set(
            actor=world.registrar,
            offering=world.offering,
            student=world.student,
            column=f"w{week}",
            value=value,
        )
    row = grid_row(as_user(client, world.tutor).get(url(world)), world.student)
    assert row["tk1"] == "70"
    assert row["tk1_source"].startswith("mean of the weekly marks")
    weeks = client.get(url(world, "weeks/"))
    assert weeks.status_code == 200
    doc = lxml.html.fromstring(weeks.content.decode())
    (cell,) = doc.xpath(f'//tr[@id="row-{world.student.pk}"]//td[@data-column="w1"]//input')
    assert cell.get("value") == "80"


def test_staff_reader_sees_the_grid_without_inputs(client, world):
    fill(world)
    response = as_user(client, world.methodologist).get(url(world))
    assert response.status_code == 200
    row = grid_row(response, world.student)
    assert row["tk1"] == "90" and row["letter"] == "A-"
    assert b"<input form=" not in response.content
    assert b"gradebook/journal.js" not in response.content


@pytest.mark.parametrize("who", ["other_tutor", "outsider", "methodologist", "admin", "curator"])
def test_non_tutor_cannot_post_marks_and_nothing_changes(client, world, who):
    fill(world)
    before = marks(world, world.student)
    changes = MarkChange.objects.count()
    response = as_user(client, getattr(world, who)).post(
        url(world), {"student": world.student.pk, "exam": "10"}
    )
    assert response.status_code == 403
    assert marks(world, world.student) == before
    assert MarkChange.objects.count() == changes


@pytest.mark.parametrize("who", ["other_tutor", "outsider", "other_faculty_registrar"])
def test_outsiders_cannot_read_the_journal(client, world, who):
    response = as_user(client, getattr(world, who)).get(url(world))
    assert response.status_code == 403
    assert "tutors" in response.content.decode()


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get(url(world))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the plain form (no JavaScript) --------------------------------------------------------------


def test_row_form_sets_only_the_changed_marks(client, world):
    fill(world)
    student = world.students[1]  # rk1 = 40 from a test: left alone when not changed
    response = as_user(client, world.tutor).post(
        url(world),
        {"student": student.pk, "tk1": "70", "rk1": "40", "tk2": "", "rk2": "", "exam": "55,5"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#row-{student.pk}")
    assert marks(world, student) == {
        "tk1": Decimal("70.00"),
        "rk1": Decimal("40.00"),
        "tk2": None,
        "exam": Decimal("55.50"),
    }
    row = JournalRow.objects.get(journal__offering=world.offering, student=student)
    assert row.rk1_source == "test"  # not rewritten as a hand entry
    assert set(
        MarkChange.objects.filter(student=student, actor=world.tutor).values_list(
            "column", flat=True
        )
    ) == {"tk1", "exam"}
    page = client.get(url(world))
    assert "Saved the marks of" in page.content.decode()
    assert grid_row(page, student)["exam"] == "55.5"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("101", "A mark must be from 0 to 100."),
        ("abc", "A mark must be a number from 0 to 100."),
        ("50.555", "A mark has at most two decimal places."),
    ],
)
def test_row_form_bad_value_changes_nothing_and_says_why(client, world, value, message):
    fill(world)
    before = marks(world, world.student)
    changes = MarkChange.objects.count()
    response = as_user(client, world.tutor).post(
        url(world), {"student": world.student.pk, "tk1": "10", "exam": value}
    )
    assert response.status_code == 400
    doc = lxml.html.fromstring(response.content.decode())
    (error,) = doc.xpath(f'//tr[@id="row-{world.student.pk}"]//*[contains(@class, "row-error")]')
    assert error.text_content().strip() == message
    assert grid_row(response, world.student)["tk1"] == "90"  # the old value is shown
    assert marks(world, world.student) == before
    assert MarkChange.objects.count() == changes


def test_weekly_form_files_a_late_edit_for_a_closed_week(client, world):
    response = as_user(client, world.tutor).post(
        url(world, "weeks/"), {"student": world.student.pk, "w2": "75", "reason": "was ill"}
    )
    assert response.status_code == 302
    request = LateEditRequest.objects.get()
    assert (request.week, request.value, request.status) == (2, Decimal(75), "pending")
    page = client.get(url(world, "weeks/"))
    assert "wait for the registrar" in page.content.decode()


# --- students and parents ------------------------------------------------------------------------


def test_student_sees_only_their_own_row(client, world):
    fill(world)
    response = as_user(client, world.student).get(url(world))
    assert response.status_code == 302 and response["Location"] == url(world, "mine/")
    page = client.get(url(world, "mine/"))
    assert page.status_code == 200
    text = page.content.decode()
    assert world.student.full_name in text and "A-" in text
    assert world.students[1].full_name not in text
    assert (
        "<input" not in lxml.html.tostring(lxml.html.fromstring(text).xpath("//main")[0]).decode()
    )
    assert client.post(url(world), {"student": world.student.pk, "exam": "100"}).status_code == 403
    assert marks(world, world.student)["exam"] == Decimal("88.75")
    overview = client.get("/journal/")
    assert url(world, "mine/") in overview.content.decode()


def test_parent_sees_the_childs_row_read_only(client, world):
    fill(world)
    page = as_user(client, world.parent).get(url(world, "mine/"))
    assert page.status_code == 200
    text = page.content.decode()
    assert world.student.full_name in text and "88.75" in text
    assert world.students[1].full_name not in text
    assert as_user(client, world.outsider).get(url(world, "mine/")).status_code == 403


# --- XLSX ----------------------------------------------------------------------------------------


def upload(client, world, content: bytes, reason="marks from the paper journal", name="j.xlsx"):
    file = SimpleUploadedFile(
        name,
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return client.post(url(world, "import/"), {"file": file, "reason": reason})


def edited(content: bytes, edits: dict) -> bytes:
    """The workbook with {(student_id, column): value} changed."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for (student_id, column), value in edits.items():
            if row[0].value == student_id:
                row[headers.index(column)].value = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_round_trip(client, world):
    fill(world)
    as_user(client, world.tutor)
    download = client.get(f"/courses/{world.offering.pk}/journal.xlsx")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.values)
    assert rows[0][:5] == ("student_id", "username", "full_name", "tk1", "rk1")
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id[world.student.pk][11:13] == (90, "A-")
    # Unchanged, the file changes nothing.
    same = upload(client, world, download.content)
    assert "nothing to change" in same.content.decode()
    # Change two marks of the third student and one of the first.
    third = world.students[2]
    content = edited(
        download.content,
        {(third.pk, "tk1"): 60, (third.pk, "exam"): "70.5", (world.student.pk, "exam"): 95},
    )
    preview = upload(client, world, content)
    assert preview.status_code == 200
    doc = lxml.html.fromstring(preview.content.decode())
    assert len(doc.xpath('//table[@id="upload-changes"]/tbody/tr')) == 3
    assert marks(world, third) is None or marks(world, third)["tk1"] is None  # dry run
    token = doc.xpath('//input[@name="token"]/@value')[0]
    applied = client.post(url(world, "import/"), {"confirm": "1", "token": token})
    assert applied.status_code == 302
    assert marks(world, third)["tk1"] == Decimal(60)
    assert marks(world, third)["exam"] == Decimal("70.5")
    assert marks(world, world.student)["exam"] == Decimal(95)
    change = MarkChange.objects.get(student=world.student, column="exam", new_value=95)
    assert (change.source, change.reason, change.source_ref) == (
        "import",
        "marks from the paper journal",
        "j.xlsx",
    )
    # The token is spent: confirming again changes nothing.
    count = MarkChange.objects.count()
    client.post(url(world, "import/"), {"confirm": "1", "token": token})
    assert MarkChange.objects.count() == count


def test_bad_upload_lists_every_bad_cell_and_changes_nothing(client, world):
    fill(world)
    as_user(client, world.tutor)
    download = client.get(f"/courses/{world.offering.pk}/journal.xlsx").content
    content = edited(
        download,
        {
            (world.student.pk, "tk1"): 150,
            (world.student.pk, "exam"): "good",
            (world.students[2].pk, "rk1"): 55,  # fine, but the file is refused as a whole
        },
    )
    workbook = load_workbook(io.BytesIO(content))
    workbook.active.append([world.outsider.pk, "", "", 50])
    out = io.BytesIO()
    workbook.save(out)
    before = MarkChange.objects.count()
    response = upload(client, world, out.getvalue())
    assert response.status_code == 400
    doc = lxml.html.fromstring(response.content.decode())
    problems = [
        tuple(c.text_content().strip() for c in tr)
        for tr in doc.xpath('//table[@id="upload-problems"]/tbody/tr')
    ]
    row_of = {r[0].value: r[0].row for r in load_workbook(io.BytesIO(content)).active.iter_rows()}
    assert (str(row_of[world.student.pk]), "tk1", "A mark must be from 0 to 100.") in problems
    assert (
        str(row_of[world.student.pk]),
        "exam",
        "A mark must be a number from 0 to 100.",
    ) in problems
    assert any(p[1] == "student_id" and "No student" in p[2] for p in problems)
    assert len(problems) == 3
    assert not doc.xpath('//input[@name="token"]')
    assert MarkChange.objects.count() == before
    assert marks(world, world.students[2]) is None or marks(world, world.students[2])["rk1"] is None


def test_upload_that_is_not_a_workbook_is_refused(client, world):
    as_user(client, world.tutor)
    response = upload(client, world, b"%PDF-1.4 not a sheet", name="j.xlsx")
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    empty = Workbook()
    out = io.BytesIO()
    empty.save(out)
    assert upload(client, world, out.getvalue()).status_code == 400
    assert not MarkChange.objects.exists()


def test_students_cannot_upload(client, world):
    as_user(client, world.student)
    assert client.get(url(world, "import/")).status_code == 403


# --- the registrar's queue -----------------------------------------------------------------------


def late_request(world, week=2, value=75):
    outcome = services.mark_set(
        actor=world.tutor,
        offering=world.offering,
        student=world.student,
        column=f"w{week}",
        value=value,
        reason="was ill",
    )
    return outcome.requests[0]


def test_registrar_approves_and_rejects_late_edits(client, world):
    first = late_request(world, week=2, value=75)
    second = late_request(world, week=3, value=20)
    as_user(client, world.faculty_registrar)
    page = client.get("/journal/late-edits/")
    assert page.status_code == 200
    doc = lxml.html.fromstring(page.content.decode())
    assert len(doc.xpath('//table[@id="late-edits"]/tbody/tr')) == 2
    assert "was ill" in page.content.decode()
    response = client.post(
        f"/journal/late-edits/{first.pk}/", {"decision": "approve", "note": "certificate seen"}
    )
    assert response.status_code == 302
    client.post(f"/journal/late-edits/{second.pk}/", {"decision": "reject", "note": "no"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == LateEditStatus.APPROVED and first.decision_note == "certificate seen"
    assert second.status == LateEditStatus.REJECTED
    weekly = MarkChange.objects.get(column="w2")
    assert weekly.new_value == 75 and "certificate seen" in weekly.reason
    assert not MarkChange.objects.filter(column="w3").exists()
    assert "No requests are waiting" in client.get("/journal/late-edits/").content.decode()
    # Deciding twice is refused.
    again = client.post(f"/journal/late-edits/{first.pk}/", {"decision": "reject"})
    assert again.status_code == 409


def test_late_edit_queue_is_the_registrars(client, world):
    request = late_request(world)
    for who in ("tutor", "admin", "methodologist"):
        as_user(client, getattr(world, who))
        assert client.get("/journal/late-edits/").status_code == 403
        assert (
            client.post(f"/journal/late-edits/{request.pk}/", {"decision": "approve"}).status_code
            == 403
        )
    # A registrar of another faculty sees an empty queue and may not decide.
    as_user(client, world.other_faculty_registrar)
    doc = lxml.html.fromstring(client.get("/journal/late-edits/").content.decode())
    assert not doc.xpath('//table[@id="late-edits"]')
    assert (
        client.post(f"/journal/late-edits/{request.pk}/", {"decision": "approve"}).status_code
        == 403
    )
    request.refresh_from_db()
    assert request.status == LateEditStatus.PENDING
    assert not MarkChange.objects.filter(column="w2").exists()


# --- queries -------------------------------------------------------------------------------------


def _enrol(world, count):
    for _ in range(count):
        profile = StudentProfileFactory(group=world.group)
        Enrollment.objects.get_or_create(
            offering=world.offering, student=profile.user, defaults={"group": world.group}
        )
        services.marks_set(
            actor=world.tutor,
            offering=world.offering,
            student=profile.user,
            values={"tk1": 70, "rk1": 80, "exam": 60},
        )
        services.mark_set(
            actor=world.tutor, offering=world.offering, student=profile.user, column="w9", value=60
        )


def test_journal_page_queries_do_not_grow_with_the_group(
    client, world, django_assert_max_num_queries
):
    as_user(client, world.tutor)
    _enrol(world, 2)  # 5 students
    with django_assert_max_num_queries(12) as small:
        response = client.get(url(world))
    assert response.content.decode().count("data-student=") == 5
    _enrol(world, 25)  # 30 students
    with django_assert_max_num_queries(12) as large:
        response = client.get(url(world))
    assert response.content.decode().count("data-student=") == 30
    assert len(large.captured_queries) == len(small.captured_queries)
    with django_assert_max_num_queries(12) as weeks:
        assert client.get(url(world, "weeks/")).status_code == 200
    assert len(weeks.captured_queries) <= len(small.captured_queries) + 2


def test_attendance_of_a_class_shows_as_absences(client, world):
    as_user(client, world.tutor)
    response = client.post(
        url(world, "attendance/"),
        {"date": "2026-09-08", "slot": "1", "absent": [world.student.pk]},
    )
    assert response.status_code == 302
    doc = lxml.html.fromstring(client.get(url(world, "weeks/")).content.decode())
    absent = doc.xpath(
        f'//tr[@id="row-{world.student.pk}"]//td[@data-column="w2"]//*[@class="absent"]'
    )
    assert len(absent) == 1 and absent[0].text_content() == "abs."
    assert not doc.xpath(f'//tr[@id="row-{world.students[1].pk}"]//*[@class="absent"]')
    mine = as_user(client, world.parent).get(url(world, "mine/")).content.decode()
    assert "week 2: 1" in mine
    # A date outside the period, or a student of another course: nothing is recorded.
    as_user(client, world.tutor)
    for data in (
        {"date": "2025-01-01", "slot": "1"},
        {"date": "2026-09-09", "slot": "1", "absent": [world.outsider.pk]},
    ):
        assert client.post(url(world, "attendance/"), data).status_code in (400, 404)
    assert (
        as_user(client, world.student)
        .post(url(world, "attendance/"), {"date": "2026-09-09", "slot": "1"})
        .status_code
        == 403
    )
    assert Attendance.objects.count() == 3
