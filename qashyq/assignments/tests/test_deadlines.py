"""Deadlines across courses: the "due this week" list and the personal ICS feed."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from qashyq.accounts.tests.factories import UserFactory
from qashyq.assignments import deadlines, services
from qashyq.assignments.deadlines import DueState, due_soon
from qashyq.assignments.models import CalendarFeedToken
from qashyq.assignments.tests.factories import TaskFactory, course
from qashyq.core.models import AuditLogEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _english_staff_without_totp(settings, client):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def world():
    now = timezone.now()
    offering, tutor, students = course(2)
    other, other_tutor, outsiders = course(1)
    t = {
        "soon": TaskFactory(offering=offering, title="Эссе", due_at=now + 2 * DAY),
        "later": TaskFactory(offering=offering, title="Жоба", due_at=now + 10 * DAY),
        "cut_off_soon": TaskFactory(
            offering=offering,
            title="Кеш",
            due_at=now - 2 * DAY,
            cut_off_at=now + 1 * DAY,
        ),
        "closed": TaskFactory(
            offering=offering, title="Жабық", due_at=now - 5 * DAY, cut_off_at=now - 4 * DAY
        ),
        "draft": TaskFactory(
            offering=offering, title="Жоба-черновик", published=False, due_at=now + 3 * DAY
        ),
        "foreign": TaskFactory(offering=other, title="Бөтен", due_at=now + 1 * DAY),
    }
    return {
        "now": now,
        "offering": offering,
        "tutor": tutor,
        "student": students[0],
        "classmate": students[1],
        "other_tutor": other_tutor,
        "outsider": outsiders[0],
        "t": t,
    }


# --- due_soon ---------------------------------------------------------------------------------


def test_due_soon_window_sorted_and_only_published_own(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        items = due_soon(world["student"], days=7, now=world["now"])
    titles = [i.task.title for i in items]
    assert titles == ["Кеш", "Эссе"]  # sorted by due date; later, closed, draft, foreign left out
    assert [i.overdue for i in items] == [True, False]
    assert all(i.state == DueState.NOT_SUBMITTED for i in items)
    # A wider window takes in the later task.
    assert "Жоба" in [i.task.title for i in due_soon(world["student"], days=14, now=world["now"])]
    assert due_soon(world["outsider"], now=world["now"])[0].task.title == "Бөтен"
    assert due_soon(UserFactory(), now=world["now"]) == []


def test_due_soon_states(world):
    student, t = world["student"], world["t"]
    services.submission_submit(actor=student, task=t["soon"], text="Жауап")
    late = services.submission_submit(actor=student, task=t["cut_off_soon"], text="Кеш жауап")
    assert late.is_late
    states = {i.task.title: i.state for i in due_soon(student)}
    assert states == {"Эссе": DueState.SUBMITTED, "Кеш": DueState.LATE}
    # An unreleased grade is not shown as graded; a released one is.
    soon_sub = t["soon"].submissions.get(student=student, is_current=True)
    services.grade_submission(actor=world["tutor"], submission=soon_sub, points=80)
    assert {i.task.title: i.state for i in due_soon(student)}["Эссе"] == DueState.SUBMITTED
    services.grade_submission(actor=world["tutor"], submission=soon_sub, points=80, released=True)
    assert {i.task.title: i.state for i in due_soon(student)}["Эссе"] == DueState.GRADED
    # The classmate submitted nothing.
    assert {i.state for i in due_soon(world["classmate"])} == {DueState.NOT_SUBMITTED}


def test_student_dashboard_shows_due_this_week(client, world, django_assert_max_num_queries):
    student = world["student"]
    services.submission_submit(actor=student, task=world["t"]["soon"], text="Жауап")
    for n in range(5):
        TaskFactory(offering=world["offering"], title=f"Қосымша {n}", due_at=world["now"] + DAY)
    client.force_login(student)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("portal:dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Due this week" in html
    section = html[html.index('id="due-soon"') :]
    section = section[: section.index("</section>")]
    assert reverse("assignments:task_detail", args=[world["t"]["soon"].pk]) in section
    assert "Submitted" in section and "Not submitted" in section
    assert "Қосымша 4" in section
    for hidden in ("Жоба-черновик", "Бөтен", "Жабық", ">Жоба<"):
        assert hidden not in section
    # Dates are shown in Asia/Almaty (UTC+5).
    due = world["t"]["soon"].due_at.astimezone(datetime.timezone(datetime.timedelta(hours=5)))
    assert due.strftime("%d.%m.%Y %H:%M") in section
    assert reverse("assignments:deadlines_feed") in section


def test_student_dashboard_empty_state(client, db):
    _offering, _tutor, students = course(1)
    client.force_login(students[0])
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "Nothing is due in the next seven days." in html


# --- the feed ---------------------------------------------------------------------------------


def _create_feed(client, user) -> str:
    client.force_login(user)
    response = client.post(reverse("assignments:deadlines_feed"), {"action": "rotate"})
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index("http://testserver/calendar/feed/")
    url = html[start : html.index(".ics", start) + 4]
    client.logout()
    return url


def _events(response) -> dict[str, object]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_feed_page_requires_login(client, db):
    response = client.get(reverse("assignments:deadlines_feed"))
    assert response.status_code == 302
    client.force_login(UserFactory())
    html = client.get(reverse("assignments:deadlines_feed")).content.decode()
    assert (
        "You have no calendar feed yet." in html and "/calendar/feed/" not in html.split("<h1")[1]
    )


def test_student_feed_parses_with_the_right_events(client, world):
    student, t = world["student"], world["t"]
    url = _create_feed(client, student)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    # Only the hash is stored.
    stored = CalendarFeedToken.objects.get(user=student)
    assert token not in (stored.key_hash, stored.prefix) and stored.key_hash != token
    events = _events(client.get(url))  # anonymous: calendar apps do not sign in
    code = world["offering"].discipline.code
    assert set(events) == {
        f"{code}: {t[k].title}" for k in ("soon", "later", "cut_off_soon", "closed")
    }
    event = events[f"{code}: Эссе"]
    assert event.decoded("dtstart") == t["soon"].due_at.replace(microsecond=0)
    assert event.decoded("dtstart").utcoffset() == datetime.timedelta(0)
    assert event.decoded("dtend") > event.decoded("dtstart")
    assert str(event["uid"]) == f"task-{t['soon'].pk}-due@testserver"
    assert str(event["url"]) == "http://testserver" + reverse(
        "assignments:task_detail", args=[t["soon"].pk]
    )
    # The UID stays the same across fetches.
    again = _events(client.get(url))
    assert str(again[f"{code}: Эссе"]["uid"]) == str(event["uid"])


def test_tutor_feed_holds_taught_offerings_only(client, world):
    url = _create_feed(client, world["tutor"])
    summaries = set(_events(client.get(url)))
    assert any("Эссе" in s for s in summaries)
    assert not any("Бөтен" in s or "черновик" in s for s in summaries)
    other = _create_feed(client, world["other_tutor"])
    assert [s.split(": ", 1)[1] for s in _events(client.get(other))] == ["Бөтен"]


def test_rotation_invalidates_the_old_url(client, world):
    student = world["student"]
    first = _create_feed(client, student)
    assert client.get(first).status_code == 200
    second = _create_feed(client, student)
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert CalendarFeedToken.objects.filter(user=student).count() == 1
    actions = list(
        AuditLogEntry.objects.filter(action__startswith="calendar_feed.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["calendar_feed.create", "calendar_feed.rotate"]


def test_revoke_and_unknown_token_are_404(client, world):
    student = world["student"]
    url = _create_feed(client, student)
    client.force_login(student)
    page = client.get(reverse("assignments:deadlines_feed")).content.decode()
    assert "Your feed is active." in page and url not in page  # the URL is shown only once
    client.post(reverse("assignments:deadlines_feed"), {"action": "revoke"})
    client.logout()
    assert client.get(url).status_code == 404
    assert client.get(reverse("assignments:deadlines_ics", args=["nonsense"])).status_code == 404


def test_inactive_user_feed_is_404(client, world):
    student = world["student"]
    url = _create_feed(client, student)
    student.is_active = False
    student.save(update_fields=["is_active"])
    assert client.get(url).status_code == 404


def test_tokens_differ_between_users_and_feeds_stay_apart(client, world):
    mine = _create_feed(client, world["student"])
    theirs = _create_feed(client, world["outsider"])
    assert mine != theirs
    assert not any("Бөтен" in s for s in _events(client.get(mine)))
    assert [s.split(": ", 1)[1] for s in _events(client.get(theirs))] == ["Бөтен"]


def test_feed_query_count_is_bounded(client, world, django_assert_max_num_queries):
    url = _create_feed(client, world["student"])
    for n in range(10):
        TaskFactory(offering=world["offering"], title=f"Қосымша {n}")
    with django_assert_max_num_queries(4):
        events = _events(client.get(url))
    assert len(events) == 14


def test_rotate_requires_sign_in():
    from django.contrib.auth.models import AnonymousUser

    from qashyq.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        deadlines.calendar_feed_token_rotate(actor=AnonymousUser())
