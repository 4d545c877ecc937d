"""Transfer-GPA thresholds and the credit limits of study plans in the Django admin: the system
administrator and the registrar (site-wide) edit them."""

from django.contrib import admin

from qashyq.accounts.admin_site import PolicyAdminMixin
from qashyq.accounts.roles import Role

from .models import CreditLimits, TransferThreshold


class _EverythingOnceAllowed:
    """Once the role check passed, everything is allowed (see qashyq.accounts.admin_site)."""

    def has_view_permission_policy(self, request, obj=None):
        return True

    def has_add_permission_policy(self, request, *args):
        return True

    def has_change_permission_policy(self, request, obj=None):
        return True

    def has_delete_permission_policy(self, request, obj=None):
        return True


@admin.register(TransferThreshold)
class TransferThresholdAdmin(PolicyAdminMixin, _EverythingOnceAllowed, admin.ModelAdmin):
    admin_roles = (Role.ADMIN, Role.REGISTRAR)
    list_display = ("academic_year", "year_of_study", "min_gpa")
    list_filter = ("academic_year",)
    list_select_related = ("academic_year",)
    ordering = ("-academic_year__starts_on", "year_of_study")


@admin.register(CreditLimits)
class CreditLimitsAdmin(PolicyAdminMixin, _EverythingOnceAllowed, admin.ModelAdmin):
    admin_roles = (Role.ADMIN, Role.REGISTRAR)
    list_display = (
        "academic_year",
        "max_credits_per_semester",
        "max_credits_per_year",
        "min_credits_per_year",
    )
    list_select_related = ("academic_year",)
    ordering = ("-academic_year__starts_on",)
