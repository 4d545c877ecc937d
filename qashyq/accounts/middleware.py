from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .roles import MFA_REQUIRED_ROLES
from .selectors import user_roles

# Pages a signed-in user without TOTP may still open: the account pages (where TOTP is set up),
# static files, the language switch and the public portal.
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/media/", "/i18n/", "/favicon.ico")
PUBLIC_PREFIXES = ("/programs/", "/calendar/", "/documents/", "/guide/")


def needs_mfa_setup(user) -> bool:
    if not settings.QASHYQ_ENFORCE_STAFF_MFA or not getattr(user, "is_authenticated", False):
        return False
    if not (user_roles(user) & MFA_REQUIRED_ROLES):
        return False
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffMfaMiddleware:
    """Staff whose roles can change marks or issue orders must set up TOTP before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        exempt = path == "/" or path.startswith(EXEMPT_PREFIXES + PUBLIC_PREFIXES)
        if not exempt and needs_mfa_setup(request.user):
            if path.startswith("/api/"):
                message = _("Set up two-factor authentication first.")
                return JsonResponse({"code": "mfa_required", "message": message}, status=403)
            return redirect("mfa_activate_totp")
        return self.get_response(request)
