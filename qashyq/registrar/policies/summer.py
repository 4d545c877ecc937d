"""Who may do what with academic debts and the summer semester (docs/subsystems/summer.md).

* A student's debts: the student themself, the registrar (site-wide or for the student's
  faculty), the administrator and a linked parent (read-only) — the same readers as the GPA.
* The list of students with debts: any registrar (a faculty registrar sees their faculties).
* Opening summer registration and editing it while it is open: the registrar, site-wide or
  faculty-scoped, and the administrator (the summer semester is the institution's).
* Registering and cancelling: the student themself, an active student with a profile.
* Creating a summer course for a discipline: the site-wide registrar and the administrator, or a
  faculty registrar when the discipline's department is in one of their faculties.
"""

from __future__ import annotations

from qashyq.academics.models import StudentStatus
from qashyq.accounts.roles import Role, ScopeType
from qashyq.accounts.selectors import has_role

from . import _signed_in, can_view_gpa, is_registrar, is_self


def can_view_debts(user, student_id: int, profile) -> bool:
    return can_view_gpa(user, student_id, profile)


def can_list_debtors(user) -> bool:
    return is_registrar(user)


def can_manage_summer(user) -> bool:
    """Open a summer semester, edit it, read its registrations."""
    return is_registrar(user)


def can_register(user, profile) -> bool:
    """The student registers (and cancels) for themself only, while they study."""
    return (
        profile is not None
        and is_self(user, profile.user_id)
        and profile.status == StudentStatus.ACTIVE
    )


def can_create_summer_course(user, discipline) -> bool:
    if not _signed_in(user):
        return False
    if has_role(user, (Role.ADMIN, Role.REGISTRAR)):
        return True
    department = getattr(discipline, "department", None)
    faculty_id = getattr(department, "faculty_id", None)
    if faculty_id is None:
        return False
    return has_role(user, Role.REGISTRAR, [(ScopeType.FACULTY, faculty_id)])
