"""Who may read a student's record (docs/subsystems/registrar.md has the matrix).

* The transcript (every attempt) and its PDF: the student themself, the office registrar
  (site-wide, or scoped on the faculty of the student's program) and the system administrator.
* The GPA: the same, and a parent linked to the student (read-only).
* The JSON export for the national database (it carries the IIN): the registrar and the
  administrator only, never the student or a parent.
* Transfer thresholds and the list of students below them: the registrar and the administrator.
* Anyone else: denied.

Predicates take the student's ``StudentProfile`` loaded with ``program__department`` (one
select_related) so that the faculty check costs no query.
"""

from __future__ import annotations

from qashyq.accounts.roles import Role, ScopeType
from qashyq.accounts.selectors import children_ids, has_role, role_scope_ids


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def _faculty_of(profile) -> int | None:
    department = getattr(getattr(profile, "program", None), "department", None)
    return getattr(department, "faculty_id", None)


def is_registrar_for(user, profile) -> bool:
    if not _signed_in(user):
        return False
    if has_role(user, Role.ADMIN):
        return True
    faculty_id = _faculty_of(profile) if profile is not None else None
    scopes = [(ScopeType.FACULTY, faculty_id)] if faculty_id is not None else []
    return has_role(user, Role.REGISTRAR, scopes)


def is_registrar(user) -> bool:
    """Holds the registrar's (or administrator's) role somewhere: may open the search pages."""
    if not _signed_in(user):
        return False
    if has_role(user, (Role.ADMIN, Role.REGISTRAR)):
        return True
    faculties = role_scope_ids(user, Role.REGISTRAR, ScopeType.FACULTY)
    return bool(faculties)


def registrar_faculty_ids(user) -> frozenset[int] | None:
    """The faculties whose students the user may search; None means every faculty."""
    if has_role(user, (Role.ADMIN, Role.REGISTRAR)):
        return None
    return frozenset(role_scope_ids(user, Role.REGISTRAR, ScopeType.FACULTY))


def is_self(user, student_id: int) -> bool:
    return _signed_in(user) and user.pk == student_id


def can_view_transcript(user, student_id: int, profile) -> bool:
    return is_self(user, student_id) or is_registrar_for(user, profile)


def can_view_gpa(user, student_id: int, profile) -> bool:
    if can_view_transcript(user, student_id, profile):
        return True
    return _signed_in(user) and student_id in children_ids(user)


def can_export(user, profile) -> bool:
    return is_registrar_for(user, profile)


def can_view_thresholds(user) -> bool:
    return is_registrar(user)
