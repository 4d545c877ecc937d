"""Django admin for question banks: for reading. Banks, questions and their versions change only
through the services (a new version per edit, data validated against the contract), so every
page here is read-only."""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from qashyq.core.admin_mixins import ReadOnlyAdminMixin

from .models import (
    AnswerEvent,
    Attempt,
    AttemptFile,
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionTag,
    QuestionVersion,
    Test,
    TestOverride,
    TestSection,
)


class QuestionCategoryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = QuestionCategory
    fields = ["name", "parent"]
    readonly_fields = fields
    extra = 0


@admin.register(QuestionBank)
class QuestionBankAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "discipline", "department", "created_by", "created_at"]
    list_select_related = ["discipline", "department", "created_by"]
    search_fields = ["title", "discipline__code", "department__code"]
    readonly_fields = ["title", "discipline", "department", "created_by", "created_at"]
    fields = readonly_fields
    inlines = [QuestionCategoryInline]


@admin.register(QuestionCategory)
class QuestionCategoryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "parent", "bank"]
    list_select_related = ["parent", "bank"]
    search_fields = ["name", "bank__title"]
    list_filter = ["bank"]


class QuestionTagInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = QuestionTag
    fields = ["name"]
    readonly_fields = fields
    extra = 0


class QuestionVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = QuestionVersion
    fields = ["number", "qtype", "name", "default_mark", "created_by", "created_at"]
    readonly_fields = fields
    show_change_link = True
    extra = 0


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "qtype", "bank", "category", "archived", "updated_at"]
    list_select_related = ["current_version", "bank", "category"]
    list_filter = ["archived", "current_version__qtype"]
    search_fields = ["current_version__name", "bank__title", "tags__name"]
    readonly_fields = [
        "bank",
        "category",
        "current_version",
        "archived",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    inlines = [QuestionTagInline, QuestionVersionInline]

    @admin.display(description=_("type"), ordering="current_version__qtype")
    def qtype(self, obj):
        version = obj.current_version
        return version.get_qtype_display() if version is not None else "—"


@admin.register(QuestionVersion)
class QuestionVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "number", "qtype", "question", "created_by", "created_at"]
    list_select_related = ["created_by", "question__current_version"]
    list_filter = ["qtype"]
    search_fields = ["name", "text"]
    readonly_fields = [
        "question",
        "number",
        "qtype",
        "name",
        "text_format",
        "text",
        "pretty_data",
        "general_feedback",
        "default_mark",
        "penalty",
        "created_by",
        "created_at",
    ]
    fields = readonly_fields

    @admin.display(description=_("data"))
    def pretty_data(self, obj):
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.data, ensure_ascii=False, indent=2, sort_keys=True)
        )


# --- tests and attempts (read-only: they change through the services) ---------------------------


class TestSectionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TestSection
    fields = ["position", "category", "include_subcategories", "count", "mark"]
    readonly_fields = fields
    extra = 0


class TestOverrideInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TestOverride
    fields = ["student", "group", "opens_at", "closes_at", "time_limit", "attempts_allowed"]
    readonly_fields = fields
    extra = 0


@admin.register(Test)
class TestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "offering", "kind", "opens_at", "closes_at", "published", "proctored"]
    list_select_related = ["offering__discipline", "offering__period"]
    list_filter = ["kind", "published", "proctored"]
    search_fields = ["title", "offering__discipline__code"]
    exclude = ["password"]
    inlines = [TestSectionInline, TestOverrideInline]


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["test", "student", "number", "state", "started_at", "deadline", "score"]
    list_select_related = ["test", "student"]
    list_filter = ["state", "finished_by"]
    search_fields = ["test__title", "student__username"]
    exclude = ["offline_key"]


@admin.register(AnswerEvent)
class AnswerEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["attempt", "slot_number", "seq", "outcome", "at"]
    list_filter = ["outcome"]
    list_select_related = ["attempt__test", "attempt__student"]


@admin.register(AttemptFile)
class AttemptFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "attempt", "kind", "size", "uploaded_at"]
    list_select_related = ["attempt__test", "attempt__student"]
    list_filter = ["kind"]
    search_fields = ["original_name", "attempt__student__username", "sha256"]
