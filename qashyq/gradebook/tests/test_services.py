"""Writing marks: who may, what is checked, what is audited, weekly marks into ТК, closed weeks
and the registrar's approval, the posting entry point, attendance."""

import datetime
import threading
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from qashyq.accounts.tests.factories import UserFactory
from qashyq.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry
from qashyq.gradebook import computation as c
from qashyq.gradebook import selectors, services
from qashyq.gradebook.models import (
    Attendance,
    CurrentMark,
    GradingScheme,
    Journal,
    JournalRow,
    LateEditRequest,
    MarkChange,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def row_of(w, student=None):
    return selectors.journal_row(w.offering, (student or w.student).pk)


def test_journal_is_created_lazily_under_the_default_scheme_with_a_row_per_student(world):
    assert not Journal.objects.filter(offering=world.offering).exists()
    # reading creates nothing
    _scheme, rows = selectors.journal_rows(world.offering)
    assert len(rows) == 3 and all(r.result.admission_rating is None for r in rows)
    assert not Journal.objects.exists()
    journal = services.journal_for(world.offering)
    assert journal.scheme == GradingScheme.objects.get(is_default=True)
    assert set(journal.rows.values_list("student_id", flat=True)) == {s.pk for s in world.students}
    assert services.journal_for(world.offering) == journal


def test_tutor_sets_a_mark_and_the_change_is_audited(world):
    services.mark_set(
        actor=world.tutor, offering=world.offering, student=world.student, column="tk1", value=85
    )
    services.mark_set(
        actor=world.tutor,
        offering=world.offering,
        student=world.student,
        column="tk1",
        value="90.5",
        reason="Re-checked the essay",
    )
    row = row_of(world)
    assert row.cells["tk1"].value == D("90.5")
    assert row.cells["tk1"].source == "manual"
    changes = list(MarkChange.objects.order_by("id"))
    assert [(c.column, c.old_value, c.new_value) for c in changes] == [
        ("tk1", None, D("85")),
        ("tk1", D("85"), D("90.5")),
    ]
    assert changes[1].actor == world.tutor and changes[1].reason == "Re-checked the essay"
    audit = AuditLogEntry.objects.filter(action="gradebook.mark_change").order_by("id")
    assert audit.count() == 2
    last = audit.last()
    assert last.actor == world.tutor
    assert last.old_value == {"column": "tk1", "value": "85.00"}
    assert last.new_value["value"] == "90.50" and last.reason == "Re-checked the essay"


def test_setting_the_same_value_again_is_not_a_change(world):
    for _ in range(2):
        services.mark_set(
            actor=world.tutor,
            offering=world.offering,
            student=world.student,
            column="rk1",
            value=70,
        )
    assert MarkChange.objects.count() == 1


def test_full_row_gives_the_letter(world):
    outcome = services.marks_set(
        actor=world.tutor,
        offering=world.offering,
        student=world.student,
        values={"tk1": 90, "rk1": 90, "tk2": 90, "rk2": 90, "exam": "88.75"},
    )
    assert sorted(outcome.changed) == ["exam", "rk1", "rk2", "tk1", "tk2"]
    result = row_of(world).result
    assert (result.final_percent, result.letter, result.points) == (D(90), "A-", D("3.67"))


def test_registrar_may_set_marks(world):
    for registrar in (world.registrar, world.faculty_registrar):
        services.mark_set(
            actor=registrar, offering=world.offering, student=world.student, column="exam", value=77
        )
    assert row_of(world).cells["exam"].value == D(77)


@pytest.mark.parametrize(
    "who",
    ["other_tutor", "student", "parent", "methodologist", "admin", "other_faculty_registrar", None],
)
def test_denied_change_changes_nothing(world, who):
    services.mark_set(
        actor=world.tutor, offering=world.offering, student=world.student, column="tk1", value=60
    )
    audit_before = AuditLogEntry.objects.count()
    actor = getattr(world, who) if who else None
    if actor is None:
        actor = AnonymousUser()
    with pytest.raises(PermissionDenied):
        services.mark_set(
            actor=actor, offering=world.offering, student=world.student, column="tk1", value=100
        )
    assert row_of(world).cells["tk1"].value == D(60)
    assert MarkChange.objects.count() == 1
    assert AuditLogEntry.objects.count() == audit_before


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (-1, "mark_out_of_range"),
        ("100.01", "mark_out_of_range"),
        (101, "mark_out_of_range"),
        ("abc", "mark_not_a_number"),
        ("NaN", "mark_not_a_number"),
        ("Infinity", "mark_not_a_number"),
        (True, "mark_not_a_number"),
        ([1], "mark_not_a_number"),
        ("50.001", "mark_too_precise"),
    ],
)
def test_bad_values_are_refused_and_change_nothing(world, value, code):
    with pytest.raises(ValidationFailed) as exc:
        services.marks_set(
            actor=world.tutor,
            offering=world.offering,
            student=world.student,
            values={"tk1": 80, "rk1": value},
        )
    assert exc.value.code == code
    assert str(exc.value.message).startswith("A mark")
    assert not JournalRow.objects.filter(tk1__isnull=False).exists()
    assert not MarkChange.objects.exists() and not AuditLogEntry.objects.exists()


@pytest.mark.parametrize("value", [0, 100, "0", "100.00", "49,5", D("66.67")])
def test_edge_values_are_accepted(world, value):
    services.mark_set(
        actor=world.tutor,
        offering=world.offering,
        student=world.student,
        column="exam",
        value=value,
    )
    assert row_of(world).cells["exam"].value == services.clean_mark(value)


def test_unknown_column_and_student_outside_the_course(world):
    with pytest.raises(ValidationFailed) as exc:
        services.mark_set(
            actor=world.tutor, offering=world.offering, student=world.student, column="r1", value=1
        )
    assert exc.value.code == "unknown_column"
    with pytest.raises(ValidationFailed):
        services.mark_set(
            actor=world.tutor, offering=world.offering, student=world.student, column="w16", value=1
        )
    with pytest.raises(NotFound):
        services.mark_set(
            actor=world.tutor,
            offering=world.offering,
            student=world.outsider,
            column="tk1",
            value=1,
        )
    assert not MarkChange.objects.exists()


def test_weekly_marks_average_into_tk_and_a_direct_entry_wins(world):
    def put(column, value):
        return services.mark_set(
            actor=world.tutor,
            offering=world.offering,
            student=world.student,
            column=column,
            value=value,
            reason="late" if column == "w1" else "",
        )

    put("w7", 80)  # week 7 is open
    put("w8", 70)  # week 8: second half
    put("w9", 91)
    row = row_of(world)
    assert row.cells["tk1"].value == D(80) and row.cells["tk1"].source == "aggregated"
    assert row.cells["tk2"].value == D("80.5") and row.cells["tk2"].source == "aggregated"
    put("tk1", 60)
    row = row_of(world)
    assert (row.cells["tk1"].value, row.cells["tk1"].source) == (D(60), "manual")
    put("tk1", None)  # clearing the direct entry brings the mean back
    row = row_of(world)
    assert (row.cells["tk1"].value, row.cells["tk1"].source) == (D(80), "aggregated")
    put("w9", None)  # clearing a weekly mark
    assert row_of(world).cells["tk2"].value == D(70)
    assert [c.column for c in MarkChange.objects.order_by("id")] == [
        "w7",
        "w8",
        "w9",
        "tk1",
        "tk1",
        "w9",
    ]


def test_weekly_mean_is_not_rounded_before_the_formula(world):
    for week, value in ((8, 70), (9, 70), (10, 71)):
        services.mark_set(
            actor=world.tutor,
            offering=world.offering,
            student=world.student,
            column=f"w{week}",
            value=value,
        )
    assert row_of(world).cells["tk2"].value == D(211) / D(3)


def test_closed_week_files_a_request_instead_of_changing(world):
    with pytest.raises(ValidationFailed) as exc:
        services.mark_set(
            actor=world.tutor, offering=world.offering, student=world.student, column="w6", value=75
        )
    assert exc.value.code == "reason_required"
    outcome = services.mark_set(
        actor=world.tutor,
        offering=world.offering,
        student=world.student,
        column="w6",
        value=75,
        reason="The student was ill; certificate no. 12",
    )
    assert outcome.pending and outcome.changed == []
    request = outcome.requests[0]
    assert (request.status, request.week, request.value) == ("pending", 6, D(75))
    assert not CurrentMark.objects.exists() and not MarkChange.objects.exists()
    assert list(selectors.pending_late_edits(world.offering)) == [request]


def test_registrar_edits_a_closed_week_directly(world):
    outcome = services.mark_set(
        actor=world.registrar,
        offering=world.offering,
        student=world.student,
        column="w1",
        value=65,
        reason="Correction",
    )
    assert outcome.changed == ["w1"] and not outcome.pending
    assert CurrentMark.objects.get().value == D(65)


def test_week_close_period_is_the_registrars_setting(world):
    scheme = GradingScheme.objects.get(is_default=True)
    services.scheme_set_week_close(actor=world.registrar, scheme=scheme, days=60)
    outcome = services.mark_set(
        actor=world.tutor, offering=world.offering, student=world.student, column="w1", value=65
    )
    assert outcome.changed == ["w1"]
    with pytest.raises(PermissionDenied):
        services.scheme_set_week_close(actor=world.tutor, scheme=scheme, days=0)
    with pytest.raises(ValidationFailed):
        services.scheme_set_week_close(actor=world.registrar, scheme=scheme, days="x")


def _request(world, value=75):
    return services.mark_set(
        actor=world.tutor,
        offering=world.offering,
        student=world.student,
        column="w3",
        value=value,
        reason="Forgot to enter",
    ).requests[0]


def test_registrar_approves_a_late_edit(world):
    request = _request(world)
    with pytest.raises(PermissionDenied):
        services.late_edit_decide(actor=world.tutor, request=request, approve=True)
    with pytest.raises(PermissionDenied):
        services.late_edit_decide(
            actor=world.other_faculty_registrar, request=request, approve=True
        )
    assert not CurrentMark.objects.exists()
    decided = services.late_edit_decide(
        actor=world.registrar, request=request, approve=True, note="Certificate seen"
    )
    assert decided.status == "approved" and decided.decided_by == world.registrar
    assert CurrentMark.objects.get(week=3).value == D(75)
    change = MarkChange.objects.get()
    assert change.actor == world.registrar and change.column == "w3"
    assert "Forgot to enter" in change.reason and "Certificate seen" in change.reason
    assert row_of(world).cells["tk1"].value == D(75)
    assert AuditLogEntry.objects.filter(action="gradebook.late_edit_decided").count() == 1
    with pytest.raises(Conflict):
        services.late_edit_decide(actor=world.registrar, request=request, approve=False)


def test_rejected_late_edit_changes_nothing(world):
    request = _request(world)
    services.late_edit_decide(actor=world.faculty_registrar, request=request, approve=False)
    request.refresh_from_db()
    assert request.status == "rejected"
    assert not CurrentMark.objects.exists() and not MarkChange.objects.exists()


def test_posting_entry_point(world):
    outcome = services.mark_post_from_source(
        actor=None,
        offering=world.offering,
        student=world.student,
        column="rk1",
        value="88.5",
        source="test",
        source_ref="attempt:42",
    )
    assert outcome.changed == ["rk1"]
    cell = row_of(world).cells["rk1"]
    assert (cell.value, cell.source, cell.source_ref) == (D("88.5"), "test", "attempt:42")
    change = MarkChange.objects.get()
    assert change.actor is None and change.source == "test"
    services.mark_post_from_source(
        actor=world.tutor,
        offering=world.offering,
        student=world.student,
        column="w8",
        value=70,
        source="assignment",
        source_ref="submission:7",
    )
    assert CurrentMark.objects.get().source == "assignment"
    # a late weekly mark from a source waits for the registrar too
    late = services.mark_post_from_source(
        actor=None,
        offering=world.offering,
        student=world.student,
        column="w2",
        value=70,
        source="test",
        source_ref="attempt:43",
    )
    assert late.pending and LateEditRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("source", "ref", "code"),
    [
        ("manual", "x", "bad_source"),
        ("aggregated", "x", "bad_source"),
        ("test", " ", "source_ref_required"),
    ],
)
def test_posting_refuses_bad_sources(world, source, ref, code):
    with pytest.raises(ValidationFailed) as exc:
        services.mark_post_from_source(
            actor=None,
            offering=world.offering,
            student=world.student,
            column="rk1",
            value=50,
            source=source,
            source_ref=ref,
        )
    assert exc.value.code == code
    assert not MarkChange.objects.exists()


def test_mark_changes_are_append_only(world):
    services.mark_set(
        actor=world.tutor, offering=world.offering, student=world.student, column="tk1", value=1
    )
    change = MarkChange.objects.get()
    with pytest.raises(RuntimeError):
        change.save()
    with pytest.raises(RuntimeError):
        change.delete()
    with pytest.raises(RuntimeError):
        MarkChange.objects.update(reason="x")
    with pytest.raises(RuntimeError):
        MarkChange.objects.all().delete()


def test_attendance(world):
    day = datetime.date(2026, 9, 15)
    entry = services.attendance_set(
        actor=world.tutor, offering=world.offering, student=world.student, date=day, present=False
    )
    assert (entry.week, entry.mark) == (3, "abs.")
    services.attendance_set(
        actor=world.tutor, offering=world.offering, student=world.student, date=day, present=True
    )
    assert Attendance.objects.get().present is True
    assert AuditLogEntry.objects.filter(action="gradebook.attendance").count() == 2
    with pytest.raises(ValidationFailed):
        services.attendance_set(
            actor=world.tutor,
            offering=world.offering,
            student=world.student,
            date=datetime.date(2027, 3, 1),
            present=False,
        )
    with pytest.raises(PermissionDenied):
        services.attendance_set(
            actor=world.other_tutor,
            offering=world.offering,
            student=world.student,
            date=day,
            present=False,
        )
    assert Attendance.objects.get().present is True


def test_without_any_scheme_the_national_one_is_used_and_saved(world):
    GradingScheme.objects.all().delete()
    scheme, rows = selectors.journal_rows(world.offering)
    assert scheme.pk is None and scheme.rules().scale == c.NATIONAL_SCALE
    assert not GradingScheme.objects.exists()
    services.mark_set(
        actor=world.tutor, offering=world.offering, student=world.student, column="exam", value=50
    )
    saved = GradingScheme.objects.get()
    assert saved.is_default and world.offering.journal.scheme == saved


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="row locks need PostgreSQL (SQLite serialises writers anyway)",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_one_cell_chain_their_audit(world):
    """Two tutors write the same cell at the same moment: the row lock serialises them, so the
    second change's old value is the first change's new value (no lost update in the audit)."""
    services.journal_for(world.offering)
    second_tutor = UserFactory()
    world.offering.tutors.add(second_tutor)
    barrier = threading.Barrier(2)
    errors = []

    def write(actor, value):
        try:
            barrier.wait()
            services.mark_set(
                actor=actor,
                offering=world.offering,
                student=world.student,
                column="exam",
                value=value,
            )
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=write, args=(world.tutor, 70)),
        threading.Thread(target=write, args=(second_tutor, 80)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    first, second = MarkChange.objects.order_by("id")
    assert first.old_value is None
    assert second.old_value == first.new_value
    assert row_of(world).cells["exam"].value == second.new_value
