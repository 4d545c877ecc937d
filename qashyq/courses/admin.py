"""Django admin for EUMKs (the default admin-only area). The review workflow is not done here:
status and review fields are read-only, so every status change goes through the services and
the audit log."""

from django.contrib import admin

from qashyq.core.admin_mixins import ReadOnlyAdminMixin

from .models import (
    Component,
    ConsultationBooking,
    ConsultationSlot,
    Eumk,
    EumkVersion,
    Material,
    MaterialCompletion,
    OfflinePackageSettings,
    PlanClass,
    Topic,
)


class EumkVersionInline(admin.TabularInline):
    model = EumkVersion
    extra = 0
    fields = ["number", "status", "author", "submitted_at", "reviewed_by", "reviewed_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Eumk)
class EumkAdmin(admin.ModelAdmin):
    list_display = ["discipline", "created_at", "updated_at"]
    list_select_related = ["discipline"]
    search_fields = ["discipline__code", "discipline__name_kk", "discipline__name_ru"]
    raw_id_fields = ["discipline"]
    inlines = [EumkVersionInline]


class ComponentInline(admin.StackedInline):
    model = Component
    extra = 0


class PlanClassInline(admin.TabularInline):
    model = PlanClass
    extra = 0


@admin.register(EumkVersion)
class EumkVersionAdmin(admin.ModelAdmin):
    list_display = ["eumk", "number", "status", "author", "submitted_at", "reviewed_at"]
    list_filter = ["status"]
    list_select_related = ["eumk__discipline", "author"]
    search_fields = ["eumk__discipline__code"]
    readonly_fields = [
        "eumk",
        "number",
        "status",
        "author",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
    ]
    inlines = [ComponentInline, PlanClassInline]

    def has_add_permission(self, request):
        return False


class MaterialInline(admin.StackedInline):
    model = Material
    extra = 0


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "week", "version"]
    list_select_related = ["version__eumk__discipline"]
    search_fields = ["title", "version__eumk__discipline__code"]
    raw_id_fields = ["version"]
    inlines = [MaterialInline]


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "topic", "printable", "release_on"]
    list_filter = ["kind", "printable"]
    list_select_related = ["topic"]
    search_fields = ["title"]
    raw_id_fields = ["topic"]


class ConsultationBookingInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ConsultationBooking
    extra = 0
    fields = ["student", "booked_at"]
    readonly_fields = fields


@admin.register(ConsultationSlot)
class ConsultationSlotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["offering", "tutor", "starts_at", "ends_at", "mode", "capacity"]
    list_filter = ["mode"]
    date_hierarchy = "starts_at"
    list_select_related = ["offering__discipline", "offering__period", "tutor"]
    search_fields = ["offering__discipline__code", "tutor__last_name", "room"]
    inlines = [ConsultationBookingInline]


@admin.register(MaterialCompletion)
class MaterialCompletionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["student", "material", "completed_at"]
    list_select_related = ["student", "material"]
    search_fields = ["student__username", "student__last_name", "material__title"]
    date_hierarchy = "completed_at"


@admin.register(OfflinePackageSettings)
class OfflinePackageSettingsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["eumk", "media_cap_mb"]
    list_select_related = ["eumk__discipline"]


# --- open courses and certificates --------------------------------------------------------------

from .models import Certificate, OpenCourse, OpenEnrolment  # noqa: E402


@admin.register(OpenCourse)
class OpenCourseAdmin(admin.ModelAdmin):
    list_display = ["title_kk", "kind", "hours", "published", "enrolment_open", "discipline"]
    list_filter = ["kind", "published", "enrolment_open"]
    list_select_related = ["discipline"]
    search_fields = ["title_kk", "title_ru", "title_en", "slug", "discipline__code"]
    prepopulated_fields = {"slug": ["title_en"]}
    raw_id_fields = ["discipline"]


@admin.register(OpenEnrolment)
class OpenEnrolmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "course", "enrolled_at"]
    list_filter = ["course"]
    list_select_related = ["user", "course"]
    search_fields = ["user__username", "user__last_name", "user__email"]
    date_hierarchy = "enrolled_at"


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: certificates are issued and revoked through the services (audit log); revoke
    one from its public verification page."""

    list_display = ["code", "holder_name", "course", "hours", "issued_at", "revoked_at"]
    list_filter = ["course"]
    list_select_related = ["course"]
    search_fields = ["code", "holder_name", "user__email"]
    date_hierarchy = "issued_at"
