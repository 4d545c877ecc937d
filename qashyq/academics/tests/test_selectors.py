import datetime

import pytest

from qashyq.academics import policies, selectors
from qashyq.academics.models import CourseOffering, StudentProfile, StudyGroup
from qashyq.academics.tests.factories import (
    AcademicPeriodFactory,
    AcademicYearFactory,
    CourseOfferingFactory,
    ProgramFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.academics.tests.test_policies import MATRIX, actor_of, build_world
from qashyq.accounts.roles import Role
from qashyq.accounts.selectors import has_role
from qashyq.accounts.tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("actor", list(MATRIX))
def test_lists_agree_with_the_detail_policies(actor):
    world = build_world()
    user = actor_of(world, actor)
    groups = StudyGroup.objects.all()
    students = StudentProfile.objects.all()
    offerings = CourseOffering.objects.all()
    assert set(selectors.visible_groups(user)) == {
        g for g in groups if policies.can_view_group(user, g)
    }
    assert set(selectors.visible_students(user)) == {
        p for p in students if policies.can_view_student(user, p)
    }
    assert set(selectors.visible_offerings(user)) == {
        o for o in offerings if policies.can_view_offering(user, o)
    }


def test_lists_have_no_duplicates_and_the_right_rows():
    world = build_world()
    head = actor_of(world, "head_of_department")
    groups = list(selectors.visible_groups(head))
    assert groups == [world.group]
    students = list(selectors.visible_students(head))
    assert sorted(p.pk for p in students) == sorted([world.student.pk, world.classmate.pk])
    tutor = actor_of(world, "tutor_of_offering")
    assert list(selectors.visible_groups(tutor)) == [world.group]
    assert len(list(selectors.visible_students(tutor))) == 2
    assert set(selectors.visible_groups(actor_of(world, "admin"))) == set(StudyGroup.objects.all())
    assert list(selectors.visible_students(actor_of(world, "anonymous"))) == []


@pytest.mark.parametrize(
    "actor", ["head_of_department", "tutor_of_offering", "parent_of_student", "student", "admin"]
)
def test_policies_on_a_list_page_cost_no_query_per_row(actor, django_assert_max_num_queries):
    world = build_world()
    program = world.program
    extra_groups = [StudyGroupFactory(program=program) for _ in range(5)]
    for group in extra_groups:
        StudentProfileFactory(group=group)
        StudentProfileFactory(group=group)
    CourseOfferingFactory(groups=extra_groups[:3])
    user = actor_of(world, actor)
    groups = list(StudyGroup.objects.all())
    students = list(StudentProfile.objects.all())
    offerings = list(CourseOffering.objects.all())
    assert len(groups) > 5 and len(students) > 10
    # roles, parent links, scoped programs, taught offerings and their groups/students, own group,
    # curated groups, visible offerings: each read once, whatever the number of rows
    with django_assert_max_num_queries(10) as counted:
        for group in groups:
            policies.can_view_group(user, group)
        for profile in students:
            policies.can_view_student(user, profile)
        for offering in offerings:
            policies.can_view_offering(user, offering)
    first_pass = len(counted.captured_queries)
    with django_assert_max_num_queries(0):
        for group in groups:
            policies.can_view_group(user, group)
        for profile in students:
            policies.can_view_student(user, profile)
        for offering in offerings:
            policies.can_view_offering(user, offering)
    assert first_pass <= 10


def test_visible_lists_are_one_query_each(django_assert_max_num_queries):
    world = build_world()
    head = actor_of(world, "head_of_department")
    policies.reach(head)
    list(selectors.visible_groups(head))  # warm the per-user facts
    with django_assert_max_num_queries(1):
        rows = list(selectors.visible_groups(head))
        for group in rows:
            str(group.program), str(group.curator)
    list(selectors.visible_students(head))
    with django_assert_max_num_queries(1):
        for profile in selectors.visible_students(head):
            str(profile.user), str(profile.program), str(profile.group)


def test_has_role_reads_roles_once_per_user_object(django_assert_num_queries):
    user = user_with_role(Role.HEAD_OF_DEPARTMENT, "faculty", 1)
    with django_assert_num_queries(1):
        for _ in range(20):
            has_role(user, Role.HEAD_OF_DEPARTMENT, [("faculty", 1)])


# --- calendar and offerings -----------------------------------------------------------------------


def test_current_period_is_the_one_running_today_or_the_next_one():
    year = AcademicYearFactory(
        title="2026-2027",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2027, 8, 31),
        is_current=True,
    )
    first = AcademicPeriodFactory(
        year=year,
        kind="semester_1",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2027, 1, 15),
    )
    second = AcademicPeriodFactory(
        year=year,
        kind="semester_2",
        starts_on=datetime.date(2027, 1, 25),
        ends_on=datetime.date(2027, 5, 31),
    )
    assert selectors.current_period(datetime.date(2026, 10, 1)) == first
    assert selectors.current_period(datetime.date(2027, 1, 20)) == second  # the break: the next
    assert selectors.current_period(datetime.date(2027, 3, 1)) == second
    assert selectors.current_period(datetime.date(2030, 1, 1)) is None
    assert selectors.current_year() == year


def test_published_programs_hide_unpublished_ones():
    shown = ProgramFactory()
    ProgramFactory(is_published=False)
    assert list(selectors.published_programs()) == [shown]


def test_offerings_taught_by_and_for_student():
    world = build_world()
    tutor = actor_of(world, "tutor_of_offering")
    assert list(selectors.offerings_taught_by(tutor)) == [world.offering]
    assert list(selectors.offerings_taught_by(actor_of(world, "tutor_by_role_only"))) == []
    assert list(selectors.offerings_for_student(world.student.user)) == [world.offering]
    assert set(selectors.offerings_for_student(world.elsewhere.user, world.offering.period)) == {
        world.other_offering,
        world.cross_offering,
    }
    assert selectors.student_profile(world.student.user) == world.student
    assert selectors.student_profile(UserFactory()) is None
