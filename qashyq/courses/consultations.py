"""Consultations: a tutor of a course offering publishes slots, its students book and cancel them.

Policies, services and selectors of consultations live together here (one small subsystem):

* a tutor of the offering (listed as its tutor or holding a course-scoped role on it) publishes,
  removes and sees the bookings of slots;
* a student enrolled in the offering books a slot (while it has free places and has not started)
  and cancels their booking until the start;
* both see the list and the ICS calendar of the offering's consultations.

Capacity holds under concurrency: booking locks the slot row (``select_for_update``) before
counting, and a unique constraint on (slot, student) stops double bookings.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from urllib.parse import urlparse

from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qashyq.academics.models import CourseOffering
from qashyq.academics.policies import _signed_in, course_offering_ids, enrolled_offering_ids
from qashyq.core.errors import PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record

from .models import ConsultationBooking, ConsultationMode, ConsultationSlot

DISPLAY_TZ = "Asia/Almaty"

# --- policies ------------------------------------------------------------------------------------


def is_offering_tutor(user, offering: CourseOffering) -> bool:
    return _signed_in(user) and offering.pk in course_offering_ids(user)


def is_enrolled(user, offering: CourseOffering) -> bool:
    return offering.pk in enrolled_offering_ids(user)


def can_manage_consultations(user, offering: CourseOffering) -> bool:
    return is_offering_tutor(user, offering)


def can_view_consultations(user, offering: CourseOffering) -> bool:
    return is_offering_tutor(user, offering) or is_enrolled(user, offering)


def can_book_consultation(user, offering: CourseOffering) -> bool:
    return is_enrolled(user, offering)


# --- services ------------------------------------------------------------------------------------


def _check_https(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.netloc:
        raise ValidationFailed(
            _("The meeting link must be an https:// address."), code="consultation_link"
        )


def consultation_slot_create(
    *,
    actor,
    offering: CourseOffering,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    mode: str,
    meeting_url: str = "",
    room: str = "",
    capacity: int = 1,
    note: str = "",
) -> ConsultationSlot:
    if not can_manage_consultations(actor, offering):
        raise PermissionDenied(_("Only the course's tutors publish consultations."))
    meeting_url, room = (meeting_url or "").strip(), (room or "").strip()
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationFailed(_("Give the time with its time zone."))
    if ends_at <= starts_at:
        raise ValidationFailed(_("A consultation must end after it starts."))
    if starts_at <= timezone.now():
        raise ValidationFailed(_("A consultation must start in the future."))
    if capacity is None or capacity < 1:
        raise ValidationFailed(_("A consultation needs at least one place."))
    if mode == ConsultationMode.ONLINE:
        if not meeting_url:
            raise ValidationFailed(_("An online consultation needs a meeting link."))
        _check_https(meeting_url)
        room = ""
    elif mode == ConsultationMode.IN_PERSON:
        if not room:
            raise ValidationFailed(_("A consultation in person needs a room."))
        meeting_url = ""
    else:
        raise ValidationFailed(_("Choose online or in person."))
    with transaction.atomic():
        slot = ConsultationSlot.objects.create(
            offering=offering,
            tutor=actor,
            starts_at=starts_at,
            ends_at=ends_at,
            mode=mode,
            meeting_url=meeting_url,
            room=room,
            capacity=capacity,
            note=note or "",
        )
        audit_record(actor=actor, action="consultation.create", obj=slot)
    return slot


def consultation_slot_delete(*, actor, slot: ConsultationSlot) -> None:
    if not can_manage_consultations(actor, slot.offering):
        raise PermissionDenied(_("Only the course's tutors remove consultations."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="consultation.delete",
            obj=slot,
            old={"bookings": slot.bookings.count()},
        )
        slot.delete()


def _locked(slot: ConsultationSlot) -> ConsultationSlot:
    return ConsultationSlot.objects.select_for_update().get(pk=slot.pk)


def consultation_book(*, actor, slot: ConsultationSlot) -> ConsultationBooking:
    if not can_book_consultation(actor, slot.offering):
        raise PermissionDenied(_("Only the course's students book its consultations."))
    with transaction.atomic():
        locked = _locked(slot)
        if locked.starts_at <= timezone.now():
            raise ValidationFailed(
                _("This consultation has already started."), code="consultation_started"
            )
        booked = ConsultationBooking.objects.filter(slot=locked)
        if booked.filter(student=actor).exists():
            raise ValidationFailed(
                _("You have already booked this consultation."), code="consultation_booked"
            )
        if booked.count() >= locked.capacity:
            raise ValidationFailed(
                _("This consultation is fully booked."), code="consultation_full"
            )
        try:
            with transaction.atomic():
                return ConsultationBooking.objects.create(slot=locked, student=actor)
        except IntegrityError as exc:
            raise ValidationFailed(
                _("You have already booked this consultation."), code="consultation_booked"
            ) from exc


def consultation_cancel(*, actor, slot: ConsultationSlot) -> None:
    if not _signed_in(actor):
        raise PermissionDenied(_("Sign in to cancel a booking."))
    with transaction.atomic():
        locked = _locked(slot)
        booking = ConsultationBooking.objects.filter(slot=locked, student=actor).first()
        if booking is None:
            raise ValidationFailed(_("You have not booked this consultation."))
        if locked.starts_at <= timezone.now():
            raise ValidationFailed(
                _("A booking can be cancelled only before the consultation starts."),
                code="consultation_started",
            )
        booking.delete()


# --- selectors -----------------------------------------------------------------------------------


def offering_for_consultations(pk: int) -> CourseOffering | None:
    return CourseOffering.objects.select_related("discipline", "period").filter(pk=pk).first()


def slot_of_offering(offering: CourseOffering, pk) -> ConsultationSlot | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        ConsultationSlot.objects.select_related("offering").filter(offering=offering, pk=pk).first()
    )


@dataclass(frozen=True)
class SlotRow:
    slot: ConsultationSlot
    booked: int
    mine: bool
    started: bool

    @property
    def free(self) -> int:
        return max(self.slot.capacity - self.booked, 0)


def consultation_rows(
    offering: CourseOffering, *, user, with_bookings: bool, upcoming_only: bool = False
) -> list[SlotRow]:
    """The offering's slots with the number booked and whether the user booked each (3 queries)."""
    qs = (
        ConsultationSlot.objects.filter(offering=offering)
        .select_related("tutor")
        .annotate(booked=Count("bookings"))
        .order_by("starts_at", "pk")
    )
    now = timezone.now()
    if upcoming_only:
        qs = qs.filter(ends_at__gt=now)
    if with_bookings:
        qs = qs.prefetch_related(
            Prefetch(
                "bookings",
                queryset=ConsultationBooking.objects.select_related("student").order_by(
                    "booked_at", "pk"
                ),
            )
        )
    mine = set(
        ConsultationBooking.objects.filter(slot__offering=offering, student_id=user.pk).values_list(
            "slot_id", flat=True
        )
    )
    return [SlotRow(s, s.booked, s.pk in mine, s.starts_at <= now) for s in qs]


def consultations_ics(offering: CourseOffering, *, site: str = "qashyq") -> bytes:
    """An iCalendar (RFC 5545) file of the offering's consultations; UIDs stay the same."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Qashyq//Consultations//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{offering.discipline.code} · {offering.discipline.name}")
    calendar.add("x-wr-timezone", DISPLAY_TZ)
    slots = ConsultationSlot.objects.filter(offering=offering).order_by("starts_at", "pk")
    utc = datetime.UTC
    for slot in slots:
        event = Event()
        event.add("uid", f"consultation-{slot.pk}@{site}")
        event.add("dtstamp", slot.created_at.astimezone(utc))
        event.add("dtstart", slot.starts_at.astimezone(utc))
        event.add("dtend", slot.ends_at.astimezone(utc))
        event.add(
            "summary", str(_("Consultation: %(course)s")) % {"course": offering.discipline.name}
        )
        if slot.mode == ConsultationMode.ONLINE:
            event.add("location", slot.meeting_url)
            event.add("url", slot.meeting_url)
        else:
            event.add("location", slot.room)
        if slot.note:
            event.add("description", slot.note)
        calendar.add_component(event)
    return calendar.to_ical()


def local(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(zoneinfo.ZoneInfo(DISPLAY_TZ))
