import datetime

import pytest
from django.utils import timezone

from qashyq.academics import policies, services
from qashyq.academics.models import CourseOffering, Enrollment, StudentProfile, StudyGroup
from qashyq.academics.tests.factories import (
    AcademicPeriodFactory,
    AcademicYearFactory,
    CourseOfferingFactory,
    DisciplineFactory,
    ProgramFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.iin import make_iin
from qashyq.accounts.models import RoleAssignment, User
from qashyq.accounts.roles import Role
from qashyq.accounts.selectors import has_role
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.core.errors import PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def registrar():
    return user_with_role(Role.REGISTRAR, username="office")


def snapshot():
    return tuple(
        model.objects.count()
        for model in (
            User,
            RoleAssignment,
            StudyGroup,
            StudentProfile,
            CourseOffering,
            Enrollment,
            AuditLogEntry,
        )
    )


def student_kwargs(program, **overrides):
    data = {
        "username": "new.student",
        "first_name": "Әлия",
        "last_name": "Нұрланқызы",
        "iin": make_iin(datetime.date(2006, 2, 3), female=True, serial=77),
        "program": program,
        "student_number": "R-0001",
        "year_of_study": 1,
    }
    return data | overrides


# --- groups -------------------------------------------------------------------------------------


def test_registrar_creates_a_group(registrar):
    program = ProgramFactory()
    group = services.group_create(
        actor=registrar, code=" AR-26-01 ", program=program, admission_year=2026, year_of_study=1
    )
    assert group.code == "AR-26-01"


@pytest.mark.parametrize(
    ("code", "year", "field"),
    [
        ("ar-26-01", 1, "code"),
        ("", 1, "code"),
        ("NEW", 0, "year_of_study"),
        ("NEW", 9, "year_of_study"),
    ],
)
def test_group_create_refuses_bad_input(registrar, code, year, field):
    program = ProgramFactory()
    StudyGroupFactory(code="AR-26-01", program=program)
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        services.group_create(
            actor=registrar, code=code, program=program, admission_year=2026, year_of_study=year
        )
    assert field in caught.value.details
    assert snapshot() == before


# --- students -----------------------------------------------------------------------------------


def test_student_create_makes_account_profile_role_and_enrolments(registrar):
    group = StudyGroupFactory()
    today = timezone.localdate()
    year = AcademicYearFactory(
        title="running",
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today + datetime.timedelta(days=100),
    )
    past = AcademicPeriodFactory(
        year=year,
        kind="semester_1",
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today - datetime.timedelta(days=1),
    )
    running = AcademicPeriodFactory(
        year=year,
        kind="semester_2",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today,
    )
    offering = CourseOfferingFactory(groups=[group], period=running)
    finished = CourseOfferingFactory(groups=[group], period=past)
    profile = services.student_create(actor=registrar, group=group, **student_kwargs(group.program))
    assert profile.user.username == "new.student"
    assert has_role(User.objects.get(pk=profile.user_id), Role.STUDENT)
    assert Enrollment.objects.filter(offering=offering, student=profile.user).exists()
    # the group's past offerings are not the new student's
    assert not Enrollment.objects.filter(offering=finished, student=profile.user).exists()
    entry = AuditLogEntry.objects.get(action="role.assign", object_id=str(profile.user_id))
    assert entry.actor == registrar and entry.new_value["role"] == "student"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"iin": ""}, "iin"),
        ({"iin": "000000000000"}, "iin"),
        ({"username": "taken"}, "username"),
        ({"student_number": "TAKEN-1"}, "student_number"),
        ({"funding": "barter"}, "funding"),
        ({"distance_ground": "holiday"}, "distance_ground"),
        ({"disability_group": 2}, "disability_group"),
    ],
)
def test_student_create_refuses_bad_input_and_creates_nothing(registrar, overrides, field):
    program = ProgramFactory()
    UserFactory(username="Taken")
    StudentProfileFactory(student_number="TAKEN-1")
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        services.student_create(actor=registrar, **student_kwargs(program, **overrides))
    assert field in caught.value.details
    assert snapshot() == before


def test_student_in_a_group_of_another_program_is_refused(registrar):
    group = StudyGroupFactory()
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        services.student_create(actor=registrar, group=group, **student_kwargs(ProgramFactory()))
    assert "another program" in caught.value.details["group"]
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.TUTOR, Role.HEAD_OF_DEPARTMENT, Role.RECTOR, Role.ADMISSION])
def test_only_structure_editors_create_students(role):
    actor = user_with_role(role)
    assert not policies.can_manage_structure(actor)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.student_create(actor=actor, **student_kwargs(ProgramFactory()))
    assert snapshot() == before


# --- offerings ----------------------------------------------------------------------------------


def test_offering_create_enrols_the_groups_and_gives_tutors_a_course_role(registrar):
    group = StudyGroupFactory()
    StudentProfileFactory(group=group)
    StudentProfileFactory(group=group)
    tutor = UserFactory()
    offering = services.offering_create(
        actor=registrar,
        discipline=DisciplineFactory(),
        period=AcademicPeriodFactory(),
        groups=[group],
        tutors=[tutor],
    )
    assert offering.enrollments.count() == 2
    assert has_role(tutor, Role.TUTOR, [("course", offering.pk)])
    assert policies.can_view_group(User.objects.get(pk=tutor.pk), group)
    assert AuditLogEntry.objects.filter(action="role.assign", object_id=str(tutor.pk)).exists()


def test_the_same_discipline_twice_in_a_period_is_refused(registrar):
    offering = CourseOfferingFactory()
    before = snapshot()
    with pytest.raises(ValidationFailed):
        services.offering_create(
            actor=registrar, discipline=offering.discipline, period=offering.period
        )
    assert snapshot() == before


def test_adding_a_group_enrols_only_new_active_students(registrar):
    group = StudyGroupFactory()
    StudentProfileFactory(group=group)
    StudentProfileFactory(group=group, status="academic_leave")
    offering = CourseOfferingFactory()
    assert services.offering_add_groups(actor=registrar, offering=offering, groups=[group]) == 1
    assert services.offering_add_groups(actor=registrar, offering=offering, groups=[group]) == 0
    tutor = user_with_role(Role.TUTOR)
    with pytest.raises(PermissionDenied):
        services.offering_add_groups(actor=tutor, offering=offering, groups=[StudyGroupFactory()])
    assert offering.groups.count() == 1


def test_group_codes_differing_only_in_cyrillic_case_are_duplicates():
    from qashyq.academics.models import StudyGroup
    from qashyq.academics.services import group_create
    from qashyq.academics.tests.factories import ProgramFactory, StudyGroupFactory
    from qashyq.core.errors import ValidationFailed

    StudyGroupFactory(code="АР-26-01")
    with pytest.raises(ValidationFailed):
        group_create(
            actor=None,
            code="ар-26-01",
            program=ProgramFactory(),
            admission_year=2026,
            year_of_study=1,
            check=False,
        )
    assert StudyGroup.objects.filter(code__in=["ар-26-01"]).count() == 0
