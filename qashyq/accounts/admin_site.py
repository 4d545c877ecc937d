"""The Django admin, with every permission decision taken by a policy, not by Django's
model permissions or the ``is_staff`` flag.

Which roles may use an admin area is declared in ``qashyq.accounts.policies.ADMIN_AREAS``
(per app label or per model); a ModelAdmin may override it with an ``admin_roles`` attribute.
Sign-in goes through the portal's login (allauth), so TOTP and brute-force protection apply.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qashyq.core.errors import PermissionDenied

from . import policies


class PolicyAdminMixin:
    admin_roles: tuple[str, ...] | None = None

    def _allowed(self, request) -> bool:
        return policies.can_administer(request.user, self.model._meta, roles=self.admin_roles)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request) and super().has_view_permission_policy(request, obj)

    def has_add_permission(self, request, *args):
        return self._allowed(request) and super().has_add_permission_policy(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request) and super().has_change_permission_policy(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request) and super().has_delete_permission_policy(request, obj)

    def get_inlines(self, request, obj):
        return [_with_policy(inline) for inline in super().get_inlines(request, obj)]


class _PolicyDefaults:
    """What an admin class allows once the role check passed: everything, unless the class
    itself narrows it (e.g. the audit log is read-only) by defining ``has_*_permission``."""

    def has_view_permission_policy(self, request, obj=None):
        return True

    def has_add_permission_policy(self, request, *args):
        return True

    def has_change_permission_policy(self, request, obj=None):
        return True

    def has_delete_permission_policy(self, request, obj=None):
        return True


def _with_policy(admin_class):
    if issubclass(admin_class, PolicyAdminMixin):
        return admin_class
    narrowed = {}
    # Methods the class defines itself narrow what the policy allows.
    for name in (
        "has_view_permission",
        "has_add_permission",
        "has_change_permission",
        "has_delete_permission",
    ):
        own = _own_method(admin_class, name)
        if own is not None:
            narrowed[f"{name}_policy"] = own
    return type(
        admin_class.__name__,
        (PolicyAdminMixin, type("Narrowed", (_PolicyDefaults,), narrowed), admin_class),
        {"__module__": admin_class.__module__},
    )


def _own_method(admin_class, name):
    """The class's own override of ``name`` (not Django's base implementation), if any."""
    bases = (admin.ModelAdmin, admin.options.InlineModelAdmin, admin.options.BaseModelAdmin)
    for klass in admin_class.__mro__:
        if klass in bases or klass is object:
            return None
        if name in vars(klass):
            return vars(klass)[name]
    return None


class QashyqAdminSite(admin.AdminSite):
    site_header = _("Qashyq administration")
    site_title = _("Qashyq administration")
    index_title = _("Academic records and settings")

    def has_permission(self, request):
        return policies.can_use_admin(request.user)

    def register(self, model_or_iterable, admin_class=None, **options):
        super().register(
            model_or_iterable, _with_policy(admin_class or admin.ModelAdmin), **options
        )

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            # Signed in but not allowed: say so instead of bouncing between login pages.
            raise PermissionDenied(
                _("The administration pages are for administrators and the registrar office.")
            )
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")
