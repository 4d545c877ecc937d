"""Reads about users: their roles, children and API tokens.

Role checks run on every page and, on list pages, once per row, so what a user holds is read once
per user object (one query) and kept on the object for the rest of the request. Any role or parent
change made through the services bumps a process-wide generation (``forget_roles``), which makes
every cached object in this process re-read on its next check, not only the one passed in.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

from .models import ApiToken, ParentLink, RoleAssignment, User
from .roles import Role, ScopeType

Scope = tuple[str, int | None]
SITE: Scope = (ScopeType.SITE, None)

_CACHE_ATTR = "_qashyq_access_cache"
_generations = itertools.count(1)
_generation = 0


class _AccessCache:
    __slots__ = ("facts", "generation", "roles")

    def __init__(self, generation: int, roles: frozenset[tuple[str, str, int | None]]):
        self.generation = generation
        self.roles = roles
        self.facts: dict[str, Any] = {}


def _is_signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(
        getattr(user, "is_active", False)
    )


def _access(user) -> _AccessCache | None:
    if not _is_signed_in(user):
        return None
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None or cache.generation != _generation:
        roles = frozenset(
            RoleAssignment.objects.filter(user_id=user.pk).values_list(
                "role", "scope_type", "scope_id"
            )
        )
        cache = _AccessCache(_generation, roles)
        setattr(user, _CACHE_ATTR, cache)
    return cache


def user_role_set(user) -> frozenset[tuple[str, str, int | None]]:
    """Every (role, scope_type, scope_id) an active signed-in user holds; read once per object."""
    cache = _access(user)
    return cache.roles if cache is not None else frozenset()


def user_fact(user, name: str, compute: Callable[[], Any]) -> Any:
    """A per-request fact about the user (e.g. the ids of the groups they may see), computed once
    and forgotten together with the roles. Anonymous and inactive users get ``compute()`` uncached.
    """
    cache = _access(user)
    if cache is None:
        return compute()
    if name not in cache.facts:
        cache.facts[name] = compute()
    return cache.facts[name]


def forget_roles(user=None) -> None:
    """Forget cached roles and facts: of ``user`` at once, of every other user object on its next
    check. The services call it after changing roles or parent links."""
    global _generation
    _generation = next(_generations)
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def user_roles(user) -> set[str]:
    return {role for role, _t, _i in user_role_set(user)}


def has_role(user, roles: str | Iterable[str], scopes: Iterable[Scope] = (SITE,)) -> bool:
    """True when the user holds one of ``roles`` in one of ``scopes`` (site-wide always counts)."""
    held = user_role_set(user)
    if not held:
        return False
    wanted = {str(roles)} if isinstance(roles, str) else {str(r) for r in roles}
    scope_set = {(str(t), i) for t, i in scopes} | {(ScopeType.SITE.value, None)}
    return any(
        role in wanted and (scope_type, scope_id) in scope_set
        for role, scope_type, scope_id in held
    )


def role_scope_ids(user, role: str, scope_type: str) -> set[int]:
    return {
        scope_id
        for r, t, scope_id in user_role_set(user)
        if r == role and t == scope_type and scope_id is not None
    }


def children_ids(user) -> frozenset[int]:
    """Ids of the students this user is the parent or legal representative of (cached)."""
    return user_fact(
        user,
        "children_ids",
        lambda: frozenset(
            ParentLink.objects.filter(parent_id=user.pk).values_list("student_id", flat=True)
        ),
    )


def children_of(parent) -> list[User]:
    return [
        link.student
        for link in ParentLink.objects.filter(parent_id=parent.pk)
        .select_related("student")
        .order_by("student__last_name", "student__first_name")
    ]


def is_parent_of(user, student) -> bool:
    if not _is_signed_in(user) or student is None:
        return False
    return student.pk in children_ids(user)


def primary_role(user) -> str | None:
    """The role whose dashboard the user lands on, most senior first."""
    roles = user_roles(user)
    for role in Role:
        if role in roles:
            return role.value
    return None


def active_token(key: str) -> ApiToken | None:
    if not key:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def role_labels(user) -> list[str]:
    """Human-readable roles with their scope type, for the profile page."""
    labels = []
    for role, scope_type, scope_id in sorted(user_role_set(user), key=lambda r: (r[0], r[1])):
        label = str(Role(role).label)
        if scope_type != ScopeType.SITE:
            label += f" ({ScopeType(scope_type).label} #{scope_id})"
        labels.append(label)
    return labels


def tokens_of(user):
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def role_assignments_of(user):
    return RoleAssignment.objects.filter(user=user).order_by("role", "scope_type", "scope_id")


def display_name(user) -> str:
    """How allauth names a user in its messages ("Signed in as ...")."""
    return user.full_name
