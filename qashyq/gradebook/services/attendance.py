"""Attendance: one class of one student ("н" for an absence), or one class of the whole course."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from qashyq.academics.models import CourseOffering, Enrollment
from qashyq.core.errors import NotFound, PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record

from .. import policies, selectors
from ..models import (
    Attendance,
)
from .journal import _journal, _locked_row, _student_id


def attendance_set(
    *, actor, offering: CourseOffering, student, date: datetime.date, present: bool, slot: int = 1
) -> Attendance:
    """Mark a student present or absent ("н") at one class of a day within the period."""
    if not policies.can_edit_journal(actor, offering):
        raise PermissionDenied(
            _("Only the tutors of this course and the registrar may change its journal.")
        )
    student_id = _student_id(student)
    if not (offering.period.starts_on <= date <= offering.period.ends_on):
        raise ValidationFailed(
            _("The date is outside the course's period."), code="date_outside_period"
        )
    if not 1 <= int(slot) <= 10:
        raise ValidationFailed(_("There is no such class that day."), code="bad_slot")
    if not selectors.is_enrolled(offering, student_id):
        raise NotFound(_("This student is not enrolled in this course."), code="not_enrolled")
    with transaction.atomic():
        journal = _journal(offering)
        _locked_row(journal, student_id)
        entry = Attendance.objects.filter(
            journal=journal, student_id=student_id, date=date, slot=slot
        ).first()
        old = None if entry is None else entry.present
        if entry is None:
            entry = Attendance.objects.create(
                journal=journal,
                student_id=student_id,
                date=date,
                slot=slot,
                week=selectors.week_of(offering, date),
                present=present,
                recorded_by=actor,
            )
        elif entry.present != present:
            entry.present, entry.recorded_by = present, actor
            entry.save(update_fields=["present", "recorded_by", "updated_at"])
        else:
            return entry
        audit_record(
            actor=actor,
            action="gradebook.attendance",
            obj=entry,
            old=old,
            new=present,
        )
    return entry


def attendance_record_class(
    *, actor, offering: CourseOffering, date: datetime.date, absent_ids, slot: int = 1
) -> int:
    """One class for the whole course at once: every enrolled student present except
    ``absent_ids`` ("н"), all or nothing. Returns the number of students absent."""
    if not policies.can_edit_journal(actor, offering):
        raise PermissionDenied(
            _("Only the tutors of this course and the registrar may change its journal.")
        )
    absent = {int(pk) for pk in absent_ids}
    enrolled = set(
        Enrollment.objects.filter(offering=offering).values_list("student_id", flat=True)
    )
    if absent - enrolled:
        raise NotFound(_("This student is not enrolled in this course."), code="not_enrolled")
    with transaction.atomic():
        for student_id in sorted(enrolled):
            attendance_set(
                actor=actor,
                offering=offering,
                student=student_id,
                date=date,
                present=student_id not in absent,
                slot=slot,
            )
    return len(absent)
