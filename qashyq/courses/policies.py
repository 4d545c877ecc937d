"""Who may edit, review and read an EUMK.

* Editors of a discipline's EUMK: a tutor of any offering of the discipline (listed as a tutor or
  holding a course-scoped role on it), and a methodologist or head of department scoped on the
  faculty of the discipline's department (or site-wide).
* Reviewers (approve / return): a methodologist or head of department scoped on that faculty, or
  site-wide.
* Readers of the approved materials of a course: whoever may see the course offering
  (``academics.policies.can_view_offering``: its students, tutors, curators, parents and the
  academic staff responsible for it).
"""

from __future__ import annotations

from qashyq.academics.models import CourseOffering, Discipline
from qashyq.academics.policies import _signed_in, can_view_offering, course_offering_ids
from qashyq.accounts.roles import Role, ScopeType
from qashyq.accounts.selectors import has_role, user_fact

from .models import Eumk

EUMK_STAFF = (Role.METHODOLOGIST, Role.HEAD_OF_DEPARTMENT)
REVIEWERS = EUMK_STAFF
# The university's administration sees the completeness of every EUMK.
COMPLETENESS_ADMINISTRATION = (Role.ADMIN, Role.RECTOR, Role.VICE_RECTOR, Role.REGISTRAR)


def _scopes(discipline: Discipline) -> list[tuple[str, int | None]]:
    """Needs ``discipline.department`` loaded to cost no query."""
    if discipline.department_id is None:
        return []
    return [(ScopeType.FACULTY, discipline.department.faculty_id)]


def taught_discipline_ids(user) -> frozenset[int]:
    def compute() -> frozenset[int]:
        offerings = course_offering_ids(user)
        if not offerings:
            return frozenset()
        return frozenset(
            CourseOffering.objects.filter(pk__in=offerings).values_list("discipline_id", flat=True)
        )

    return user_fact(user, "courses.taught_discipline_ids", compute)


def can_edit_discipline_eumk(user, discipline: Discipline) -> bool:
    if not _signed_in(user):
        return False
    return discipline.pk in taught_discipline_ids(user) or has_role(
        user, EUMK_STAFF, _scopes(discipline)
    )


def can_edit_eumk(user, eumk: Eumk) -> bool:
    return can_edit_discipline_eumk(user, eumk.discipline)


def can_review_eumk(user, eumk: Eumk) -> bool:
    if not _signed_in(user):
        return False
    return has_role(user, REVIEWERS, _scopes(eumk.discipline))


def can_view_eumk(user, eumk: Eumk) -> bool:
    """The working versions (drafts, submitted, returned) are for editors and reviewers."""
    return can_edit_eumk(user, eumk) or can_review_eumk(user, eumk)


def can_view_course_materials(user, offering: CourseOffering) -> bool:
    return can_view_offering(user, offering)


def can_see_unreleased(user, offering: CourseOffering) -> bool:
    """Tutors and EUMK staff see materials before their release date; students do not."""
    return can_edit_discipline_eumk(user, offering.discipline)


def can_open_review_queue(user) -> bool:
    """Reviewers in any scope see the queue (filtered to their scope by the selector)."""
    if not _signed_in(user):
        return False
    from qashyq.accounts.selectors import user_role_set

    return any(role in REVIEWERS for role, _t, _i in user_role_set(user))


def can_view_completeness(user) -> bool:
    """Methodologists and heads of department (their faculties) and the administration (all)."""
    if not _signed_in(user):
        return False
    return has_role(user, COMPLETENESS_ADMINISTRATION) or can_open_review_queue(user)
