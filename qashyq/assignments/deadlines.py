"""Deadlines across courses: the "due this week" list and the personal ICS feed of deadlines.

* ``due_soon`` -- the published tasks of a student's enrolled offerings whose due date or
  cut-off falls within the next days, with the student's state of each (2 queries);
* the feed -- a calendar app subscribes to ``/calendar/feed/<token>.ics`` without signing in.
  The token is a random secret per user; only its SHA-256 is stored (like API tokens), it is
  shown once when created or rotated, and rotating it makes the old URL answer 404 at once.
  The feed holds one event per published task deadline of the user's enrolled offerings (as a
  student) and taught offerings (as a tutor).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qashyq.academics.models import Enrollment
from qashyq.core.errors import PermissionDenied
from qashyq.core.services import audit_record

from .models import CalendarFeedToken, Submission, Task
from .policies import _signed_in, taught_offering_ids

DISPLAY_TZ = "Asia/Almaty"

# --- the "due this week" list --------------------------------------------------------------------


class DueState:
    NOT_SUBMITTED = "not_submitted"
    SUBMITTED = "submitted"
    LATE = "late"
    GRADED = "graded"


DUE_STATE_LABELS = {
    DueState.NOT_SUBMITTED: _("Not submitted"),
    DueState.SUBMITTED: _("Submitted"),
    DueState.LATE: _("Submitted late"),
    DueState.GRADED: _("Graded"),
}


@dataclass(frozen=True)
class DueItem:
    task: Task
    state: str
    overdue: bool

    @property
    def state_label(self) -> str:
        return str(DUE_STATE_LABELS[self.state])


def _state_of(submission: Submission | None) -> str:
    if submission is None or submission.submitted_at is None:
        return DueState.NOT_SUBMITTED
    grade = getattr(submission, "grade", None)
    if grade is not None and grade.released:
        return DueState.GRADED
    return DueState.LATE if submission.is_late else DueState.SUBMITTED


def due_soon(student, days: int = 7, now: datetime.datetime | None = None) -> list[DueItem]:
    """Published tasks of the student's offerings due (or cut off) within ``days`` (2 queries)."""
    if not _signed_in(student):
        return []
    now = now or timezone.now()
    end = now + datetime.timedelta(days=days)
    enrolled = Enrollment.objects.filter(student_id=student.pk).values("offering_id")
    tasks = list(
        Task.objects.filter(published=True, offering_id__in=enrolled)
        .filter(Q(due_at__gte=now, due_at__lte=end) | Q(cut_off_at__gte=now, cut_off_at__lte=end))
        .select_related("offering__discipline")
        .order_by("due_at", "pk")
    )
    if not tasks:
        return []
    mine: dict[int, Submission] = {}
    submissions = (
        Submission.objects.filter(task__in=tasks, is_current=True)
        .filter(Q(student_id=student.pk) | Q(group_members__id=student.pk))
        .select_related("grade")
        .distinct()
        .order_by("pk")
    )
    for submission in submissions:
        # The student's own submission wins over a group submission that names them.
        if submission.student_id == student.pk or submission.task_id not in mine:
            mine[submission.task_id] = submission
    return [DueItem(t, _state_of(mine.get(t.pk)), t.due_at < now) for t in tasks]


# --- the feed token ------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_token_rotate(*, actor) -> str:
    """Create or replace the actor's feed token; returns the new token (shown once)."""
    if not _signed_in(actor):
        raise PermissionDenied(_("Sign in to get a calendar feed."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        feed, created = CalendarFeedToken.objects.update_or_create(
            user=actor,
            defaults={"prefix": token[:8], "key_hash": _hash(token), "created_at": timezone.now()},
        )
        audit_record(
            actor=actor,
            action="calendar_feed.create" if created else "calendar_feed.rotate",
            obj=feed,
        )
    return token


def calendar_feed_token_revoke(*, actor) -> None:
    """Delete the actor's feed token: the subscribe URL stops working."""
    if not _signed_in(actor):
        raise PermissionDenied(_("Sign in to manage your calendar feed."))
    with transaction.atomic():
        feed = CalendarFeedToken.objects.filter(user_id=actor.pk).first()
        if feed is None:
            return
        audit_record(actor=actor, action="calendar_feed.revoke", obj=feed)
        feed.delete()


def calendar_feed_token_of(user) -> CalendarFeedToken | None:
    if not _signed_in(user):
        return None
    return CalendarFeedToken.objects.filter(user_id=user.pk).first()


def feed_owner(token: str):
    """The active user whose feed the token opens, or None (unknown, rotated or revoked)."""
    if not token or len(token) > 200:
        return None
    feed = (
        CalendarFeedToken.objects.select_related("user")
        .filter(key_hash=_hash(token), user__is_active=True)
        .first()
    )
    return feed.user if feed is not None else None


# --- the feed ------------------------------------------------------------------------------------


def feed_tasks(user) -> list[Task]:
    """Published tasks of the user's enrolled and taught offerings, by due date (2 queries)."""
    enrolled = Enrollment.objects.filter(student_id=user.pk).values("offering_id")
    taught = taught_offering_ids(user)
    return list(
        Task.objects.filter(published=True)
        .filter(Q(offering_id__in=enrolled) | Q(offering_id__in=taught))
        .select_related("offering__discipline")
        .order_by("due_at", "pk")
    )


def deadlines_ics(user, *, task_url, site: str = "qashyq") -> bytes:
    """An iCalendar (RFC 5545) file of the user's task deadlines; each task keeps its UID.

    ``task_url`` turns a task into the absolute URL of its page. Each event starts at the due
    time (in UTC) and lasts one minute, since RFC 5545 wants DTEND later than DTSTART.
    """
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Qashyq//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", str(_("Qashyq deadlines")))
    calendar.add("x-wr-timezone", DISPLAY_TZ)
    utc = datetime.UTC
    for task in feed_tasks(user):
        event = Event()
        event.add("uid", f"task-{task.pk}-due@{site}")
        event.add("dtstamp", task.updated_at.astimezone(utc))
        event.add("dtstart", task.due_at.astimezone(utc))
        event.add("dtend", (task.due_at + datetime.timedelta(minutes=1)).astimezone(utc))
        event.add("summary", f"{task.offering.discipline.code}: {task.title}")
        url = task_url(task)
        event.add("url", url)
        lines = [str(task.offering.discipline.name), url]
        if task.cut_off_at != task.due_at:
            cut_off = task.cut_off_at.astimezone(zoneinfo.ZoneInfo(DISPLAY_TZ))
            lines.insert(
                1,
                str(_("Cut-off: %(time)s (Asia/Almaty)"))
                % {"time": cut_off.strftime("%d.%m.%Y %H:%M")},
            )
        event.add("description", "\n".join(lines))
        calendar.add_component(event)
    return calendar.to_ical()
