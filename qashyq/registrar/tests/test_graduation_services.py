"""Attestation events and results: bad input changes nothing, changes are audit-logged, and the
permission matrix (role x action) leaves everything as it was when denied."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from qashyq.core.errors import Conflict, PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry
from qashyq.registrar.models import FinalAttestationEvent, FinalAttestationResult
from qashyq.registrar.services import graduation as services

from .fixtures_graduation import final_year_student, make_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def gw(db):
    return make_world()


def soon(days=3):
    return timezone.now() + datetime.timedelta(days=days)


def create(gw, actor, **kw):
    values = {
        "program_id": gw.program.pk,
        "academic_year_id": gw.year.pk,
        "kind": "creative",
        "format": "distance",
        "starts_at": soon(),
        "place": "https://meet.example.kz/room",
        "commission": "Төраға: А. Сапарова",
    }
    values.update(kw)
    return services.attestation_event_create(actor=actor, **values)


def snapshot():
    return (
        list(FinalAttestationEvent.objects.order_by("pk").values()),
        list(FinalAttestationResult.objects.order_by("pk").values()),
        AuditLogEntry.objects.count(),
    )


# --- grading ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "letter", "points", "passed"),
    [
        ("100", "A", "4.0", True),
        ("95", "A", "4.0", True),
        ("94", "A-", "3.67", True),
        ("50", "D", "1.0", True),
        ("49.5", "D", "1.0", True),  # the default scheme rounds to whole percents, half up
        ("49.4", "FX", "0.5", False),
        ("25", "FX", "0.5", False),
        ("24", "F", "0", False),
        ("0", "F", "0", False),
    ],
)
def test_letter_and_points_follow_the_default_scheme(percent, letter, points, passed):
    grade = services.attestation_grade(Decimal(percent))
    assert (grade.letter, grade.points, grade.passed) == (letter, Decimal(points), passed)


@pytest.mark.parametrize("bad", ["", "abc", "1e400", "NaN", "-1", "100.01", "101", "50.123"])
def test_bad_marks_are_refused_with_a_clear_message(bad):
    with pytest.raises(ValidationFailed) as error:
        services.parse_percent(bad)
    assert "100" in str(error.value.message) or "decimals" in str(error.value.message)


def test_a_comma_is_a_decimal_point():
    assert services.parse_percent(" 85,5 ") == Decimal("85.50")


# --- events ------------------------------------------------------------------------------------


def test_registrar_creates_an_event_and_it_is_audited(gw):
    event = create(gw, gw.registrar)
    assert (event.kind, event.format, event.created_by) == ("creative", "distance", gw.registrar)
    entry = AuditLogEntry.objects.get(action="attestation_event.create")
    assert entry.actor == gw.registrar and entry.new_value["format"] == "distance"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "party", "kind"),
        ("format", "hybrid", "distance or on site"),
        ("starts_at", None, "date and time"),
        ("place", "Room 5", "link"),
        ("place", "javascript:alert(1)", "link"),
    ],
)
def test_bad_event_input_changes_nothing(gw, field, value, message):
    before = snapshot()
    with pytest.raises(ValidationFailed) as error:
        create(gw, gw.registrar, **{field: value})
    assert message in str(error.value.message)
    assert field in error.value.details
    assert snapshot() == before


def test_an_event_outside_the_academic_year_is_refused(gw):
    before = snapshot()
    with pytest.raises(ValidationFailed) as error:
        create(gw, gw.registrar, starts_at=soon(days=400))
    assert "within the academic year" in str(error.value.message)
    assert snapshot() == before


def test_an_onsite_event_takes_a_room(gw):
    event = create(gw, gw.leader, format="onsite", place="Бас ғимарат, 204")
    assert event.place == "Бас ғимарат, 204"


def test_one_event_of_a_kind_per_program_and_year(gw):
    before = snapshot()
    with pytest.raises(Conflict):
        create(gw, gw.registrar, kind="state_exam")
    assert snapshot() == before


def test_an_event_is_edited_before_it_starts_and_the_change_is_audited(gw):
    event = create(gw, gw.registrar)
    later = soon(days=5)
    services.attestation_event_update(
        actor=gw.leader,
        event_id=event.pk,
        kind="creative",
        format="onsite",
        starts_at=later,
        place="Концерт залы",
        commission="",
    )
    event.refresh_from_db()
    assert (event.format, event.place, event.starts_at) == ("onsite", "Концерт залы", later)
    entry = AuditLogEntry.objects.get(action="attestation_event.change")
    assert entry.old_value["format"] == "distance" and entry.new_value["format"] == "onsite"


def test_a_started_event_cannot_be_edited(gw):
    before = snapshot()
    with pytest.raises(Conflict):
        services.attestation_event_update(
            actor=gw.registrar,
            event_id=gw.exam.pk,
            kind="state_exam",
            format="onsite",
            starts_at=soon(),
            place="",
            commission="",
        )
    assert snapshot() == before


def test_editing_into_a_kind_the_program_already_has_is_refused(gw):
    event = create(gw, gw.registrar)
    before = snapshot()
    with pytest.raises(Conflict):
        services.attestation_event_update(
            actor=gw.registrar,
            event_id=event.pk,
            kind="thesis",
            format="onsite",
            starts_at=soon(),
            place="",
            commission="",
        )
    assert snapshot() == before


# --- results ---------------------------------------------------------------------------------


def test_recording_a_result_gives_letter_points_and_an_audit_entry(gw):
    student = final_year_student(gw).user
    result = services.attestation_result_record(
        actor=gw.leader, event_id=gw.exam.pk, student_id=student.pk, percent="72"
    )
    assert (result.letter, result.points, result.passed) == ("C+", Decimal("2.33"), True)
    entry = AuditLogEntry.objects.get(action="attestation_result.create")
    assert entry.old_value is None and entry.new_value["letter"] == "C+"
    assert entry.actor == gw.leader


def test_changing_a_result_needs_a_reason_and_logs_old_and_new(gw):
    before = snapshot()
    with pytest.raises(ValidationFailed) as error:
        services.attestation_result_record(
            actor=gw.registrar, event_id=gw.exam.pk, student_id=gw.student.pk, percent="40"
        )
    assert "why" in str(error.value.message).lower()
    assert snapshot() == before
    result = services.attestation_result_record(
        actor=gw.registrar,
        event_id=gw.exam.pk,
        student_id=gw.student.pk,
        percent="40",
        reason="Appeal commission decision №3",
    )
    assert (result.letter, result.passed) == ("FX", False)
    entry = AuditLogEntry.objects.get(action="attestation_result.change")
    assert entry.old_value["percent"] == "85.00" and entry.new_value["percent"] == "40.00"
    assert entry.old_value["passed"] is True and entry.new_value["passed"] is False
    assert entry.reason == "Appeal commission decision №3"


def test_recording_the_same_mark_again_changes_nothing(gw):
    before = snapshot()
    services.attestation_result_record(
        actor=gw.registrar, event_id=gw.exam.pk, student_id=gw.student.pk, percent="85"
    )
    assert snapshot() == before


@pytest.mark.parametrize("bad", ["", "eighty", "-5", "100.5", "1e3"])
def test_a_bad_mark_changes_nothing(gw, bad):
    before = snapshot()
    with pytest.raises(ValidationFailed):
        services.attestation_result_record(
            actor=gw.registrar,
            event_id=gw.exam.pk,
            student_id=gw.student.pk,
            percent=bad,
            reason="typo",
        )
    assert snapshot() == before


def test_results_wait_for_the_event_to_start(gw):
    event = create(gw, gw.registrar)
    before = snapshot()
    with pytest.raises(ValidationFailed) as error:
        services.attestation_result_record(
            actor=gw.registrar, event_id=event.pk, student_id=gw.student.pk, percent="90"
        )
    assert "started" in str(error.value.message)
    assert snapshot() == before


def test_a_student_of_another_program_gets_no_result(gw):
    before = snapshot()
    with pytest.raises(ValidationFailed):
        services.attestation_result_record(
            actor=gw.registrar, event_id=gw.exam.pk, student_id=gw.outsider.pk, percent="90"
        )
    assert snapshot() == before


# --- permission matrix --------------------------------------------------------------------------

# (who, create/edit an event, record a result)
MATRIX = [
    ("admin", True, True),
    ("registrar", True, True),
    ("faculty_registrar", True, True),
    ("other_faculty_registrar", False, False),
    ("leader", True, True),
    ("other_leader", False, False),
    ("tutor", False, False),
    ("student", False, False),
    ("parent", False, False),
]


@pytest.mark.parametrize(("who", "manage", "record"), MATRIX)
def test_who_may_set_events_and_record_results(gw, who, manage, record):
    actor = getattr(gw, who)
    before = snapshot()
    if manage:
        create(gw, actor)
    else:
        with pytest.raises(PermissionDenied):
            create(gw, actor)
        assert snapshot() == before
    before = snapshot()
    if record:
        services.attestation_result_record(
            actor=actor, event_id=gw.exam.pk, student_id=gw.student.pk, percent="60", reason="r"
        )
        assert FinalAttestationResult.objects.get(event=gw.exam, student=gw.student).letter == "C-"
    else:
        with pytest.raises(PermissionDenied):
            services.attestation_result_record(
                actor=actor, event_id=gw.exam.pk, student_id=gw.student.pk, percent="60", reason="r"
            )
        assert snapshot() == before


def test_an_event_of_another_program_cannot_be_edited_by_this_leader(gw):
    event = create(gw, gw.registrar)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.attestation_event_update(
            actor=gw.other_leader,
            event_id=event.pk,
            kind="creative",
            format="onsite",
            starts_at=soon(),
            place="",
            commission="",
        )
    assert snapshot() == before
