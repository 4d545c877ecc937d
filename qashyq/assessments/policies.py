"""Who may see and change question banks.

A bank holds answer keys, so whoever may see it may also edit it; there is no read-only audience
yet (students see questions only inside an attempt, through the attempt's own checks).

* A discipline's bank: a tutor of any offering of the discipline (listed as a tutor or holding a
  course-scoped tutor role on it), a methodologist or head of department scoped on the faculty of
  the discipline's department or site-wide, and the system administrator.
* A department's bank: a tutor of an offering of any discipline of that department, the
  methodologists and heads of department of its faculty (or site-wide), the administrator.
* Creating a bank: for a discipline, whoever may edit its banks; for a department, only its
  methodologists, heads of department and the administrator (a tutor's bank belongs to what they
  teach).

Tutors' rights follow ``qashyq.courses.policies.taught_discipline_ids``, the same facts that make
a tutor an editor of the discipline's EUMK, computed once per request.
"""

from __future__ import annotations

from qashyq.academics.models import Department, Discipline
from qashyq.academics.policies import _signed_in
from qashyq.accounts.roles import Role, ScopeType
from qashyq.accounts.selectors import has_role, user_fact, user_role_set
from qashyq.courses.policies import taught_discipline_ids

from .models import Question, QuestionBank

BANK_STAFF = (Role.METHODOLOGIST, Role.HEAD_OF_DEPARTMENT)
BANK_ADMINISTRATION = (Role.ADMIN,)


def taught_department_ids(user) -> frozenset[int]:
    """Departments of the disciplines the user teaches (one query per request)."""

    def compute() -> frozenset[int]:
        disciplines = taught_discipline_ids(user)
        if not disciplines:
            return frozenset()
        return frozenset(
            i
            for i in Discipline.objects.filter(pk__in=disciplines).values_list(
                "department_id", flat=True
            )
            if i is not None
        )

    return user_fact(user, "assessments.taught_department_ids", compute)


def _is_staff_for(user, faculty_id: int | None) -> bool:
    scopes = [] if faculty_id is None else [(ScopeType.FACULTY, faculty_id)]
    return has_role(user, BANK_ADMINISTRATION) or has_role(user, BANK_STAFF, scopes)


def _discipline_faculty_id(discipline: Discipline) -> int | None:
    """Needs ``discipline.department`` loaded to cost no query."""
    if discipline.department_id is None:
        return None
    return discipline.department.faculty_id


def can_edit_discipline_banks(user, discipline: Discipline) -> bool:
    if not _signed_in(user):
        return False
    return discipline.pk in taught_discipline_ids(user) or _is_staff_for(
        user, _discipline_faculty_id(discipline)
    )


def can_edit_department_banks(user, department: Department) -> bool:
    if not _signed_in(user):
        return False
    return department.pk in taught_department_ids(user) or _is_staff_for(
        user, department.faculty_id
    )


def can_create_bank(
    user, *, discipline: Discipline | None = None, department: Department | None = None
) -> bool:
    if not _signed_in(user):
        return False
    if discipline is not None:
        return can_edit_discipline_banks(user, discipline)
    if department is not None:
        return _is_staff_for(user, department.faculty_id)
    return False


def can_edit_bank(user, bank: QuestionBank) -> bool:
    """Needs ``bank.discipline.department`` / ``bank.department`` loaded to cost no query
    (``selectors.visible_banks`` loads them)."""
    if bank.discipline_id is not None:
        return can_edit_discipline_banks(user, bank.discipline)
    if bank.department_id is not None:
        return can_edit_department_banks(user, bank.department)
    return False


def can_view_bank(user, bank: QuestionBank) -> bool:
    return can_edit_bank(user, bank)


def can_edit_question(user, question: Question) -> bool:
    return can_edit_bank(user, question.bank)


def can_list_banks(user) -> bool:
    """Anybody who could hold a bank: tutors of some offering, bank staff in any scope, admin."""
    if not _signed_in(user):
        return False
    return bool(taught_discipline_ids(user)) or any(
        role in (*BANK_STAFF, *BANK_ADMINISTRATION) for role, _t, _i in user_role_set(user)
    )


# --- tests and attempts ---------------------------------------------------------------------------
# * The tutors of an offering (listed, or holding a course-scoped tutor role on it) create and
#   change its tests, grade by hand, regrade, and may finish a student's attempt.
# * Methodologists and heads of department whose scope covers the offering read its tests and
#   attempts (the same oversight rule as the assignments app), never write.
# * A student enrolled in the offering starts published tests; only the attempt's owner writes to
#   it (answers, next, submit), and only while it is in progress: a finished attempt is read-only.
# (assessments may not import assignments, a sibling layer, so the facts are computed here.)

from qashyq.academics.policies import (  # noqa: E402
    enrolled_offering_ids,
    overseen_offering_ids,
    taught_offering_ids,
)

OVERSIGHT_ROLES = BANK_STAFF


def _overseen(user) -> bool | frozenset[int]:
    """True for the administration or a site-wide oversight role, else the ids of the offerings
    within the scopes of its oversight roles."""
    if _signed_in(user) and has_role(user, BANK_ADMINISTRATION):
        return True
    return overseen_offering_ids(user, OVERSIGHT_ROLES)


def can_manage_tests(user, offering) -> bool:
    """Create, change, publish tests of the offering; grade, regrade, finish attempts."""
    return getattr(offering, "pk", offering) in taught_offering_ids(user)


def can_view_test_results(user, offering) -> bool:
    """Every attempt of the offering's tests: its tutors, and read-only its overseers."""
    if can_manage_tests(user, offering):
        return True
    overseen = _overseen(user)
    return overseen is True or getattr(offering, "pk", offering) in overseen


def can_take_test(user, test) -> bool:
    """An enrolled student of the offering, for a published test (dates and attempts are the
    service's business: they have their own refusal codes)."""
    return test.published and test.offering_id in enrolled_offering_ids(user)


def can_view_attempt(user, attempt) -> bool:
    if not _signed_in(user):
        return False
    return attempt.student_id == user.pk or can_view_test_results(user, attempt.test.offering_id)


def can_write_attempt(user, attempt) -> bool:
    """Answers, next and submit: the owner only."""
    return _signed_in(user) and attempt.student_id == user.pk


def can_finish_attempt(user, attempt) -> bool:
    """Submitting: the owner, or a tutor of the offering (e.g. a student who left the room)."""
    return can_write_attempt(user, attempt) or can_manage_tests(user, attempt.test.offering_id)


def can_grade_attempt(user, attempt) -> bool:
    return can_manage_tests(user, attempt.test.offering_id)
