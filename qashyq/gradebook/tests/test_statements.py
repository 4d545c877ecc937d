"""Statements (ведомость): generation from the journal, signatures, locking into final grades,
the registrar's correction, the FX re-sit statement, the PDF and who may do what."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from qashyq.core.errors import Conflict, PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry
from qashyq.gradebook import selectors, services
from qashyq.gradebook.models import (
    FinalGrade,
    JournalRow,
    MarkChange,
    Statement,
    StatementLine,
    StatementStatus,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# Three students: A- (admitted, good exam), FX (admitted, exam below 50), F (not admitted).
MARKS = [
    {"tk1": 90, "rk1": 90, "tk2": 90, "rk2": 90, "exam": 95},
    {"tk1": 70, "rk1": 70, "tk2": 70, "rk2": 70, "exam": 30},
    {"tk1": 30, "rk1": 30, "tk2": 30, "rk2": 30},
]


def fill(world, marks=MARKS):
    for student, values in zip(world.students, marks, strict=True):
        services.marks_set(
            actor=world.tutor, offering=world.offering, student=student, values=values
        )


def signed_statement(world, kind="exam"):
    statement = services.statement_generate(actor=world.tutor, offering=world.offering, kind=kind)
    return services.statement_sign(actor=world.tutor, statement=statement)


def locked_statement(world, kind="exam"):
    return services.statement_lock(actor=world.registrar, statement=signed_statement(world, kind))


def test_generate_snapshots_the_journal_for_the_offerings_students_only(world):
    fill(world)
    statement = services.statement_generate(actor=world.tutor, offering=world.offering, kind="exam")
    lines = {line.student_id: line for line in statement.lines.all()}
    assert set(lines) == {s.pk for s in world.students}
    assert world.outsider.pk not in lines
    first, fx, f = (lines[s.pk] for s in world.students)
    assert (first.percent, first.letter, first.points) == (Decimal(92), "A-", Decimal("3.67"))
    assert (fx.letter, fx.points, fx.admitted) == ("FX", Decimal("0.50"), True)
    assert (f.letter, f.admitted) == ("F", False)
    assert statement.status == StatementStatus.DRAFT
    assert statement.tutor == world.tutor


def test_generate_refuses_and_lists_empty_cells(world):
    marks = [dict(m) for m in MARKS]
    del marks[0]["exam"]  # admitted: the exam matters
    del marks[1]["rk2"]
    fill(world, marks)
    with pytest.raises(ValidationFailed) as caught:
        services.statement_generate(actor=world.tutor, offering=world.offering, kind="exam")
    cells = caught.value.details["cells"]
    assert len(cells) == 2  # the not-admitted F student needs no exam
    assert any("Exam" in c for c in cells) and any("MT2" in c for c in cells)
    assert not Statement.objects.exists()


def test_sign_and_lock_write_final_grades_once(world):
    fill(world)
    statement = services.statement_generate(actor=world.tutor, offering=world.offering, kind="exam")
    with pytest.raises(Conflict):
        services.statement_lock(actor=world.registrar, statement=statement)
    statement = services.statement_sign(actor=world.tutor, statement=statement)
    assert statement.status == StatementStatus.SIGNED
    services.statement_lock(actor=world.registrar, statement=statement)
    services.statement_lock(actor=world.registrar, statement=statement)  # idempotent
    grades = FinalGrade.objects.filter(offering=world.offering)
    assert grades.count() == 3
    grade = selectors.final_grades_of(world.students[0]).get()
    assert (grade.letter, grade.points, grade.attempt_kind) == ("A-", Decimal("3.67"), "regular")
    assert grade.credits == world.offering.discipline.credits
    f_grade = grades.get(student=world.students[2])
    assert f_grade.percent is None and f_grade.letter == "F"


def test_commission_members_must_all_sign(world):
    fill(world)
    member = world.other_tutor
    statement = services.statement_generate(actor=world.tutor, offering=world.offering, kind="exam")
    statement.commission.add(member)
    services.statement_sign(actor=world.tutor, statement=statement)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DRAFT
    services.statement_sign(actor=member, statement=statement)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.SIGNED


def test_journal_edit_refused_after_lock(world):
    fill(world)
    locked_statement(world)
    with pytest.raises(Conflict) as caught:
        services.mark_set(
            actor=world.tutor,
            offering=world.offering,
            student=world.students[0],
            column="exam",
            value=50,
        )
    assert "locked" in str(caught.value.message)
    row = JournalRow.objects.get(student=world.students[0])
    assert row.exam == Decimal(95)


def test_registrar_correction_recomputes_and_is_audited(world):
    fill(world)
    statement = locked_statement(world)
    line = services.statement_correct(
        actor=world.registrar,
        statement=statement,
        student=world.students[0],
        field="exam",
        value=100,
        reason="Scoring error on page 2",
    )
    assert (line.percent, line.letter) == (Decimal(94), "A-")
    line = services.statement_correct(
        actor=world.registrar,
        statement=statement,
        student=world.students[1],
        field="exam",
        value=80,
        reason="Appeal upheld",
    )
    assert (line.percent, line.letter) == (Decimal(74), "C+")
    grade = FinalGrade.objects.get(student=world.students[1])
    assert (grade.letter, grade.percent) == ("C+", Decimal(74))
    assert JournalRow.objects.get(student=world.students[1]).exam == Decimal(80)
    change = MarkChange.objects.filter(student=world.students[1]).first()
    assert (change.old_value, change.new_value) == (Decimal(30), Decimal(80))
    entry = AuditLogEntry.objects.get(
        action="gradebook.statement_correct",
        object_id=f"{statement.pk}:{world.students[1].pk}",
    )
    assert entry.reason == "Appeal upheld"
    assert entry.old_value["letter"] == "FX" and entry.new_value["letter"] == "C+"
    assert entry.actor == world.registrar


def test_correction_needs_a_reason_and_the_registrar(world):
    fill(world)
    statement = locked_statement(world)
    with pytest.raises(ValidationFailed):
        services.statement_correct(
            actor=world.registrar,
            statement=statement,
            student=world.students[1],
            field="exam",
            value=80,
            reason=" ",
        )
    with pytest.raises(PermissionDenied):
        services.statement_correct(
            actor=world.tutor,
            statement=statement,
            student=world.students[1],
            field="exam",
            value=80,
            reason="x",
        )
    assert FinalGrade.objects.get(student=world.students[1]).letter == "FX"


def test_fx_resit_statement(world):
    fill(world)
    locked_statement(world)
    # The FX student's exam cell stays open for the re-sit mark; the others' do not.
    services.mark_set(
        actor=world.tutor,
        offering=world.offering,
        student=world.students[1],
        column="exam",
        value=60,
    )
    with pytest.raises(Conflict):
        services.mark_set(
            actor=world.tutor,
            offering=world.offering,
            student=world.students[1],
            column="tk1",
            value=99,
        )
    resit = services.statement_generate(actor=world.tutor, offering=world.offering, kind="fx_resit")
    line = resit.lines.get()
    assert line.student == world.students[1]
    assert (line.admission, line.exam, line.percent, line.letter) == (
        Decimal(70),
        Decimal(60),
        Decimal(66),
        "C",
    )
    # An FX re-sit is signed by a commission too (test_commission.py covers the rule).
    services.statement_commission_set(
        actor=world.registrar, statement=resit, members=[world.other_tutor]
    )
    services.statement_sign(actor=world.tutor, statement=resit)
    services.statement_sign(actor=world.other_tutor, statement=resit)
    services.statement_lock(actor=world.registrar, statement=resit)
    grades = FinalGrade.objects.filter(student=world.students[1]).order_by("id")
    assert [(g.attempt_kind, g.letter) for g in grades] == [("regular", "FX"), ("fx_resit", "C")]
    with pytest.raises(Conflict):
        services.mark_set(
            actor=world.tutor,
            offering=world.offering,
            student=world.students[1],
            column="exam",
            value=90,
        )


def test_pdf_in_kazakh_renders_kazakh_letters(world):
    from pypdf import PdfReader

    from qashyq.gradebook.statement_pdf import statement_pdf

    student = world.students[0]
    student.first_name, student.last_name = "Әлия", "Қасымова"
    student.save(update_fields=["first_name", "last_name"])
    fill(world)
    statement = locked_statement(world)
    data = statement_pdf(statement, language="kk")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Ә" in text
    assert "Қасымова" in text
    assert "A-" in text
    assert statement.number in text


@pytest.mark.parametrize("who", ["student", "outsider", "other_tutor", "methodologist", "admin"])
def test_outsiders_cannot_generate_sign_or_lock(world, who):
    fill(world)
    actor = getattr(world, who)
    with pytest.raises(PermissionDenied):
        services.statement_generate(actor=actor, offering=world.offering, kind="exam")
    assert not Statement.objects.exists()
    statement = services.statement_generate(actor=world.tutor, offering=world.offering, kind="exam")
    with pytest.raises(PermissionDenied):
        services.statement_sign(actor=actor, statement=statement)
    services.statement_sign(actor=world.tutor, statement=statement)
    with pytest.raises(PermissionDenied):
        services.statement_lock(actor=actor, statement=statement)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.SIGNED
    assert not FinalGrade.objects.exists()


def test_tutor_cannot_lock_and_other_faculty_registrar_cannot(world):
    fill(world)
    statement = signed_statement(world)
    for actor in (world.tutor, world.other_faculty_registrar):
        with pytest.raises(PermissionDenied):
            services.statement_lock(actor=actor, statement=statement)
    services.statement_lock(actor=world.faculty_registrar, statement=statement)
    assert FinalGrade.objects.count() == 3


def test_statement_pages(client, world, settings, django_assert_max_num_queries):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False  # tests/e2e and accounts cover the MFA rule
    fill(world)
    client.force_login(world.tutor)
    url = reverse("gradebook:statements", args=[world.offering.pk])
    response = client.post(url, {"kind": "exam", "group": ""})
    statement = Statement.objects.get()
    assert response["Location"] == reverse("gradebook:statement", args=[statement.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'id="statement-sign"' in page and 'id="statement-lock"' not in page
    client.post(reverse("gradebook:statement_sign", args=[statement.pk]))
    statement.refresh_from_db()
    assert statement.status == StatementStatus.SIGNED

    client.force_login(world.registrar)
    with django_assert_max_num_queries(12):  # 10 measured, whatever the number of statements
        response = client.get(url)
    assert response.status_code == 200
    assert statement.number in response.content.decode()
    with django_assert_max_num_queries(12):  # 10 measured, whatever the number of lines
        page = client.get(reverse("gradebook:statement", args=[statement.pk])).content.decode()
    assert 'id="statement-lock"' in page
    response = client.post(reverse("gradebook:statement_lock", args=[statement.pk]))
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.LOCKED
    response = client.get(reverse("gradebook:statement_pdf", args=[statement.pk]) + "?lang=en")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    correct = reverse("gradebook:statement_correct", args=[statement.pk])
    data = {"student": world.students[1].pk, "field": "exam", "value": "80", "reason": ""}
    client.post(correct, data)  # no reason: refused, nothing changes
    assert StatementLine.objects.get(student=world.students[1]).letter == "FX"
    client.post(correct, {**data, "reason": "Appeal upheld"})
    assert StatementLine.objects.get(student=world.students[1]).letter == "C+"

    client.force_login(world.outsider)
    assert client.get(url).status_code == 403
    assert client.post(correct, {**data, "value": "10", "reason": "x"}).status_code == 403
    assert StatementLine.objects.get(student=world.students[1]).letter == "C+"


def test_journal_grid_refuses_a_locked_students_mark(client, world, settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    fill(world)
    locked_statement(world)
    client.force_login(world.tutor)
    student = world.students[0]
    response = client.post(
        reverse("gradebook:journal", args=[world.offering.pk]),
        {"student": student.pk, "tk1": "90", "rk1": "90", "tk2": "90", "rk2": "90", "exam": "20"},
    )
    assert response.status_code == 409
    assert "locked" in response.content.decode()
    assert JournalRow.objects.get(student=student).exam == Decimal(95)
