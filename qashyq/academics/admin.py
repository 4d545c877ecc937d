"""Django admin for the academic structure: lists with filters and search, no N+1 queries."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import (
    AcademicPeriod,
    AcademicYear,
    CalendarEvent,
    CourseOffering,
    Department,
    Discipline,
    Enrollment,
    Faculty,
    Program,
    ProgramPlanEntry,
    StudentProfile,
    StudyGroup,
)

NAME_SEARCH = ["code", "name_kk", "name_ru", "name_en"]
# Who edits a program's study plan (docs/subsystems/iup.md) is set in accounts.policies'
# ADMIN_AREAS ("academics.programplanentry"): site-wide roles only, as the admin checks them.


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0
    fields = ["code", "name_kk", "name_ru", "name_en"]
    show_change_link = True


@admin.register(Faculty)
class FacultyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_kk", "name_ru", "name_en"]
    search_fields = NAME_SEARCH
    inlines = [DepartmentInline]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_kk", "name_ru", "faculty"]
    list_filter = ["faculty"]
    search_fields = NAME_SEARCH
    list_select_related = ["faculty"]
    autocomplete_fields = ["faculty"]


class ProgramPlanEntryInline(admin.TabularInline):
    model = ProgramPlanEntry
    extra = 0
    fields = ["term", "discipline", "component", "elective_group", "elective_credits"]
    autocomplete_fields = ["discipline"]
    ordering = ["term", "component", "elective_group", "discipline__code"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("discipline")


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_kk",
        "name_ru",
        "level",
        "delivery_format",
        "department",
        "criteria_approved_on",
        "is_published",
    ]
    list_filter = ["level", "delivery_format", "is_published", "department__faculty"]
    search_fields = NAME_SEARCH
    list_select_related = ["department"]
    autocomplete_fields = ["department"]
    inlines = [ProgramPlanEntryInline]
    fieldsets = (
        (
            None,
            {
                "fields": [
                    "code",
                    ("name_kk", "name_ru", "name_en"),
                    "department",
                    ("level", "delivery_format"),
                    ("duration_years", "total_credits"),
                    "is_published",
                ]
            },
        ),
        (_("Description"), {"fields": ["description_kk", "description_ru", "description_en"]}),
        (
            _("Learning outcomes"),
            {"fields": ["learning_outcomes_kk", "learning_outcomes_ru", "learning_outcomes_en"]},
        ),
        (
            _("Admission criteria"),
            {
                "fields": [
                    "admission_criteria_kk",
                    "admission_criteria_ru",
                    "admission_criteria_en",
                    "criteria_approved_on",
                ]
            },
        ),
    )


@admin.register(Discipline)
class DisciplineAdmin(admin.ModelAdmin):
    list_display = ["code", "name_kk", "name_ru", "credits", "ects", "control_form", "department"]
    list_filter = ["control_form", "credits", "department__faculty", "programs"]
    search_fields = NAME_SEARCH
    list_select_related = ["department"]
    autocomplete_fields = ["department"]
    filter_horizontal = ["programs"]


@admin.register(ProgramPlanEntry)
class ProgramPlanEntryAdmin(admin.ModelAdmin):
    list_display = [
        "program",
        "term",
        "discipline",
        "component",
        "elective_group",
        "elective_credits",
    ]
    list_filter = ["component", "term", "program__department__faculty", "program"]
    search_fields = [
        "program__code",
        "discipline__code",
        "discipline__name_kk",
        "discipline__name_ru",
        "elective_group",
    ]
    list_select_related = ["program", "discipline"]
    autocomplete_fields = ["program", "discipline"]
    ordering = ["program__code", "term", "component", "elective_group", "discipline__code"]


class AcademicPeriodInline(admin.TabularInline):
    model = AcademicPeriod
    extra = 0
    fields = ["kind", "starts_on", "ends_on"]


class CalendarEventInline(admin.TabularInline):
    model = CalendarEvent
    extra = 0
    fields = ["kind", "period", "starts_on", "ends_on", "note_kk", "note_ru", "note_en"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("period__year")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "period":
            match = request.resolver_match
            year_id = match.kwargs.get("object_id") if match else None
            queryset = AcademicPeriod.objects.select_related("year")
            kwargs["queryset"] = queryset.filter(year_id=year_id) if year_id else queryset.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_on", "ends_on", "is_current"]
    list_filter = ["is_current"]
    search_fields = ["title"]
    inlines = [AcademicPeriodInline, CalendarEventInline]


@admin.register(AcademicPeriod)
class AcademicPeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "year", "kind", "starts_on", "ends_on"]
    list_filter = ["year", "kind"]
    search_fields = ["year__title"]
    list_select_related = ["year"]


@admin.register(CalendarEvent)
class CalendarEventAdmin(admin.ModelAdmin):
    list_display = ["kind", "starts_on", "ends_on", "year", "period", "note_kk"]
    list_filter = ["year", "kind", "period__kind"]
    search_fields = ["note_kk", "note_ru", "note_en"]
    list_select_related = ["year", "period__year"]
    date_hierarchy = "starts_on"


@admin.register(StudyGroup)
class StudyGroupAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "program",
        "admission_year",
        "year_of_study",
        "language",
        "curator",
        "student_count",
    ]
    list_filter = [
        "program__department__faculty",
        "program__level",
        "program__delivery_format",
        "year_of_study",
        "admission_year",
        "language",
    ]
    search_fields = ["code", "program__code", "program__name_kk", "program__name_ru"]
    list_select_related = ["program", "curator"]
    autocomplete_fields = ["program", "curator"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_students=Count("students"))

    @admin.display(description=_("students"), ordering="_students")
    def student_count(self, obj):
        return obj._students


@admin.register(StudentProfile)
class StudentProfileAdmin(admin.ModelAdmin):
    list_display = [
        "full_name",
        "iin",
        "student_number",
        "group",
        "program",
        "year_of_study",
        "status",
        "funding",
        "distance_ground",
    ]
    list_filter = [
        "status",
        "funding",
        "distance_ground",
        "shortened_period",
        "year_of_study",
        "program__department__faculty",
        "program__level",
        "program__delivery_format",
        "program",
    ]
    search_fields = [
        "user__last_name",
        "user__first_name",
        "user__middle_name",
        "user__iin",
        "user__username",
        "student_number",
        "group__code",
    ]
    list_select_related = ["user", "group", "program"]
    autocomplete_fields = ["user", "program", "group"]
    date_hierarchy = "enrolled_on"

    @admin.display(description=_("name"), ordering="user__last_name")
    def full_name(self, obj):
        return obj.user.full_name

    @admin.display(description=_("IIN"), ordering="user__iin")
    def iin(self, obj):
        return obj.user.iin


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    fields = ["student", "group", "enrolled_at"]
    readonly_fields = ["enrolled_at"]
    raw_id_fields = ["student", "group"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student", "group")


@admin.register(CourseOffering)
class CourseOfferingAdmin(admin.ModelAdmin):
    list_display = ["discipline", "period", "language", "group_codes", "tutor_names"]
    list_filter = [
        "period__year",
        "period__kind",
        "language",
        "discipline__department__faculty",
        "discipline__control_form",
    ]
    search_fields = [
        "discipline__code",
        "discipline__name_kk",
        "discipline__name_ru",
        "groups__code",
        "tutors__last_name",
    ]
    list_select_related = ["discipline", "period__year"]
    autocomplete_fields = ["discipline", "groups", "tutors"]
    inlines = [EnrollmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups", "tutors")

    @admin.display(description=_("groups"))
    def group_codes(self, obj):
        return ", ".join(sorted(g.code for g in obj.groups.all()))

    @admin.display(description=_("tutors"))
    def tutor_names(self, obj):
        return ", ".join(sorted(t.full_name for t in obj.tutors.all()))


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["student", "offering", "group", "enrolled_at"]
    list_filter = [
        "offering__period__year",
        "offering__period__kind",
        "offering__discipline__department__faculty",
    ]
    search_fields = [
        "student__last_name",
        "student__first_name",
        "student__iin",
        "offering__discipline__code",
        "group__code",
    ]
    list_select_related = ["student", "group", "offering__discipline", "offering__period__year"]
    raw_id_fields = ["student", "offering", "group"]
