from __future__ import annotations

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qashyq.core.middleware import SESSION_LANGUAGE_KEY


class AccountAdapter(DefaultAccountAdapter):
    # allauth ships no Kazakh catalogue: the messages a user meets at the login form are ours,
    # so they are translated with the rest of Qashyq.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many failed login attempts. Wait a few minutes and try again, "
            "or reset your password."
        ),
        "username_password_mismatch": _("The username or the password is not correct."),
        "email_password_mismatch": _("The e-mail address or the password is not correct."),
        "invalid_login": _("Invalid login."),
        "rate_limited": _("Too many requests. Please wait a little and try again."),
    }

    def is_open_for_signup(self, request):
        # Students arrive by admission order and staff are created by the registrar or imported.
        return False

    def login(self, request, user):
        super().login(request, user)
        request.session[SESSION_LANGUAGE_KEY] = user.preferred_language

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Right after a password login, setting up the first second factor needs no second
        password prompt: staff forced to TOTP setup by ``StaffMfaMiddleware`` just typed it.
        Everything else (changing or removing an existing factor) still asks again."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        if required and app == "allauth.mfa" and self._first_factor_after_fresh_login():
            return False
        return required

    def _first_factor_after_fresh_login(self) -> bool:
        from allauth.account.internal.flows.login import get_authentication_records
        from allauth.core import context
        from allauth.mfa.models import Authenticator

        request = getattr(context, "request", None)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if Authenticator.objects.filter(user=user).exists():
            return False
        fresh_after = time.time() - account_settings.REAUTHENTICATION_TIMEOUT
        return any(
            record.get("method") == "password" and record.get("at", 0) > fresh_after
            for record in get_authentication_records(request, user)
        )

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """Count failed logins per account, whichever identifier was typed.

        allauth keys the per-account limit on the typed login, so "aigerim", "Aigerim" and
        "aigerim@example.kz" would each get their own allowance; here they share one.
        """
        from .models import User

        login = (credentials.get("email") or credentials.get("username") or "").strip()
        if login:
            user_id = (
                User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login))
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
            if user_id is not None:
                return f"user:{user_id}"
        return super()._get_login_attempts_cache_key(request, **credentials)
