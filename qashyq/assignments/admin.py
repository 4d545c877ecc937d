from django.contrib import admin

from qashyq.core.admin_mixins import ReadOnlyAdminMixin

from .models import (
    CalendarFeedToken,
    Grade,
    RubricCriterion,
    RubricLevel,
    SimilarityReport,
    Submission,
    SubmissionFingerprint,
    Task,
)


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "offering", "kind", "due_at", "published")
    list_filter = ("kind", "published")
    search_fields = ("title",)
    raw_id_fields = ("offering", "created_by")
    inlines = [RubricCriterionInline]


@admin.register(RubricLevel)
class RubricLevelAdmin(admin.ModelAdmin):
    list_display = ("criterion", "title", "points")
    raw_id_fields = ("criterion",)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only: submissions change only through the services."""

    list_display = ("task", "student", "attempt", "is_current", "submitted_at", "is_late")
    list_filter = ("is_current", "is_late")
    raw_id_fields = ("task", "student", "group_members")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    """Read-only: every grade change goes through the audited service."""

    list_display = ("submission", "points", "released", "graded_by", "graded_at")
    raw_id_fields = ("submission", "graded_by", "levels")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(SimilarityReport)
class SimilarityReportAdmin(admin.ModelAdmin):
    list_display = ("task", "submission_a", "submission_b", "jaccard", "containment")
    raw_id_fields = ("task", "submission_a", "submission_b")


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who has a deadlines feed; the secret itself is never stored, only its hash (not shown).
    The owner switches it off on /calendar/feed/ (audited), not here."""

    list_display = ["user", "prefix", "created_at"]
    fields = ["user", "prefix", "created_at"]
    readonly_fields = fields
    list_select_related = ["user"]
    search_fields = ["user__username", "user__last_name"]


@admin.register(SubmissionFingerprint)
class SubmissionFingerprintAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What the similarity check compared, kept per submission; computed by the check only
    (``similarity``), so the admin shows it and changes nothing. The packed shingles are not
    shown."""

    list_display = ["submission", "scheme", "computed_at"]
    fields = ["submission", "scheme", "computed_at", "text"]
    readonly_fields = fields
    list_select_related = ["submission__task", "submission__student"]
    search_fields = ["submission__student__username", "submission__task__title"]
