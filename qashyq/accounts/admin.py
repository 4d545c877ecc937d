from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from qashyq.core.admin_mixins import ReadOnlyAdminMixin

from . import policies, services
from .models import ApiToken, ParentLink, RoleAssignment, User


class RoleAssignmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Read-only here: roles change in "Role assignments", which writes the audit log."""

    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ["role", "scope_type", "scope_id", "granted_by", "created_at"]
    readonly_fields = fields
    show_change_link = True


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
    # Only a system administrator may hand out Django-level powers.
    PRIVILEGED_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions", "is_demo")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not policies.can_manage_roles(request.user):
            readonly += self.PRIVILEGED_FIELDS
        return readonly


class RoleAssignmentForm(forms.ModelForm):
    reason = forms.CharField(label=_("Why"), required=False, widget=forms.Textarea)

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "scope_type", "scope_id"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "scope_type", "scope_id", "granted_by", "created_at"]
    list_filter = ["role", "scope_type"]
    search_fields = ["user__username", "user__last_name"]
    list_select_related = ["user", "granted_by"]
    raw_id_fields = ["user"]
    fields = ["user", "role", "scope_type", "scope_id", "reason"]

    form = RoleAssignmentForm

    def has_change_permission(self, request, obj=None):
        # A role is granted or revoked, never edited in place; both are audited.
        return obj is None

    def save_model(self, request, obj, form, change):
        assignment = services.role_assign(
            actor=request.user,
            user=obj.user,
            role=obj.role,
            scope_type=obj.scope_type,
            scope_id=obj.scope_id,
            reason=form.cleaned_data.get("reason", ""),
        )
        obj.pk = assignment.pk

    def delete_model(self, request, obj):
        services.role_revoke(actor=request.user, assignment=obj, reason=_("Revoked in the admin"))

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("user"):
            self.delete_model(request, assignment)


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
