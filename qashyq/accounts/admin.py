from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, ParentLink, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ["role", "scope_type", "scope_id", "granted_by", "created_at"]
    readonly_fields = ["granted_by", "created_at"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "email", "iin", "is_active", "is_demo"]
    list_filter = [
        "is_active",
        "is_staff",
        "is_demo",
        "preferred_language",
        "role_assignments__role",
    ]
    search_fields = ["username", "first_name", "last_name", "middle_name", "email", "iin"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Qashyq"),
            {"fields": ["middle_name", "iin", "phone", "preferred_language", "photo", "is_demo"]},
        ),
    )
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "scope_type", "scope_id", "granted_by", "created_at"]
    list_filter = ["role", "scope_type"]
    search_fields = ["user__username", "user__last_name"]
    list_select_related = ["user", "granted_by"]
    raw_id_fields = ["user", "granted_by"]


@admin.register(ParentLink)
class ParentLinkAdmin(admin.ModelAdmin):
    list_display = ["parent", "student", "relation", "created_at"]
    search_fields = ["parent__username", "student__username", "student__last_name"]
    list_select_related = ["parent", "student"]
    raw_id_fields = ["parent", "student"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
