from django.contrib import admin

from .models import NormativeDocument


@admin.register(NormativeDocument)
class NormativeDocumentAdmin(admin.ModelAdmin):
    list_display = [
        "title_kk",
        "title_ru",
        "kind",
        "slug",
        "approved_on",
        "is_published",
        "position",
    ]
    list_filter = ["kind", "is_published"]
    list_editable = ["position", "is_published"]
    search_fields = ["slug", "title_kk", "title_ru", "title_en"]
    prepopulated_fields = {"slug": ["title_en"]}
    date_hierarchy = "approved_on"
    fieldsets = (
        (None, {"fields": ["slug", "kind", "approved_on", "is_published", "position", "file"]}),
        ("Қазақша", {"fields": ["title_kk", "body_kk"]}),
        ("Русский", {"fields": ["title_ru", "body_ru"]}),
        ("English", {"fields": ["title_en", "body_en"]}),
    )
