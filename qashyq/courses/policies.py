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


# --- open courses and certificates --------------------------------------------------------------
#
# * Managers of an open course (create, edit, see it unpublished, revoke its certificates): the
#   system administrator, and a methodologist site-wide or scoped on the faculty of the course's
#   discipline.
# * Anyone, signed in or not, sees a published open course; any signed-in user may enrol while it
#   is published, its enrolment is open and its end date has not passed. No student account is
#   needed.
# * A learner enrolled in an open course reads and completes the released materials of the latest
#   approved EUMK version of the course's discipline (the tutors and EUMK staff of the discipline
#   read them too, as they do for a course offering).
# * A learner asks for their own certificate; a manager may issue it on their behalf.

OPEN_COURSE_MANAGERS = (Role.ADMIN, Role.METHODOLOGIST)


def is_open_learner(user, course) -> bool:
    from .models import OpenEnrolment

    if not _signed_in(user):
        return False
    return OpenEnrolment.objects.filter(course=course, user=user).exists()


def can_manage_open_courses(user) -> bool:
    """Managers in any scope (the list of every open course, published or not)."""
    if not _signed_in(user):
        return False
    from qashyq.accounts.selectors import user_role_set

    return any(role in OPEN_COURSE_MANAGERS for role, _t, _i in user_role_set(user))


def can_manage_open_course(user, course) -> bool:
    """Needs ``course.discipline.department`` loaded to cost no query."""
    if not _signed_in(user):
        return False
    return has_role(user, OPEN_COURSE_MANAGERS, _scopes(course.discipline))


def can_view_open_course(user, course) -> bool:
    return course.published or can_manage_open_course(user, course)


def open_course_enrolment_is_open(course, *, today) -> bool:
    return (
        course.published
        and course.enrolment_open
        and (course.ends_on is None or course.ends_on >= today)
    )


def can_enrol_open_course(user, course, *, today) -> bool:
    return _signed_in(user) and open_course_enrolment_is_open(course, today=today)


def can_edit_open_course_content(user, course) -> bool:
    """The discipline's EUMK editors see every material (also unreleased and locked ones)."""
    return can_edit_discipline_eumk(user, course.discipline)


def can_view_open_course_materials(user, course, *, enrolled: bool | None = None) -> bool:
    """``enrolled``: whether the user is a learner of the course, when the caller knows it."""
    if not _signed_in(user):
        return False
    if enrolled is None:
        enrolled = is_open_learner(user, course)
    return (
        enrolled
        or can_manage_open_course(user, course)
        or can_edit_open_course_content(user, course)
    )


def can_complete_open_course_materials(user, course) -> bool:
    return is_open_learner(user, course)


def can_issue_certificate(user, course, holder) -> bool:
    """The holder themselves (the completion threshold is checked by the service), or a
    manager of the course."""
    if not _signed_in(user):
        return False
    return user.pk == holder.pk or can_manage_open_course(user, course)


def can_revoke_certificate(user, certificate) -> bool:
    return can_manage_open_course(user, certificate.course)
