import datetime

import factory
from django.utils import timezone

from qashyq.academics.tests.factories import (
    CourseOfferingFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.tests.factories import UserFactory
from qashyq.assignments.models import Task


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    offering = factory.SubFactory(CourseOfferingFactory)
    title = factory.Sequence(lambda n: f"СӨЖ {n}")
    instructions = "Эссе жазыңыз."
    due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    cut_off_at = factory.LazyAttribute(lambda t: t.due_at + datetime.timedelta(days=3))
    published = True
    created_by = factory.SubFactory(UserFactory)


def course(students: int = 2):
    """An offering with a tutor and ``students`` enrolled students: (offering, tutor, users)."""
    group = StudyGroupFactory()
    profiles = [StudentProfileFactory(group=group) for _ in range(students)]
    tutor = UserFactory()
    offering = CourseOfferingFactory(groups=[group], tutors=[tutor])
    return offering, tutor, [p.user for p in profiles]
