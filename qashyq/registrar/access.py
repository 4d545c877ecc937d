"""Load a student's profile for a reader, checking a policy predicate (views and API share it)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from qashyq.core.errors import NotFound, PermissionDenied

from . import policies, selectors


def profile_for(user, student_id: int, allowed):
    """The student's profile when ``allowed(user, student_id, profile)``. Anyone but a registrar
    gets the same 403 for someone else's record and for no such student (nothing leaks)."""
    try:
        profile = selectors.student_profile(student_id)
    except NotFound:
        if policies.is_registrar(user):
            raise
        raise PermissionDenied(_("You may not see this student's record.")) from None
    if not allowed(user, student_id, profile):
        raise PermissionDenied(_("You may not see this student's record."))
    return profile
