"""Who may read and write the e-journal (docs/subsystems/gradebook.md has the matrix).

* Write (marks, attendance): a tutor of the offering (listed among its tutors or holding a
  course-scoped tutor role on it) and the office registrar (site-wide, or scoped on the faculty
  of the offering's discipline). Nobody else: not the system administrator, not a methodologist.
* Read the whole journal: the writers, and read-only the academic staff whose scope covers the
  offering (administration site-wide; faculty, program, group or course scopes; tutors with a
  group scope) and the curators of its groups.
* Read one row: a student their own row, a parent their child's row (only while enrolled).
* Decide a late edit of a closed week: the registrar.
* Create and change grading schemes: the registrar and the system administrator, site-wide.
* Export the journal for Platonus (it carries IINs): the writers and the system administrator.
* A statement: its readers are the journal's readers and its commission members; the
  registrar assigns the commission.

Predicates that take an offering need ``offering.discipline.department`` loaded (select_related)
to cost no query for it; the staff-scope check reads the offering's groups (one query).
"""

from __future__ import annotations

from qashyq.academics.models import CourseOffering
from qashyq.academics.policies import _signed_in, curated_group_ids, reach, scoped_program_ids
from qashyq.accounts.roles import Role, ScopeType
from qashyq.accounts.selectors import children_ids, has_role, role_scope_ids, user_fact

SCHEME_MANAGERS = (Role.REGISTRAR, Role.ADMIN)


def tutor_offering_ids(user) -> frozenset[int]:
    """Offerings the user teaches: listed as a tutor, or a course-scoped tutor role."""

    def compute() -> frozenset[int]:
        listed = CourseOffering.tutors.through.objects.filter(user_id=user.pk).values_list(
            "courseoffering_id", flat=True
        )
        return frozenset(listed) | frozenset(role_scope_ids(user, Role.TUTOR, ScopeType.COURSE))

    return user_fact(user, "gradebook.tutor_offering_ids", compute)


def _faculty_scopes(offering: CourseOffering) -> list[tuple[str, int | None]]:
    department = offering.discipline.department
    if department is None:
        return []
    return [(ScopeType.FACULTY, department.faculty_id)]


def is_tutor_of(user, offering: CourseOffering) -> bool:
    return _signed_in(user) and offering.pk in tutor_offering_ids(user)


def is_registrar_for(user, offering: CourseOffering) -> bool:
    return _signed_in(user) and has_role(user, Role.REGISTRAR, _faculty_scopes(offering))


def can_edit_journal(user, offering: CourseOffering) -> bool:
    return is_tutor_of(user, offering) or is_registrar_for(user, offering)


def _staff_sees(user, offering: CourseOffering) -> bool:
    r = reach(user)
    if r.everything or offering.pk in r.course_ids:
        return True
    department = offering.discipline.department
    if department is not None and department.faculty_id in r.faculty_ids:
        return True
    groups = list(offering.groups.values_list("pk", "program_id", "curator_id"))
    curated = curated_group_ids(user)
    programs = scoped_program_ids(user) if (r.program_ids or r.faculty_ids) else frozenset()
    return any(
        pk in r.group_ids or pk in curated or program_id in programs or curator_id == user.pk
        for pk, program_id, curator_id in groups
    )


def can_view_journal(user, offering: CourseOffering) -> bool:
    """The whole journal (every row)."""
    if not _signed_in(user):
        return False
    return can_edit_journal(user, offering) or _staff_sees(user, offering)


def can_view_row(user, offering: CourseOffering, student_id: int) -> bool:
    """One student's row: the journal's readers, the student, the student's parent."""
    if not _signed_in(user):
        return False
    if student_id == user.pk or student_id in children_ids(user):
        return True
    return can_view_journal(user, offering)


def own_row_ids(user) -> frozenset[int]:
    """The students whose rows a student or parent may read (themselves and their children)."""
    if not _signed_in(user):
        return frozenset()
    return frozenset({user.pk}) | children_ids(user)


def can_decide_late_edit(user, offering: CourseOffering) -> bool:
    return is_registrar_for(user, offering)


def can_manage_schemes(user) -> bool:
    return _signed_in(user) and has_role(user, SCHEME_MANAGERS)


def can_export_journal(user, offering: CourseOffering) -> bool:
    """The Platonus export carries the students' IINs: the tutors of the offering, the
    registrar (site-wide or of the discipline's faculty) and the system administrator only."""
    return can_edit_journal(user, offering) or (_signed_in(user) and has_role(user, Role.ADMIN))


def can_view_statement(user, offering: CourseOffering, commission_ids) -> bool:
    """A statement: the journal's readers, and its commission members (who must read what they
    sign, even when they do not teach the course)."""
    if not _signed_in(user):
        return False
    return user.pk in set(commission_ids) or can_view_journal(user, offering)


def can_assign_commission(user, offering: CourseOffering) -> bool:
    return is_registrar_for(user, offering)
