from __future__ import annotations

from collections.abc import Iterable

from .models import ApiToken, ParentLink, RoleAssignment, User
from .roles import Role, ScopeType

Scope = tuple[str, int | None]
SITE: Scope = (ScopeType.SITE, None)

_CACHE_ATTR = "_qashyq_role_cache"


def user_role_set(user) -> frozenset[tuple[str, str, int | None]]:
    """Every (role, scope_type, scope_id) the user holds; cached on the user object per request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(
            RoleAssignment.objects.filter(user_id=user.pk).values_list(
                "role", "scope_type", "scope_id"
            )
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def user_roles(user) -> set[str]:
    return {role for role, _t, _i in user_role_set(user)}


def has_role(user, roles: str | Iterable[str], scopes: Iterable[Scope] = (SITE,)) -> bool:
    """True when the user holds one of ``roles`` in one of ``scopes`` (site-wide always counts)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    wanted = {roles} if isinstance(roles, str) else set(roles)
    scope_set = {(str(t), i) for t, i in scopes} | {(ScopeType.SITE.value, None)}
    return any(
        role in wanted and (scope_type, scope_id) in scope_set
        for role, scope_type, scope_id in user_role_set(user)
    )


def role_scope_ids(user, role: str, scope_type: str) -> set[int]:
    return {
        scope_id
        for r, t, scope_id in user_role_set(user)
        if r == role and t == scope_type and scope_id is not None
    }


def children_of(parent) -> list[User]:
    return [
        link.student for link in ParentLink.objects.filter(parent=parent).select_related("student")
    ]


def is_parent_of(user, student) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and ParentLink.objects.filter(parent_id=user.pk, student_id=student.pk).exists()
    )


def primary_role(user) -> str | None:
    """The role whose dashboard the user lands on, most senior first."""
    roles = user_roles(user)
    for role in Role:
        if role in roles:
            return role.value
    return None


def active_token(key: str) -> ApiToken | None:
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def role_labels(user) -> list[str]:
    """Human-readable roles with their scope type, for the profile page."""
    from .roles import ScopeType

    labels = []
    for role, scope_type, scope_id in sorted(user_role_set(user), key=lambda r: (r[0], r[1])):
        label = str(Role(role).label)
        if scope_type != ScopeType.SITE:
            label += f" ({ScopeType(scope_type).label} #{scope_id})"
        labels.append(label)
    return labels


def tokens_of(user):
    return ApiToken.objects.filter(user=user).order_by("-created_at")
