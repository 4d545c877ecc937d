"""How an API caller proves who they are, and the schemas that describe a user.

Two ways in: ``Authorization: Bearer <personal API token>`` (``manage.py create_api_token`` or the
profile page) and the browser session (with the CSRF token on unsafe methods). A token that is
sent but unknown, revoked or belongs to an inactive user is refused with 401 even where an
endpoint is public, so a client never silently runs as anonymous.

MFA: staff whose roles require TOTP and have not set it up are stopped by
``StaffMfaMiddleware`` (403 ``mfa_required``) when they call the API with their browser session.
Token calls are not: a token can only be minted on the profile page, which sits behind that same
check, or by an operator at the server's shell, and it is a long random secret in its own right
(see docs/api.md).
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from qashyq.core.api import NotAuthenticated, use_caller_language
from qashyq.core.errors import PermissionDenied

from .roles import Role, ScopeType
from .selectors import active_token, user_role_set
from .services import api_token_touch

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer qsh_...``: a personal API token."""

    def __call__(self, request):
        header = request.headers.get("Authorization", "").strip()
        if not header:
            return None
        scheme, _sep, key = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, key.strip())

    def authenticate(self, request, token: str):
        api_token = active_token(token) if token else None
        if api_token is None:
            raise NotAuthenticated(_("The API token is not valid or has been revoked."))
        api_token_touch(token=api_token)
        user = api_token.user
        request.user = user
        request.api_token = api_token
        use_caller_language(request, user)
        return user


class SessionAuth(APIKeyCookie):
    """The browser session of a signed-in user; unsafe methods need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        unsafe = request.method not in SAFE_METHODS
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if unsafe and not exempt and check_csrf(request) is not None:
            raise PermissionDenied(
                _("The CSRF token is missing or wrong; reload the page and try again."),
                code="csrf_failed",
            )
        use_caller_language(request, user)
        return user

    def authenticate(self, request, key):  # pragma: no cover - __call__ does the work
        return self(request)


def anonymous(request):
    """Last in the list of a public endpoint: nobody signed in, and that is fine."""
    return getattr(request, "user", None) or AnonymousUser()


api_token_auth = ApiTokenAuth()
session_auth = SessionAuth()
# Endpoints that need a signed-in caller.
AUTH = [api_token_auth, session_auth]
# Public endpoints: a token or session is used when present (and a bad token still refused).
PUBLIC = [api_token_auth, session_auth, anonymous]
# What OpenAPI says about a public endpoint: a token, a session, or nothing ({}).
PUBLIC_OPENAPI = {"security": [{"ApiTokenAuth": []}, {"SessionAuth": []}, {}]}


# --- schemas ------------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    username: str
    full_name: str


class RoleOut(Schema):
    role: str
    role_display: str
    scope_type: str
    scope_display: str
    scope_id: int | None


def roles_of(user) -> list[dict]:
    """The user's roles with their scopes, from the per-request role cache (one query)."""
    rows = sorted(user_role_set(user), key=lambda r: (r[0], r[1], r[2] or 0))
    return [
        {
            "role": role,
            "role_display": str(Role(role).label),
            "scope_type": scope_type,
            "scope_display": str(ScopeType(scope_type).label),
            "scope_id": scope_id,
        }
        for role, scope_type, scope_id in rows
    ]
