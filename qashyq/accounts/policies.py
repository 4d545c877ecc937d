"""Who may do what with accounts. Predicates take the acting user first and return a bool.

The full role x action matrix is documented in docs/subsystems/roles-and-permissions.md.
"""

from __future__ import annotations

from .roles import Role
from .selectors import has_role, is_parent_of

# Who creates and edits accounts: the system administrator and the office registrar (site-wide).
USER_MANAGERS = (Role.ADMIN, Role.REGISTRAR)
# Who grants and takes away roles: only the system administrator (site-wide).
ROLE_MANAGERS = (Role.ADMIN,)


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(
        getattr(user, "is_active", False)
    )


def can_manage_users(user) -> bool:
    return has_role(user, USER_MANAGERS)


def can_manage_roles(user) -> bool:
    return has_role(user, ROLE_MANAGERS)


def can_view_user(user, other) -> bool:
    if not _signed_in(user):
        return False
    if user.pk == other.pk:
        return True
    return has_role(user, USER_MANAGERS) or is_parent_of(user, other)


def can_create_api_token(user, owner) -> bool:
    return _signed_in(user) and (user.pk == owner.pk or has_role(user, ROLE_MANAGERS))


# Who may use which part of the Django admin (by app label, or "app_label.model").
ADMIN_AREAS: dict[str, tuple[str, ...]] = {
    "academics": (Role.ADMIN, Role.REGISTRAR),
    "academics.programplanentry": (
        Role.ADMIN,
        Role.REGISTRAR,
        Role.METHODOLOGIST,
        Role.PROGRAM_LEADER,
    ),
    "portal": (Role.ADMIN, Role.REGISTRAR),
    "accounts.user": USER_MANAGERS,
    "accounts.parentlink": USER_MANAGERS,
}
ADMIN_DEFAULT_ROLES = (Role.ADMIN,)
ADMIN_USERS = tuple({role for roles in ADMIN_AREAS.values() for role in roles} | {Role.ADMIN})


def _superuser(user) -> bool:
    # An operator's `createsuperuser` account may use every admin area.
    return _signed_in(user) and bool(getattr(user, "is_superuser", False))


def can_use_admin(user) -> bool:
    return _superuser(user) or (_signed_in(user) and has_role(user, ADMIN_USERS))


def can_administer(user, opts, roles: tuple[str, ...] | None = None) -> bool:
    """``opts`` is a model's ``_meta``; ``roles`` overrides ADMIN_AREAS for one admin class."""
    if roles is None:
        roles = ADMIN_AREAS.get(
            opts.label_lower, ADMIN_AREAS.get(opts.app_label, ADMIN_DEFAULT_ROLES)
        )
    return _superuser(user) or (_signed_in(user) and has_role(user, roles))
