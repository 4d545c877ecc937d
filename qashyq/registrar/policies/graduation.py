"""Who may do what with graduation and the final attestation (docs/subsystems/graduation.md).

* Manage a program's attestation events and record results, see the results and the graduates
  list: the system administrator, the office registrar (site-wide or for the program's faculty)
  and the program leader of that program.
* Put eligible students into a draft graduation order: whoever drafts rector's orders
  (``policies.admission.can_draft_orders``: the site-wide registrar and the administrator),
  not the program leader.
* See a program's events (kind, format, time, place, commission): the managers above, any staff
  member, and the program's own students in their final year.
* A student's eligibility: the student themself, the registrar for the student's faculty, the
  administrator and the program leader of the student's program.

Predicates take a ``Program`` loaded with its ``department`` (the faculty check costs no query)
and, for a student, a ``StudentProfile`` loaded with ``program__department``.
"""

from __future__ import annotations

from qashyq.accounts.roles import STAFF_ROLES, Role, ScopeType
from qashyq.accounts.selectors import has_role, role_scope_ids, user_role_set

from . import _signed_in, is_registrar_for, is_self


def _faculty_scope(program) -> list[tuple[str, int]]:
    faculty_id = getattr(getattr(program, "department", None), "faculty_id", None)
    return [(ScopeType.FACULTY, faculty_id)] if faculty_id is not None else []


def is_registrar_of_program(user, program) -> bool:
    """The administrator, or a registrar site-wide or for the program's faculty."""
    if not _signed_in(user):
        return False
    if has_role(user, Role.ADMIN):
        return True
    return has_role(user, Role.REGISTRAR, _faculty_scope(program))


def is_program_leader_of(user, program) -> bool:
    if not _signed_in(user) or program is None:
        return False
    return has_role(user, Role.PROGRAM_LEADER, [(ScopeType.PROGRAM, program.pk)])


def can_manage_attestation(user, program) -> bool:
    """Create and edit the program's events, record results, see the results and graduates."""
    return is_registrar_of_program(user, program) or is_program_leader_of(user, program)


def can_draft_graduation_order(user, program) -> bool:
    """Rector's orders are drafted by the site-wide registrar and the administrator
    (``policies.admission.can_draft_orders``), and only for a program they serve."""
    from .admission import can_draft_orders

    return is_registrar_of_program(user, program) and can_draft_orders(user)


def is_staff(user) -> bool:
    return _signed_in(user) and any(role in STAFF_ROLES for role, _t, _i in user_role_set(user))


def is_final_year(profile) -> bool:
    return profile is not None and profile.year_of_study >= profile.program.duration_years


def can_view_events(user, program, profile=None) -> bool:
    """``profile``: the user's own student profile (with ``program``), when they have one."""
    if can_manage_attestation(user, program) or is_staff(user):
        return True
    return (
        profile is not None
        and _signed_in(user)
        and profile.user_id == user.pk
        and profile.program_id == program.pk
        and is_final_year(profile)
    )


def can_view_eligibility(user, student_id: int, profile) -> bool:
    if is_self(user, student_id) or is_registrar_for(user, profile):
        return True
    return is_program_leader_of(user, getattr(profile, "program", None))


def may_open_graduation(user) -> bool:
    """Holds a role that manages attestation somewhere: may open the programs' index."""
    if not _signed_in(user):
        return False
    if has_role(user, (Role.ADMIN, Role.REGISTRAR)):
        return True
    return bool(
        role_scope_ids(user, Role.REGISTRAR, ScopeType.FACULTY)
        or role_scope_ids(user, Role.PROGRAM_LEADER, ScopeType.PROGRAM)
        or has_role(user, Role.PROGRAM_LEADER)
    )
