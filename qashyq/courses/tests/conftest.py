import pytest

from qashyq.academics.tests.factories import (
    CourseOfferingFactory,
    DisciplineFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.courses.models import Eumk, EumkVersion


@pytest.fixture
def world(db):
    """A discipline taught to one group, with its tutor, student, methodologists and outsiders."""
    discipline = DisciplineFactory()
    faculty_id = discipline.department.faculty_id
    group = StudyGroupFactory(program__delivery_format="distance")
    student = StudentProfileFactory(group=group).user
    tutor = UserFactory()
    offering = CourseOfferingFactory(discipline=discipline, groups=[group], tutors=[tutor])
    other_group = StudyGroupFactory()
    outsider_student = StudentProfileFactory(group=other_group).user
    other_offering = CourseOfferingFactory(groups=[other_group], tutors=[UserFactory()])
    eumk = Eumk.objects.create(discipline=discipline)
    version = EumkVersion.objects.create(eumk=eumk, number=1, author=tutor)

    class W:
        pass

    w = W()
    w.discipline, w.group, w.student, w.tutor = discipline, group, student, tutor
    w.offering, w.other_offering, w.outsider_student = offering, other_offering, outsider_student
    w.eumk, w.version = eumk, version
    w.methodologist = user_with_role("methodologist", "faculty", faculty_id)
    w.head = user_with_role("head_of_department", "faculty", faculty_id)
    w.site_methodologist = user_with_role("methodologist")
    w.other_methodologist = user_with_role(
        "methodologist", "faculty", other_offering.discipline.department.faculty_id
    )
    w.other_tutor = other_offering.tutors.first()
    w.admin = user_with_role("admin")
    return w
