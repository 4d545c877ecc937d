"""Strings that django-allauth shows our users and ships without a Kazakh translation.

Nothing imports this module; it exists so that `make messages` puts these msgids into our
catalogues (LOCALE_PATHS win over allauth's own), where they get kk, ru and en text.
"""

from django.utils.translation import gettext_noop, pgettext_lazy

ALLAUTH_STRINGS = [
    pgettext_lazy("field label", "Login"),
    gettext_noop("Username or email"),
    gettext_noop("Username"),
    gettext_noop("Password"),
    gettext_noop("Password (again)"),
    gettext_noop("Current Password"),
    gettext_noop("New Password"),
    gettext_noop("New Password (again)"),
    gettext_noop("Remember Me"),
    gettext_noop("Authenticator code"),
    gettext_noop("Code"),
    gettext_noop("Phone"),
    gettext_noop("This account is currently inactive."),
    gettext_noop("Incorrect code."),
    gettext_noop("Incorrect password."),
    gettext_noop("Invalid or expired key."),
    gettext_noop("Invalid login."),
    gettext_noop("The password reset token was invalid."),
    gettext_noop("Too many failed login attempts. Try again later."),
    gettext_noop("The email address and/or password you specified are not correct."),
    gettext_noop("The username and/or password you specified are not correct."),
    gettext_noop("Please type your current password."),
    gettext_noop("The new value must be different from the current one."),
    gettext_noop("Be patient, you are sending too many requests."),
    gettext_noop("Successfully signed in as %(name)s."),
    gettext_noop("You have signed out."),
    gettext_noop("Password successfully changed."),
    gettext_noop("Password successfully set."),
]
