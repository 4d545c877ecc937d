import datetime
from types import SimpleNamespace

import pytest

from qashyq.academics.tests.factories import (
    AcademicPeriodFactory,
    CourseOfferingFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.models import ParentLink
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.gradebook import services

# The period starts on Tuesday 2026-09-01 (week 1: 1-7 September). "Today" in these tests is
# 2026-10-20, the first day of week 8: with the default 7 days, weeks 1-6 are closed
# (week 6 ended 12 October, closed after 19 October) and week 7 is still open.
PERIOD_START = datetime.date(2026, 9, 1)
TODAY = datetime.date(2026, 10, 20)


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(services, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def world(db, fixed_today):
    period = AcademicPeriodFactory(starts_on=PERIOD_START, ends_on=datetime.date(2027, 1, 15))
    group = StudyGroupFactory()
    students = [StudentProfileFactory(group=group).user for _ in range(3)]
    tutor = UserFactory()
    offering = CourseOfferingFactory(period=period, groups=[group], tutors=[tutor])
    other_group = StudyGroupFactory()
    outsider = StudentProfileFactory(group=other_group).user
    other_offering = CourseOfferingFactory(
        period=period, groups=[other_group], tutors=[UserFactory()]
    )
    faculty_id = offering.discipline.department.faculty_id
    parent = UserFactory()
    curator = UserFactory()
    group.curator = curator
    group.save(update_fields=["curator"])
    ParentLink.objects.create(parent=parent, student=students[0])
    return SimpleNamespace(
        period=period,
        group=group,
        offering=offering,
        students=students,
        student=students[0],
        tutor=tutor,
        outsider=outsider,
        other_offering=other_offering,
        other_tutor=other_offering.tutors.first(),
        registrar=user_with_role("registrar"),
        faculty_registrar=user_with_role("registrar", "faculty", faculty_id),
        other_faculty_registrar=user_with_role(
            "registrar", "faculty", other_offering.discipline.department.faculty_id
        ),
        methodologist=user_with_role("methodologist", "faculty", faculty_id),
        admin=user_with_role("admin"),
        parent=parent,
        curator=curator,
    )
