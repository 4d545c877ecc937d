"""Staff whose roles can change marks or issue orders must set up TOTP before anything else.

``StaffMfaMiddleware`` sends such a user, signed in without a TOTP authenticator, to allauth's
TOTP activation page; an API call made with their browser session gets 403 ``mfa_required``.
Calls authenticated with a personal Bearer token are not stopped here: the token is read by the
API view itself, after this middleware, and a token is minted only on the profile page (behind
this check) or at the server's shell. ``settings.QASHYQ_ENFORCE_STAFF_MFA`` turns the rule on
(on in base, test and production; off in dev for the demo logins).

What a user without TOTP can still open: allauth's account pages (login, logout, password, the
TOTP setup itself and re-authentication), static and media files, the language switch and the
public portal pages. Everything else redirects, so there is no loop: the target is exempt.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .roles import MFA_REQUIRED_ROLES
from .selectors import user_fact, user_roles

# allauth is mounted at /accounts/ (config/urls.py): login, logout, password reset, 2fa setup.
ACCOUNT_PREFIX = "/accounts/"
# Public portal pages by URL name: the home page, catalogue, calendar, documents, guide and the
# language switch. (The dashboard is not public.)
PUBLIC_URL_NAMES = frozenset(
    {
        "portal:home",
        "portal:programs",
        "portal:program_detail",
        "portal:calendar",
        "portal:documents",
        "portal:document_detail",
        "portal:guide",
        "portal:set_language",
        "set_language",
        "javascript-catalog",
    }
)
EXEMPT_PATHS = frozenset({"/favicon.ico", "/robots.txt"})


def needs_mfa_setup(user) -> bool:
    """True when ``user`` holds a role that requires TOTP and has not set TOTP up."""
    if not settings.QASHYQ_ENFORCE_STAFF_MFA:
        return False
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not (user_roles(user) & MFA_REQUIRED_ROLES):
        return False
    from allauth.mfa.models import Authenticator

    return (
        user_fact(
            user,
            "accounts.has_totp",
            lambda: Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists(),
        )
        is not True
    )


def _exempt_path(path: str) -> bool:
    prefixes = tuple(
        p for p in (ACCOUNT_PREFIX, settings.STATIC_URL, settings.MEDIA_URL) if p and p != "/"
    )
    return path in EXEMPT_PATHS or path.startswith(prefixes)


class StaffMfaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if _exempt_path(request.path_info):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in PUBLIC_URL_NAMES:
            return None
        if not needs_mfa_setup(request.user):
            return None
        if request.path_info.startswith("/api/"):
            message = _("Set up two-factor authentication first.")
            return JsonResponse(
                {"code": "mfa_required", "message": message, "details": None}, status=403
            )
        messages.info(
            request,
            _(
                "Your role can change marks or issue orders, so your account needs a second "
                "factor. Set up an authenticator app to continue."
            ),
        )
        return redirect("mfa_activate_totp")
