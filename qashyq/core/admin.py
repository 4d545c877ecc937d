from django.contrib import admin

from .admin_mixins import ReadOnlyAdminMixin
from .models import AuditLogEntry


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_type", "object_id", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "reason", "actor__username", "object_id"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]
