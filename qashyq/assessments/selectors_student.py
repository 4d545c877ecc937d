"""Reads for the student's side of the testing complex: the tests of a course as they apply to
one student, overrides included.

A test's dates, time limit and number of attempts may be overridden for one student or for a
group (extra time for a student with special needs, another sitting for a group). The list a
student sees must show *their* values, not the test's defaults. ``merge_overrides`` is the rule
(the same as ``services.attempts.effective_settings``, which decides what the exam page allows:
a test asserts that the two agree); ``student_tests`` applies it to every published test of an
offering in three queries, whatever the number of tests.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from qashyq.academics.models import CourseOffering, Enrollment, StudentProfile

from .models import Attempt, Test, TestOverride

__all__ = ["OVERRIDABLE", "StudentTest", "merge_overrides", "student_tests"]

OVERRIDABLE = ("opens_at", "closes_at", "time_limit", "attempts_allowed")


def merge_overrides(test: Test, overrides: Iterable[TestOverride]) -> dict:
    """The test's overridable values for one student, given the overrides that concern them
    (their own and their groups'): of several group overrides the most lenient value counts
    (earliest opening, latest closing, longest time, most attempts, 0 = unlimited wins); then
    the student's own override wins, field by field. Empty fields keep the value below."""
    overrides = list(overrides)
    values = {name: getattr(test, name) for name in OVERRIDABLE}
    groups = [o for o in overrides if o.group_id is not None]
    if groups:
        opens = [o.opens_at for o in groups if o.opens_at is not None]
        closes = [o.closes_at for o in groups if o.closes_at is not None]
        limits = [o.time_limit for o in groups if o.time_limit is not None]
        allowed = [o.attempts_allowed for o in groups if o.attempts_allowed is not None]
        if opens:
            values["opens_at"] = min(opens)
        if closes:
            values["closes_at"] = max(closes)
        if limits:
            values["time_limit"] = max(limits)
        if allowed:
            values["attempts_allowed"] = 0 if 0 in allowed else max(allowed)
    for own in (o for o in overrides if o.student_id is not None):
        for name in OVERRIDABLE:
            if getattr(own, name) is not None:
                values[name] = getattr(own, name)
    return values


@dataclass
class StudentTest:
    """One published test as it applies to one student."""

    test: Test
    opens_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    time_limit: int | None
    attempts_allowed: int
    attempts: list[Attempt] = field(default_factory=list)
    # the names of the values that differ from the test's own because of an override
    overridden: frozenset[str] = frozenset()

    @property
    def attempts_left(self) -> int | None:
        """None: unlimited."""
        if not self.attempts_allowed:
            return None
        return max(self.attempts_allowed - len(self.attempts), 0)

    def state(self, now: datetime.datetime) -> str:
        """``upcoming``, ``open`` or ``closed`` by the student's own dates."""
        if self.opens_at is not None and now < self.opens_at:
            return "upcoming"
        if self.closes_at is not None and now >= self.closes_at:
            return "closed"
        return "open"


def student_tests(student, offering: CourseOffering | int) -> list[StudentTest]:
    """The published tests of ``offering`` with the student's own dates, time limit and
    attempts allowed, and the student's attempts, in the order of the test list (opening time of
    the test, then id). Three queries. The caller checks that the student may see the list."""
    offering_id = getattr(offering, "pk", offering)
    tests = list(
        Test.objects.filter(offering_id=offering_id, published=True).order_by("opens_at", "pk")
    )
    if not tests:
        return []
    # the student's groups: the group of their enrolment in this course and their own group
    enrolled_groups = Enrollment.objects.filter(
        offering_id=offering_id, student_id=student.pk, group_id__isnull=False
    ).values("group_id")
    profile_groups = StudentProfile.objects.filter(
        user_id=student.pk, group_id__isnull=False
    ).values("group_id")
    by_test: dict[int, list[TestOverride]] = {}
    for override in TestOverride.objects.filter(test__in=tests).filter(
        Q(student_id=student.pk) | Q(group_id__in=enrolled_groups) | Q(group_id__in=profile_groups)
    ):
        by_test.setdefault(override.test_id, []).append(override)
    attempts: dict[int, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(test__in=tests, student_id=student.pk).order_by(
        "test_id", "number"
    ):
        attempts.setdefault(attempt.test_id, []).append(attempt)
    rows = []
    for test in tests:
        values = merge_overrides(test, by_test.get(test.pk, ()))
        overridden = frozenset(name for name in OVERRIDABLE if values[name] != getattr(test, name))
        rows.append(
            StudentTest(
                test=test,
                attempts=attempts.get(test.pk, []),
                overridden=overridden,
                **values,
            )
        )
    return rows
