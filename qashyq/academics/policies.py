"""Who may see and change the academic structure.

Roles are scoped (site, faculty, program, course, group); an object's scope chain lists every
scope that contains it, so a head of department granted on a faculty sees that faculty's groups.
"""

from __future__ import annotations

from qashyq.accounts.roles import Role, ScopeType
from qashyq.accounts.selectors import has_role, is_parent_of

from .models import CourseOffering, Program, StudentProfile, StudyGroup

# Site-wide administration sees all of the structure and every student record.
OVERSEERS = (Role.ADMIN, Role.RECTOR, Role.VICE_RECTOR, Role.REGISTRAR, Role.ADMISSION)
# Academic staff see what lies within the scope they were granted.
SCOPED_STAFF = (
    Role.HEAD_OF_DEPARTMENT,
    Role.METHODOLOGIST,
    Role.PROGRAM_LEADER,
    Role.TUTOR,
    Role.PROCTOR,
    Role.PRACTICE_SUPERVISOR,
    Role.ACCOUNTANT,
)
STRUCTURE_EDITORS = (Role.ADMIN, Role.REGISTRAR)


def program_scopes(program: Program) -> list[tuple[str, int]]:
    return [
        (ScopeType.PROGRAM, program.pk),
        (ScopeType.FACULTY, program.department.faculty_id),
    ]


def group_scopes(group: StudyGroup) -> list[tuple[str, int]]:
    return [(ScopeType.GROUP, group.pk), *program_scopes(group.program)]


def offering_scopes(offering: CourseOffering) -> list[tuple[str, int]]:
    scopes: list[tuple[str, int]] = [(ScopeType.COURSE, offering.pk)]
    if offering.discipline.department_id:
        scopes.append((ScopeType.FACULTY, offering.discipline.department.faculty_id))
    for group in offering.groups.all():
        scopes.extend(group_scopes(group))
    return scopes


def can_manage_structure(user) -> bool:
    return has_role(user, STRUCTURE_EDITORS)


def can_import_people(user) -> bool:
    return has_role(user, STRUCTURE_EDITORS)


def can_view_program(user, program: Program) -> bool:
    return program.is_published or has_role(
        user, (*OVERSEERS, *SCOPED_STAFF), program_scopes(program)
    )


def can_view_group(user, group: StudyGroup) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if has_role(user, (*OVERSEERS, *SCOPED_STAFF), group_scopes(group)):
        return True
    if group.curator_id == user.pk:
        return True
    if group.offerings.filter(tutors=user).exists():
        return True
    return StudentProfile.objects.filter(user_id=user.pk, group_id=group.pk).exists()


def can_view_student(user, profile: StudentProfile) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if profile.user_id == user.pk or is_parent_of(user, profile.user):
        return True
    scopes = group_scopes(profile.group) if profile.group_id else program_scopes(profile.program)
    if has_role(user, (*OVERSEERS, *SCOPED_STAFF), scopes):
        return True
    if profile.group_id and profile.group.curator_id == user.pk:
        return True
    return CourseOffering.objects.filter(
        tutors=user, enrollments__student_id=profile.user_id
    ).exists()


def can_view_offering(user, offering: CourseOffering) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if offering.tutors.filter(pk=user.pk).exists():
        return True
    if offering.enrollments.filter(student_id=user.pk).exists():
        return True
    if offering.enrollments.filter(student__parent_links__parent_id=user.pk).exists():
        return True
    return has_role(user, (*OVERSEERS, *SCOPED_STAFF), offering_scopes(offering))
