"""Who may see what on the portal."""

from __future__ import annotations

from qashyq.academics.policies import can_import_people, can_view_program
from qashyq.accounts.selectors import user_roles

__all__ = ["can_import_people", "can_open_admin", "can_view_dashboard", "can_view_program"]


def can_view_dashboard(user, role: str) -> bool:
    """A user opens only the dashboards of roles they hold."""
    return bool(getattr(user, "is_authenticated", False)) and role in user_roles(user)


def can_open_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active and user.is_staff
