"""Who may do what with study plans (docs/subsystems/iup.md has the matrix).

* The program's study plan: staff in scope (administration roles site-wide; the registrar,
  admission committee, head of department and methodologist of the program's faculty; the
  program leader of the program) and the program's own students.
* An individual plan (IUP): read by the student, the program leader of its program, the
  registrar (site-wide or of the program's faculty) and the system administrator.
* The student edits the electives and submits while the plan is a draft or returned.
* The program leader, the registrar and the administrator approve or return a submitted plan
  and run the enrolment; only the program leader (and the administrator) reopen an approved one.
* A plan is started by the student themself, the registrar, the admission committee (site-wide
  or of the program's faculty) or the administrator.

Predicates take a ``Program`` (or a plan with its ``program``) loaded with ``department`` so
that the faculty check costs no query.
"""

from __future__ import annotations

from django.db.models import Q

from qashyq.academics.models import StudentProfile
from qashyq.accounts.roles import ADMINISTRATION_ROLES, Role, ScopeType
from qashyq.accounts.selectors import has_role, role_scope_ids, user_fact

from ..models import PlanStatus

EDITABLE = (PlanStatus.DRAFT, PlanStatus.RETURNED)
# Roles that see a program's study plan within the faculty they were granted.
FACULTY_PLAN_READERS = (
    Role.REGISTRAR,
    Role.ADMISSION,
    Role.HEAD_OF_DEPARTMENT,
    Role.METHODOLOGIST,
)


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(
        getattr(user, "is_active", False)
    )


def _faculty_id(program) -> int | None:
    department = getattr(program, "department", None)
    return getattr(department, "faculty_id", None)


def _scopes(program) -> list[tuple[str, int | None]]:
    scopes: list[tuple[str, int | None]] = [(ScopeType.PROGRAM, program.pk)]
    faculty_id = _faculty_id(program)
    if faculty_id is not None:
        scopes.append((ScopeType.FACULTY, faculty_id))
    return scopes


def is_admin(user) -> bool:
    return _signed_in(user) and has_role(user, Role.ADMIN)


def is_leader_of(user, program) -> bool:
    """The program leader of this program (or site-wide)."""
    return _signed_in(user) and has_role(
        user, Role.PROGRAM_LEADER, [(ScopeType.PROGRAM, program.pk)]
    )


def is_registrar_of(user, program) -> bool:
    """The registrar of the program's faculty (or site-wide), or the administrator."""
    if not _signed_in(user):
        return False
    if has_role(user, Role.ADMIN):
        return True
    faculty_id = _faculty_id(program)
    scopes = [(ScopeType.FACULTY, faculty_id)] if faculty_id is not None else []
    return has_role(user, Role.REGISTRAR, scopes)


def _own_program_ids(user) -> frozenset[int]:
    return user_fact(
        user,
        "registrar.iup.own_program_ids",
        lambda: frozenset(
            StudentProfile.objects.filter(user_id=user.pk).values_list("program_id", flat=True)
        ),
    )


def can_view_study_plan(user, program) -> bool:
    if not _signed_in(user):
        return False
    if has_role(user, ADMINISTRATION_ROLES):
        return True
    if is_leader_of(user, program):
        return True
    if has_role(user, FACULTY_PLAN_READERS, _scopes(program)):
        return True
    return program.pk in _own_program_ids(user)


def is_own(user, plan) -> bool:
    return _signed_in(user) and plan.student_id == user.pk


def can_decide_plan(user, plan) -> bool:
    """Approve or return a submitted plan, and run its enrolment."""
    return is_leader_of(user, plan.program) or is_registrar_of(user, plan.program)


def can_view_plan(user, plan) -> bool:
    return is_own(user, plan) or can_decide_plan(user, plan)


def can_edit_plan(user, plan) -> bool:
    """Choose electives and submit: the student, while the plan is a draft or returned."""
    return is_own(user, plan) and plan.status in EDITABLE


def can_reopen_plan(user, plan) -> bool:
    return is_leader_of(user, plan.program) or is_admin(user)


def can_start_for_others(user, program) -> bool:
    """The registrar, the admission committee (of the program's faculty) or the admin."""
    if is_registrar_of(user, program):
        return True
    return _signed_in(user) and has_role(user, Role.ADMISSION, _scopes(program))


def can_start_plan(user, student, program) -> bool:
    if not _signed_in(user):
        return False
    return user.pk == student.pk or can_start_for_others(user, program)


def can_enrol_program(user, program) -> bool:
    """Run the enrolment for every approved plan of a program: the registrar, the admin."""
    return is_registrar_of(user, program)


def can_see_queue(user) -> bool:
    """Holds a role that decides plans somewhere: may open the approval queue."""
    if not _signed_in(user):
        return False
    if has_role(user, (Role.ADMIN, Role.REGISTRAR, Role.PROGRAM_LEADER)):
        return True
    return bool(
        role_scope_ids(user, Role.PROGRAM_LEADER, ScopeType.PROGRAM)
        or role_scope_ids(user, Role.REGISTRAR, ScopeType.FACULTY)
    )


def can_run_enrolment(user) -> bool:
    """May open the registrar's enrolment page (the program is checked on submit)."""
    if not _signed_in(user):
        return False
    return has_role(user, (Role.ADMIN, Role.REGISTRAR)) or bool(
        role_scope_ids(user, Role.REGISTRAR, ScopeType.FACULTY)
    )


def plans_filter(user) -> Q | None:
    """The plans a decider sees in the queue; ``None`` means all of them. Mirrors
    ``can_decide_plan``, so the queue never lists a plan its page would refuse."""
    if has_role(user, (Role.ADMIN, Role.REGISTRAR, Role.PROGRAM_LEADER)):
        return None
    programs = role_scope_ids(user, Role.PROGRAM_LEADER, ScopeType.PROGRAM)
    faculties = role_scope_ids(user, Role.REGISTRAR, ScopeType.FACULTY)
    return Q(program_id__in=programs) | Q(program__department__faculty_id__in=faculties)
