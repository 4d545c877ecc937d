from allauth.account.adapter import DefaultAccountAdapter

from qashyq.core.middleware import SESSION_LANGUAGE_KEY


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Students arrive by admission order and staff are created by the registrar or imported.
        return False

    def login(self, request, user):
        super().login(request, user)
        request.session[SESSION_LANGUAGE_KEY] = user.preferred_language
