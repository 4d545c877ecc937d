"""Who may do what with accounts. Predicates take the acting user first and return a bool."""

from __future__ import annotations

from .roles import Role
from .selectors import has_role, is_parent_of

USER_MANAGERS = (Role.ADMIN, Role.REGISTRAR)


def can_manage_users(user) -> bool:
    return has_role(user, USER_MANAGERS)


def can_manage_roles(user) -> bool:
    return has_role(user, Role.ADMIN)


def can_view_user(user, other) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.pk == other.pk:
        return True
    return has_role(user, USER_MANAGERS) or is_parent_of(user, other)


def can_create_api_token(user, owner) -> bool:
    return getattr(user, "is_authenticated", False) and (
        user.pk == owner.pk or has_role(user, Role.ADMIN)
    )
