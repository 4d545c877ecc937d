import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from qashyq.academics.models import Enrollment
from qashyq.academics.tests.factories import StudentProfileFactory
from qashyq.core.errors import PermissionDenied, ValidationFailed
from qashyq.courses import consultations as cons
from qashyq.courses.models import ConsultationBooking, ConsultationSlot


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def soon(hours=24):
    return timezone.now() + datetime.timedelta(hours=hours)


def slot(world, **kw):
    data = {
        "starts_at": soon(),
        "ends_at": soon() + datetime.timedelta(minutes=30),
        "mode": "online",
        "meeting_url": "https://meet.example.kz/room-1",
        "capacity": 1,
        "note": "Bring questions",
    }
    data.update(kw)
    return cons.consultation_slot_create(actor=world.tutor, offering=world.offering, **data)


def second_student(world):
    user = StudentProfileFactory(group=world.group).user
    Enrollment.objects.create(offering=world.offering, student=user, group=world.group)
    return user


def act(client, user, world, action, **data):
    client.force_login(user)
    return client.post(
        reverse("courses:consultations_action", args=[world.offering.pk, action]),
        data,
        follow=True,
    )


# --- permissions: role x action, denied actions change nothing ---------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("tutor", True),
        ("student", False),
        ("outsider_student", False),
        ("other_tutor", False),
        ("methodologist", False),
    ],
)
def test_who_may_publish(client, world, who, allowed):
    response = act(
        client,
        getattr(world, who),
        world,
        "create",
        starts_at=timezone.localtime(soon()).strftime("%Y-%m-%dT%H:%M"),
        duration=30,
        mode="in_person",
        room="A-101",
        capacity=2,
    )
    assert ConsultationSlot.objects.exists() is allowed
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("student", True),
        ("tutor", False),
        ("outsider_student", False),
        ("other_tutor", False),
        ("methodologist", False),
    ],
)
def test_who_may_book(client, world, who, allowed):
    s = slot(world)
    act(client, getattr(world, who), world, "book", slot=s.pk)
    assert ConsultationBooking.objects.filter(slot=s).exists() is allowed


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("student", 200),
        ("tutor", 200),
        ("outsider_student", 403),
        ("other_tutor", 403),
        ("methodologist", 403),
    ],
)
def test_who_sees_the_page_and_the_calendar(client, world, who, status):
    slot(world)
    client.force_login(getattr(world, who))
    assert (
        client.get(reverse("courses:consultations", args=[world.offering.pk])).status_code == status
    )
    assert (
        client.get(reverse("courses:consultations_ics", args=[world.offering.pk])).status_code
        == status
    )


def test_only_the_tutor_removes_a_slot(client, world):
    s = slot(world)
    act(client, world.student, world, "delete", slot=s.pk)
    act(client, world.other_tutor, world, "delete", slot=s.pk)
    assert ConsultationSlot.objects.filter(pk=s.pk).exists()
    act(client, world.tutor, world, "delete", slot=s.pk)
    assert not ConsultationSlot.objects.filter(pk=s.pk).exists()


def test_a_slot_of_another_course_is_not_reachable(client, world):
    other = cons.consultation_slot_create(
        actor=world.other_tutor,
        offering=world.other_offering,
        starts_at=soon(),
        ends_at=soon(25),
        mode="in_person",
        room="B-2",
    )
    response = act(client, world.student, world, "book", slot=other.pk)
    assert response.status_code == 404
    assert not ConsultationBooking.objects.exists()


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"meeting_url": "http://meet.example.kz/x"}, "https://"),
        ({"meeting_url": ""}, "needs a meeting link"),
        ({"mode": "in_person", "room": ""}, "needs a room"),
        ({"ends_at": soon(23)}, "end after it starts"),
        ({"starts_at": soon(-2), "ends_at": soon(-1)}, "start in the future"),
        ({"capacity": 0}, "at least one place"),
    ],
)
def test_bad_slots_are_refused(world, english, changes, message):
    with pytest.raises(ValidationFailed) as exc:
        slot(world, **changes)
    assert message in str(exc.value.message)
    assert not ConsultationSlot.objects.exists()


# --- booking, capacity, cancelling ---------------------------------------------------------------


def test_booking_past_capacity_is_refused_with_a_message(client, world, english):
    s = slot(world, capacity=1)
    other = second_student(world)
    act(client, world.student, world, "book", slot=s.pk)
    response = act(client, other, world, "book", slot=s.pk)
    assert "fully booked" in response.content.decode()
    assert list(ConsultationBooking.objects.values_list("student", flat=True)) == [world.student.pk]
    # booking twice is refused too
    with pytest.raises(ValidationFailed):
        cons.consultation_book(actor=world.student, slot=s)
    assert ConsultationBooking.objects.count() == 1


def test_student_cancels_before_the_start_and_the_place_is_free_again(client, world, english):
    s = slot(world, capacity=1)
    act(client, world.student, world, "book", slot=s.pk)
    response = act(client, world.student, world, "cancel", slot=s.pk)
    assert "Your booking was cancelled" in response.content.decode()
    assert not ConsultationBooking.objects.exists()
    cons.consultation_book(actor=second_student(world), slot=s)


def test_cancelling_or_booking_after_the_start_is_refused(world, english):
    s = slot(world, capacity=2)
    cons.consultation_book(actor=world.student, slot=s)
    ConsultationSlot.objects.filter(pk=s.pk).update(
        starts_at=soon(-1), ends_at=soon(1)
    )  # it has started
    s.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        cons.consultation_cancel(actor=world.student, slot=s)
    assert "before the consultation starts" in str(exc.value.message)
    assert ConsultationBooking.objects.filter(student=world.student).exists()
    with pytest.raises(ValidationFailed):
        cons.consultation_book(actor=second_student(world), slot=s)
    assert ConsultationBooking.objects.count() == 1


def test_denied_service_calls_raise_and_change_nothing(world):
    s = slot(world)
    with pytest.raises(PermissionDenied):
        cons.consultation_book(actor=world.outsider_student, slot=s)
    with pytest.raises(PermissionDenied):
        cons.consultation_slot_delete(actor=world.student, slot=s)
    with pytest.raises(PermissionDenied):
        cons.consultation_slot_create(
            actor=world.student,
            offering=world.offering,
            starts_at=soon(),
            ends_at=soon(25),
            mode="in_person",
            room="X",
        )
    assert ConsultationSlot.objects.count() == 1 and not ConsultationBooking.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="row locks need PostgreSQL")
def test_capacity_holds_under_concurrent_bookings(world):
    s = slot(world, capacity=1)
    students = [second_student(world) for _ in range(4)]
    barrier = threading.Barrier(len(students))
    results = []

    def book(user):
        from django.db import connection as conn

        barrier.wait()
        try:
            cons.consultation_book(actor=user, slot=s)
            results.append("ok")
        except ValidationFailed:
            results.append("full")
        finally:
            conn.close()

    threads = [threading.Thread(target=book, args=(u,)) for u in students]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1
    assert ConsultationBooking.objects.filter(slot=s).count() == 1


# --- pages and calendar --------------------------------------------------------------------------


def test_tutor_sees_bookings_and_students_see_the_link_only_after_booking(client, world, english):
    s = slot(world, capacity=3)
    client.force_login(world.student)
    url = reverse("courses:consultations", args=[world.offering.pk])
    body = client.get(url).content.decode()
    assert "meet.example.kz" not in body and "Book" in body
    assert "consultation schedule in the course materials" in body
    cons.consultation_book(actor=world.student, slot=s)
    body = client.get(url).content.decode()
    assert "meet.example.kz/room-1" in body and "Cancel the booking" in body
    assert "2 of 3 places free" in body
    client.force_login(world.tutor)
    body = client.get(url).content.decode()
    assert str(world.student) in body and "Publish a consultation" in body


def test_page_queries_are_bounded(client, world, django_assert_max_num_queries):
    for i in range(10):
        s = slot(world, starts_at=soon(24 + i), ends_at=soon(25 + i), capacity=5)
        cons.consultation_book(actor=world.student, slot=s)
    client.force_login(world.tutor)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("courses:consultations", args=[world.offering.pk]))
    assert response.content.decode().count('class="card consultation"') == 10


def test_ics_parses_back_with_the_slots_and_stable_uids(client, world):
    first = slot(world)
    second = slot(world, starts_at=soon(48), ends_at=soon(49), mode="in_person", room="Room 305")
    client.force_login(world.student)
    url = reverse("courses:consultations_ics", args=[world.offering.pk])
    response = client.get(url)
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 2
    by_uid = {str(e["UID"]): e for e in events}
    assert set(by_uid) == {
        f"consultation-{first.pk}@testserver",
        f"consultation-{second.pk}@testserver",
    }
    ev = by_uid[f"consultation-{first.pk}@testserver"]
    assert ev.decoded("DTSTART") == first.starts_at.replace(microsecond=0)
    assert ev.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert str(ev["LOCATION"]) == "https://meet.example.kz/room-1"
    assert str(by_uid[f"consultation-{second.pk}@testserver"]["LOCATION"]) == "Room 305"
    again = Calendar.from_ical(client.get(url).content).walk("VEVENT")
    assert sorted(str(e["UID"]) for e in again) == sorted(by_uid)
