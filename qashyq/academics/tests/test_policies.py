"""The role x action matrix (docs/subsystems/roles-and-permissions.md).

Every cell is asserted twice: the policy predicate answers as the matrix says, and for write
actions the service itself either does the job or raises PermissionDenied and changes nothing
(row counts and the audit log).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from qashyq.academics import policies, services
from qashyq.academics.models import CourseOffering, Enrollment, StudentProfile, StudyGroup
from qashyq.academics.tests.factories import (
    CourseOfferingFactory,
    DepartmentFactory,
    DisciplineFactory,
    ProgramFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts import policies as account_policies
from qashyq.accounts import services as account_services
from qashyq.accounts.models import ParentLink, RoleAssignment, User
from qashyq.accounts.roles import Role
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.core.errors import ApplicationError, PermissionDenied
from qashyq.core.models import AuditLogEntry

pytestmark = pytest.mark.django_db


@dataclass
class World:
    """Two faculties; the matrix looks at group G, its student S and offering O of faculty F."""

    faculty: object
    other_faculty: object
    program: object
    other_program: object
    group: StudyGroup
    other_group: StudyGroup
    lonely_group: StudyGroup
    student: StudentProfile
    classmate: StudentProfile
    elsewhere: StudentProfile
    groupless: StudentProfile
    offering: CourseOffering
    other_offering: CourseOffering
    cross_offering: CourseOffering
    actors: dict


def build_world() -> World:
    dept = DepartmentFactory()
    other_dept = DepartmentFactory()
    program = ProgramFactory(department=dept)
    other_program = ProgramFactory(department=other_dept)
    curator = UserFactory(username="curator")
    group = StudyGroupFactory(program=program, curator=curator)
    other_group = StudyGroupFactory(program=other_program)
    lonely_group = StudyGroupFactory(program=other_program)  # in no offering
    student = StudentProfileFactory(group=group, user__username="student")
    classmate = StudentProfileFactory(group=group, user__username="classmate")
    elsewhere = StudentProfileFactory(group=other_group, user__username="elsewhere")
    groupless = StudentProfileFactory(group=None, program=other_program)
    tutor = UserFactory(username="tutor")
    other_tutor = UserFactory(username="other_tutor")
    offering = CourseOfferingFactory(
        discipline=DisciplineFactory(department=dept), groups=[group], tutors=[tutor]
    )
    other_offering = CourseOfferingFactory(
        discipline=DisciplineFactory(department=other_dept),
        groups=[other_group],
        tutors=[other_tutor],
    )
    # a discipline of faculty F taught to a group of the other faculty
    cross_offering = CourseOfferingFactory(
        discipline=DisciplineFactory(department=dept), groups=[other_group]
    )
    parent = UserFactory(username="parent")
    ParentLink.objects.create(parent=parent, student=student.user)
    RoleAssignment.objects.create(user=parent, role=Role.PARENT)
    other_parent = UserFactory(username="other_parent")
    ParentLink.objects.create(parent=other_parent, student=elsewhere.user)
    RoleAssignment.objects.create(user=other_parent, role=Role.PARENT)
    f, f2 = dept.faculty_id, other_dept.faculty_id
    actors = {
        "anonymous": None,
        "student": student.user,
        "classmate": classmate.user,
        "student_elsewhere": elsewhere.user,
        "parent_of_student": parent,
        "other_parent": other_parent,
        "tutor_of_offering": tutor,
        "tutor_by_role_only": user_with_role(Role.TUTOR, "course", offering.pk),
        "tutor_elsewhere": other_tutor,
        "tutor_on_faculty": user_with_role(Role.TUTOR, "faculty", f),
        "tutor_site_wide": user_with_role(Role.TUTOR),
        "curator": curator,
        "head_of_department": user_with_role(Role.HEAD_OF_DEPARTMENT, "faculty", f),
        "head_of_other_department": user_with_role(Role.HEAD_OF_DEPARTMENT, "faculty", f2),
        "program_leader": user_with_role(Role.PROGRAM_LEADER, "program", program.pk),
        "methodologist_elsewhere": user_with_role(Role.METHODOLOGIST, "faculty", f2),
        "practice_supervisor_of_group": user_with_role(Role.PRACTICE_SUPERVISOR, "group", group.pk),
        "proctor_of_course": user_with_role(Role.PROCTOR, "course", offering.pk),
        "registrar": user_with_role(Role.REGISTRAR),
        "admission": user_with_role(Role.ADMISSION),
        "admin": user_with_role(Role.ADMIN),
        "inactive_admin": user_with_role(Role.ADMIN, is_active=False),
        "rector": user_with_role(Role.RECTOR),
        "vice_rector": user_with_role(Role.VICE_RECTOR),
        "librarian": user_with_role(Role.LIBRARIAN),
        "accountant": user_with_role(Role.ACCOUNTANT),
        "registrar_of_other_faculty": user_with_role(Role.REGISTRAR, "faculty", f2),
    }
    return World(
        faculty=dept.faculty,
        other_faculty=other_dept.faculty,
        program=program,
        other_program=other_program,
        group=group,
        other_group=other_group,
        lonely_group=lonely_group,
        student=student,
        classmate=classmate,
        elsewhere=elsewhere,
        groupless=groupless,
        offering=offering,
        other_offering=other_offering,
        cross_offering=cross_offering,
        actors=actors,
    )


def actor_of(world: World, key: str):
    from django.contrib.auth.models import AnonymousUser

    actor = world.actors[key]
    return AnonymousUser() if actor is None else User.objects.get(pk=actor.pk)


ACTIONS = (
    "view_group",
    "view_student",
    "view_offering",
    "manage_structure",
    "import_people",
    "manage_users",
    "manage_roles",
)
# fmt: off
MATRIX = {
    #                                 group  student offer. struct import users  roles
    "anonymous":                    (False, False, False, False, False, False, False),
    "student":                      (True,  True,  True,  False, False, False, False),
    "classmate":                    (True,  False, True,  False, False, False, False),
    "student_elsewhere":            (False, False, False, False, False, False, False),
    "parent_of_student":            (False, True,  True,  False, False, False, False),
    "other_parent":                 (False, False, False, False, False, False, False),
    "tutor_of_offering":            (True,  True,  True,  False, False, False, False),
    "tutor_by_role_only":           (True,  True,  True,  False, False, False, False),
    "tutor_elsewhere":              (False, False, False, False, False, False, False),
    "tutor_on_faculty":             (False, False, False, False, False, False, False),
    "tutor_site_wide":              (False, False, False, False, False, False, False),
    "curator":                      (True,  True,  True,  False, False, False, False),
    "head_of_department":           (True,  True,  True,  False, False, False, False),
    "head_of_other_department":     (False, False, False, False, False, False, False),
    "program_leader":               (True,  True,  True,  False, False, False, False),
    "methodologist_elsewhere":      (False, False, False, False, False, False, False),
    "practice_supervisor_of_group": (True,  True,  True,  False, False, False, False),
    "proctor_of_course":            (True,  True,  True,  False, False, False, False),
    "registrar":                    (True,  True,  True,  True,  True,  True,  False),
    "registrar_of_other_faculty":   (False, False, False, False, False, False, False),
    "admission":                    (True,  True,  True,  False, False, False, False),
    "admin":                        (True,  True,  True,  True,  True,  True,  True),
    "inactive_admin":               (False, False, False, False, False, False, False),
    "rector":                       (True,  True,  True,  False, False, False, False),
    "vice_rector":                  (True,  True,  True,  False, False, False, False),
    "librarian":                    (False, False, False, False, False, False, False),
    "accountant":                   (False, False, False, False, False, False, False),
}
# fmt: on
CELLS = [
    pytest.param(actor, action, allowed, id=f"{actor}-{action}")
    for actor, row in MATRIX.items()
    for action, allowed in zip(ACTIONS, row, strict=True)
]


def snapshot() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            RoleAssignment,
            ParentLink,
            StudyGroup,
            StudentProfile,
            CourseOffering,
            Enrollment,
            AuditLogEntry,
        )
    } | {"roles": sorted(RoleAssignment.objects.values_list("user_id", "role", "scope_id"))}


def predicate(world: World, user, action: str) -> bool:
    return {
        "view_group": lambda: policies.can_view_group(user, world.group),
        "view_student": lambda: policies.can_view_student(user, world.student),
        "view_offering": lambda: policies.can_view_offering(user, world.offering),
        "manage_structure": lambda: policies.can_manage_structure(user),
        "import_people": lambda: policies.can_import_people(user),
        "manage_users": lambda: account_policies.can_manage_users(user),
        "manage_roles": lambda: account_policies.can_manage_roles(user),
    }[action]()


def write(world: World, user, action: str) -> None:
    """Do the write through its service, as a view or the API would."""
    if action == "manage_structure":
        services.group_create(
            actor=user, code="NEW-01", program=world.program, admission_year=2026, year_of_study=1
        )
    elif action == "import_people":
        row = {
            "code": "IMP-01",
            "program": world.program.code,
            "admission_year": "2026",
            "year_of_study": "1",
        }
        services.people_import(actor=user, kind="groups", rows=[(2, row)])
    elif action == "manage_users":
        account_services.user_create(actor=user, username="newcomer", email="new@example.kz")
    elif action == "manage_roles":
        target = world.classmate.user
        account_services.role_assign(
            actor=user, user=target, role=Role.LIBRARIAN, reason="matrix test"
        )
        assignment = RoleAssignment.objects.get(user=target, role=Role.STUDENT)
        account_services.role_revoke(actor=user, assignment=assignment, reason="matrix test")
    else:
        raise AssertionError(action)


def written(action: str) -> bool:
    return {
        "manage_structure": StudyGroup.objects.filter(code="NEW-01").exists(),
        "import_people": StudyGroup.objects.filter(code="IMP-01").exists(),
        "manage_users": User.objects.filter(username="newcomer").exists(),
        "manage_roles": set(
            RoleAssignment.objects.filter(user__username="classmate").values_list("role", flat=True)
        )
        == {Role.LIBRARIAN},
    }[action]


@pytest.mark.parametrize(("actor", "action", "allowed"), CELLS)
def test_matrix(actor, action, allowed):
    world = build_world()
    user = actor_of(world, actor)
    assert predicate(world, user, action) is allowed
    if action.startswith("view_"):
        return
    before = snapshot()
    if allowed:
        write(world, user, action)
        assert written(action)
        if action in ("manage_roles", "import_people"):
            assert AuditLogEntry.objects.count() > before["AuditLogEntry"]
    else:
        with pytest.raises(PermissionDenied):
            write(world, user, action)
        assert snapshot() == before
        assert not written(action)


def test_every_role_appears_in_the_matrix():
    """A new role must get a deliberate row (and a line in the docs), not a silent default."""
    covered = {
        Role.STUDENT,
        Role.PARENT,
        Role.TUTOR,
        Role.HEAD_OF_DEPARTMENT,
        Role.PROGRAM_LEADER,
        Role.METHODOLOGIST,
        Role.PRACTICE_SUPERVISOR,
        Role.PROCTOR,
        Role.REGISTRAR,
        Role.ADMISSION,
        Role.ADMIN,
        Role.RECTOR,
        Role.VICE_RECTOR,
        Role.LIBRARIAN,
        Role.ACCOUNTANT,
    }
    assert covered == set(Role)


# --- cells beyond the matrix's group/student/offering --------------------------------------------


def test_a_course_scope_covers_only_that_course():
    world = build_world()
    for key in ("tutor_of_offering", "tutor_by_role_only", "proctor_of_course"):
        user = actor_of(world, key)
        assert policies.can_view_offering(user, world.offering), key
        assert not policies.can_view_offering(user, world.cross_offering), key
        assert not policies.can_view_offering(user, world.other_offering), key
        assert not policies.can_view_group(user, world.other_group), key
        assert not policies.can_view_group(user, world.lonely_group), key
        assert not policies.can_view_student(user, world.elsewhere), key
        assert not policies.can_view_student(user, world.groupless), key
        assert not policies.can_view_program(user, _unpublished(world.program)), key


def _unpublished(program):
    program.is_published = False
    program.save(update_fields=["is_published"])
    return program


def test_faculty_scope_sees_its_disciplines_offerings_but_not_other_faculties_groups():
    world = build_world()
    head = actor_of(world, "head_of_department")
    assert policies.can_view_offering(head, world.cross_offering)
    assert not policies.can_view_group(head, world.other_group)
    assert not policies.can_view_student(head, world.elsewhere)
    assert policies.can_view_student(head, world.classmate)


def test_parent_sees_the_childs_offerings_but_not_the_classmates():
    world = build_world()
    parent = actor_of(world, "parent_of_student")
    assert policies.can_view_student(parent, world.student)
    assert not policies.can_view_student(parent, world.classmate)
    assert not policies.can_view_offering(parent, world.other_offering)


def test_unpublished_program_is_seen_by_its_scope_only():
    world = build_world()
    hidden = _unpublished(world.program)
    assert policies.can_view_program(actor_of(world, "anonymous"), world.other_program)
    for key, allowed in [
        ("anonymous", False),
        ("student_elsewhere", False),
        ("head_of_department", True),
        ("program_leader", True),
        ("head_of_other_department", False),
        ("registrar", True),
        ("librarian", False),
    ]:
        assert policies.can_view_program(actor_of(world, key), hidden) is allowed, key


def test_access_follows_role_changes_within_the_same_request():
    world = build_world()
    admin = actor_of(world, "admin")
    librarian = actor_of(world, "librarian")
    assert not policies.can_view_group(librarian, world.group)
    account_services.role_assign(
        actor=admin,
        user=librarian,
        role=Role.METHODOLOGIST,
        scope_type="program",
        scope_id=world.program.pk,
    )
    assert policies.can_view_group(librarian, world.group)
    assert policies.can_view_student(librarian, world.student)
    assignment = RoleAssignment.objects.get(user=librarian, role=Role.METHODOLOGIST)
    account_services.role_revoke(actor=admin, assignment=assignment)
    assert not policies.can_view_group(librarian, world.group)


def test_write_refusals_carry_a_stable_code():
    world = build_world()
    with pytest.raises(ApplicationError) as caught:
        write(world, actor_of(world, "rector"), "manage_structure")
    assert caught.value.code == "permission_denied"
    assert caught.value.status == 403
