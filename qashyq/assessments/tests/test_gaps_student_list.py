"""Issue 4 gaps, item 3: the list of a course's tests shows each student the dates, time limit
and attempts that apply to *them* (their own override, or their group's), not the test's
defaults, in a number of queries that does not grow with the tests; the selector agrees with
the rule the exam page applies (``effective_settings``)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from qashyq.academics.models import Enrollment
from qashyq.academics.tests.factories import StudentProfileFactory, StudyGroupFactory
from qashyq.assessments.models import Attempt
from qashyq.assessments.selectors_student import OVERRIDABLE, student_tests
from qashyq.assessments.services import tests_admin
from qashyq.assessments.services.attempts import attempt_submit, effective_settings

from .attempt_world import World, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


@pytest.fixture
def world():
    return World()


def card(html: str, test) -> str:
    """The list item of one test on the student's list (up to the next test's item)."""
    marker = f'<li class="panel" id="test-{test.pk}">'
    assert marker in html, f"no card for test {test.pk}"
    return html.split(marker, 1)[1].split('<li class="panel" id="test-', 1)[0]


def local(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")


def test_each_student_sees_their_own_dates_and_time(client, world):
    now = timezone.now().replace(second=0, microsecond=0)
    opens, closes = now - datetime.timedelta(hours=1), now + datetime.timedelta(hours=2)
    test = world.test(title="РК1", opens_at=opens, closes_at=closes, time_limit=30)
    extra, late = world.students[0], world.students[1]
    later_close = now + datetime.timedelta(days=3)
    tests_admin.override_set(
        actor=world.tutor, test=test, student=extra, time_limit=45, attempts_allowed=3
    )
    tests_admin.override_set(actor=world.tutor, test=test, group=world.group, closes_at=later_close)
    url = reverse("assessments:test_list", args=[world.offering.pk])

    client.force_login(extra)
    mine = card(client.get(url).content.decode(), test)
    assert "45 minutes" in mine and "30 minutes" not in mine
    assert local(later_close) in mine  # the group's closing time, the student's own time limit
    assert local(closes) not in mine
    assert local(opens) in mine
    assert "0 of 3 used" in mine
    assert "set for you personally or for your group" in mine

    client.force_login(late)
    mine = card(client.get(url).content.decode(), test)
    assert "30 minutes" in mine and "45 minutes" not in mine
    assert local(later_close) in mine and local(closes) not in mine
    assert "0 of 1 used" in mine

    # a student of the course outside the overridden group sees the test's own values
    other_group = StudyGroupFactory()
    plain = StudentProfileFactory(group=other_group).user
    Enrollment.objects.create(offering=world.offering, student=plain, group=other_group)
    client.force_login(plain)
    mine = card(client.get(url).content.decode(), test)
    assert "30 minutes" in mine and local(closes) in mine and local(later_close) not in mine
    assert "set for you" not in mine


def test_open_state_follows_the_students_own_dates(client, world):
    now = timezone.now()
    test = world.test(title="Кеш", closes_at=now + datetime.timedelta(minutes=30))
    # the test has closed for everyone but the student with another sitting
    tests_admin.test_update(
        actor=world.tutor,
        test=test,
        opens_at=now - datetime.timedelta(hours=3),
        closes_at=now - datetime.timedelta(hours=1),
    )
    tests_admin.override_set(
        actor=world.tutor,
        test=test,
        student=world.students[0],
        opens_at=now - datetime.timedelta(minutes=5),
        closes_at=now + datetime.timedelta(hours=1),
    )
    url = reverse("assessments:test_list", args=[world.offering.pk])
    client.force_login(world.students[0])
    assert "Open now" in card(client.get(url).content.decode(), test)
    client.force_login(world.students[1])
    assert "Closed" in card(client.get(url).content.decode(), test)


def test_attempts_used_and_reviews_are_listed(client, world):
    test = world.test(title="Екі рет", attempts_allowed=0)
    start(client, world.student, test)
    attempt = Attempt.objects.get(student=world.student)
    attempt_submit(actor=world.student, attempt=attempt)
    client.force_login(world.student)
    html = client.get(reverse("assessments:test_list", args=[world.offering.pk])).content.decode()
    mine = card(html, test)
    assert "1 used, no limit" in mine
    assert reverse("assessments:attempt_review", args=[attempt.pk]) in mine
    assert reverse("assessments:attempt_page", args=[test.pk]) in mine


def test_the_selector_agrees_with_the_exam_pages_rule(world):
    """Every combination of a student's own and group overrides gives the values the exam
    page enforces (``services.attempts.effective_settings``)."""
    now = timezone.now().replace(microsecond=0)
    second_group = StudyGroupFactory()
    world.offering.groups.add(second_group)
    # one student is in two groups: their own (profile) and another through the enrolment
    Enrollment.objects.update_or_create(
        offering=world.offering, student=world.students[1], defaults={"group": second_group}
    )
    cases = [
        {},
        {"student": {"time_limit": 90}},
        {"group": {"closes_at": now + datetime.timedelta(days=2), "attempts_allowed": 2}},
        {"second": {"attempts_allowed": 0, "time_limit": 20}, "group": {"time_limit": 50}},
        {
            "student": {"opens_at": now - datetime.timedelta(days=1)},
            "group": {"opens_at": now - datetime.timedelta(hours=5), "time_limit": 70},
            "second": {"closes_at": now + datetime.timedelta(days=5)},
        },
    ]
    tests = []
    for i, case in enumerate(cases):
        test = world.test(title=f"Тест {i}", time_limit=30, attempts_allowed=1)
        for target, values in case.items():
            if target == "student":
                for student in world.students:
                    tests_admin.override_set(
                        actor=world.tutor, test=test, student=student, **values
                    )
            else:
                group = world.group if target == "group" else second_group
                tests_admin.override_set(actor=world.tutor, test=test, group=group, **values)
        tests.append(test)
    checked = 0
    for student in world.students:
        rows = {row.test.pk: row for row in student_tests(student, world.offering)}
        for test in tests:
            expected = effective_settings(test, student)
            got = rows[test.pk]
            for name in OVERRIDABLE:
                assert getattr(got, name) == getattr(expected, name), (test.title, name)
            checked += 1
    assert checked == len(cases) * 3
    # the cases do change something: not every student sees the defaults
    assert any(row.overridden for row in student_tests(world.students[1], world.offering))


def test_drafts_are_not_listed_and_other_courses_overrides_do_not_leak(world):
    published = world.test(title="Ашық")
    tests_admin.test_create(actor=world.tutor, offering=world.offering, title="Жоба")
    elsewhere = World()
    other_test = elsewhere.test(title="Басқа", time_limit=15)
    tests_admin.override_set(
        actor=elsewhere.tutor, test=other_test, student=world.student, time_limit=99
    )
    rows = student_tests(world.student, world.offering)
    assert [row.test.pk for row in rows] == [published.pk]
    assert rows[0].time_limit is None and not rows[0].overridden


def test_the_students_list_costs_the_same_queries_for_2_or_8_tests(
    client, world, django_assert_max_num_queries
):
    url = reverse("assessments:test_list", args=[world.offering.pk])

    def add(n):
        for i in range(n):
            test = world.test(title=f"Т{i}", count=1, category="pool", attempts_allowed=0)
            tests_admin.override_set(
                actor=world.tutor, test=test, student=world.student, time_limit=40 + i
            )
            tests_admin.override_set(actor=world.tutor, test=test, group=world.group, time_limit=5)
            start(client, world.student, test)

    add(2)
    client.force_login(world.student)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    few_count = len(few)  # read now: the next request clears the connection's query log
    add(6)
    client.force_login(world.student)
    with django_assert_max_num_queries(few_count):
        page = client.get(url)
    assert page.content.decode().count('class="panel" id="test-') == 8
