from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from qashyq.core.models import TimeStampedModel, TrilingualNameModel


class Faculty(TrilingualNameModel):
    code = models.CharField(_("code"), max_length=32, unique=True)

    class Meta:
        verbose_name = _("faculty")
        verbose_name_plural = _("faculties")
        ordering = ["code"]


class Department(TrilingualNameModel):
    faculty = models.ForeignKey(Faculty, on_delete=models.PROTECT, related_name="departments")
    code = models.CharField(_("code"), max_length=32, unique=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]


class ProgramLevel(models.TextChoices):
    NON_FORMAL = "non_formal", _("Non-formal education")
    ADDITIONAL = "additional", _("Additional education")
    TVET = "tvet", _("Technical and vocational")
    BACHELOR = "bachelor", _("Bachelor")
    MASTER = "master", _("Master")
    DOCTORAL = "doctoral", _("Doctoral")


class DeliveryFormat(models.TextChoices):
    # xgettext:no-python-format
    DISTANCE = "distance", _("Distance (80% or more online)")
    # xgettext:no-python-format
    BLENDED = "blended", _("Blended (30–80% online)")
    ONSITE = "onsite", _("On-site")


class Program(TrilingualNameModel, TimeStampedModel):
    """An educational program (образовательная программа)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="programs")
    level = models.CharField(_("level"), max_length=16, choices=ProgramLevel.choices)
    delivery_format = models.CharField(
        _("delivery format"), max_length=16, choices=DeliveryFormat.choices
    )
    duration_years = models.PositiveSmallIntegerField(_("duration, years"), default=4)
    total_credits = models.PositiveSmallIntegerField(_("total credits"), default=240)
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    learning_outcomes_kk = models.TextField(_("learning outcomes (Kazakh)"), blank=True)
    learning_outcomes_ru = models.TextField(_("learning outcomes (Russian)"), blank=True)
    learning_outcomes_en = models.TextField(_("learning outcomes (English)"), blank=True)
    admission_criteria_kk = models.TextField(_("admission criteria (Kazakh)"), blank=True)
    admission_criteria_ru = models.TextField(_("admission criteria (Russian)"), blank=True)
    admission_criteria_en = models.TextField(_("admission criteria (English)"), blank=True)
    criteria_approved_on = models.DateField(
        _("criteria approved by the Academic Council on"), null=True, blank=True
    )
    is_published = models.BooleanField(_("shown in the public catalogue"), default=True)

    class Meta:
        verbose_name = _("educational program")
        verbose_name_plural = _("educational programs")
        ordering = ["code"]


class ControlForm(models.TextChoices):
    EXAM = "exam", _("Exam")
    PASS_FAIL = "pass_fail", _("Pass / fail")
    COURSEWORK = "coursework", _("Coursework")
    PRACTICE = "practice", _("Practice")
    STATE_EXAM = "state_exam", _("State exam")


class Discipline(TrilingualNameModel):
    code = models.CharField(_("code"), max_length=32, unique=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="disciplines", null=True, blank=True
    )
    credits = models.PositiveSmallIntegerField(
        _("credits"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    ects = models.DecimalField(_("ECTS"), max_digits=4, decimal_places=1)
    control_form = models.CharField(
        _("control form"), max_length=16, choices=ControlForm.choices, default=ControlForm.EXAM
    )
    programs = models.ManyToManyField(
        Program, verbose_name=_("programs"), related_name="disciplines", blank=True
    )

    class Meta:
        verbose_name = _("discipline")
        verbose_name_plural = _("disciplines")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(credits__gte=1), name="discipline_credits_positive")
        ]


class AcademicYear(models.Model):
    title = models.CharField(_("title"), max_length=16, unique=True, help_text="2026-2027")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        verbose_name = _("academic year")
        verbose_name_plural = _("academic years")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="year_dates_order"
            ),
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_year"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PeriodKind(models.TextChoices):
    SEMESTER_1 = "semester_1", _("Semester 1")
    SEMESTER_2 = "semester_2", _("Semester 2")
    SUMMER = "summer", _("Summer semester")


class AcademicPeriod(models.Model):
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="periods")
    kind = models.CharField(_("period"), max_length=16, choices=PeriodKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("academic period")
        verbose_name_plural = _("academic periods")
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["year", "kind"], name="period_unique_per_year"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="period_dates_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year.title} · {self.get_kind_display()}"


class EventKind(models.TextChoices):
    CLASSES = "classes", _("Classes")
    MIDTERM_1 = "midterm_1", _("Midterm week (RK1)")
    MIDTERM_2 = "midterm_2", _("Midterm week (RK2)")
    EXAM_SESSION = "exam_session", _("Exam session")
    HOLIDAYS = "holidays", _("Holidays")
    SUMMER_SEMESTER = "summer_semester", _("Summer semester")
    PRACTICE = "practice", _("Professional practice")
    FINAL_ATTESTATION = "final_attestation", _("Final attestation")


class CalendarEvent(models.Model):
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="events")
    period = models.ForeignKey(
        AcademicPeriod, on_delete=models.CASCADE, related_name="events", null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    note_kk = models.CharField(_("note (Kazakh)"), max_length=255, blank=True)
    note_ru = models.CharField(_("note (Russian)"), max_length=255, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("calendar event")
        verbose_name_plural = _("academic calendar")
        ordering = ["starts_on", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="event_dates_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on}–{self.ends_on}"


class StudyGroup(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="groups")
    admission_year = models.PositiveSmallIntegerField(_("year of admission"))
    year_of_study = models.PositiveSmallIntegerField(
        _("year of study"), validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    language = models.CharField(
        _("language of instruction"), max_length=2, choices=settings.LANGUAGES, default="kk"
    )
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("curator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="curated_groups",
    )

    class Meta:
        verbose_name = _("study group")
        verbose_name_plural = _("study groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class StudentStatus(models.TextChoices):
    ACTIVE = "active", _("Studying")
    ACADEMIC_LEAVE = "academic_leave", _("Academic leave")
    EXPELLED = "expelled", _("Expelled")
    GRADUATED = "graduated", _("Graduated")


class Funding(models.TextChoices):
    STATE_GRANT = "grant", _("State grant")
    PAID = "paid", _("Paid")


class DistanceGround(models.TextChoices):
    NONE = "", _("Not studying by distance technologies")
    ADDITIONAL_EDUCATION = "additional_education", _("Additional education")
    SPECIAL_NEEDS = "special_needs", _("Special educational needs")
    EXCHANGE_ABROAD = "exchange_abroad", _("Exchange study abroad")
    BUSINESS_TRIP = "business_trip", _("Long-term foreign business trip (over 2 months)")


class StudentProfile(TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="student_profile"
    )
    student_number = models.CharField(_("record book number"), max_length=32, unique=True)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="students")
    group = models.ForeignKey(
        StudyGroup, on_delete=models.PROTECT, related_name="students", null=True, blank=True
    )
    year_of_study = models.PositiveSmallIntegerField(
        _("year of study"), validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=StudentStatus.choices, default=StudentStatus.ACTIVE
    )
    funding = models.CharField(_("funding"), max_length=8, choices=Funding.choices)
    shortened_period = models.BooleanField(_("shortened study period"), default=False)
    distance_ground = models.CharField(
        _("ground for distance study"),
        max_length=24,
        choices=DistanceGround.choices,
        blank=True,
        default="",
    )
    disability_group = models.PositiveSmallIntegerField(
        _("disability group"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    ground_document = models.FileField(
        _("supporting document"), upload_to="distance-grounds/%Y/", blank=True
    )
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)

    class Meta:
        verbose_name = _("student profile")
        verbose_name_plural = _("student profiles")
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(disability_group__isnull=True) | Q(distance_ground="special_needs"),
                name="disability_only_with_special_needs",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.student_number})"


class CourseOffering(TimeStampedModel):
    """A discipline taught in one academic period to one or more groups by one or more tutors."""

    discipline = models.ForeignKey(Discipline, on_delete=models.PROTECT, related_name="offerings")
    period = models.ForeignKey(AcademicPeriod, on_delete=models.PROTECT, related_name="offerings")
    language = models.CharField(
        _("language of instruction"), max_length=2, choices=settings.LANGUAGES, default="kk"
    )
    groups = models.ManyToManyField(
        StudyGroup, verbose_name=_("groups"), related_name="offerings", blank=True
    )
    tutors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tutors"),
        related_name="taught_offerings",
        blank=True,
    )

    class Meta:
        verbose_name = _("course offering")
        verbose_name_plural = _("course offerings")
        ordering = ["period__starts_on", "discipline__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["discipline", "period", "language"], name="offering_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.discipline.code} · {self.period}"


class Enrollment(models.Model):
    offering = models.ForeignKey(
        CourseOffering, on_delete=models.CASCADE, related_name="enrollments"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    group = models.ForeignKey(
        StudyGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrolled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(fields=["offering", "student"], name="enrollment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.student} → {self.offering}"


class PlanComponent(models.TextChoices):
    """The component of a discipline in the program's study plan (the national standard's terms)."""

    MANDATORY = "mandatory", _("Mandatory component")
    UNIVERSITY = "university", _("University component")
    ELECTIVE = "elective", _("Elective component")


class ProgramPlanEntry(models.Model):
    """One discipline of a program's study plan (рабочий учебный план): in which term of study it
    is taken and whether the student must take it or may choose it.

    ``term`` counts semesters from the start of study: term 1 and 2 are the first year's
    semesters, 3 and 4 the second year's, and so on. Elective entries with the same
    ``elective_group`` are alternatives: the student picks ``elective_credits`` credits of them
    (the group's first entry carries the number; see docs/subsystems/iup.md).
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="plan_entries")
    discipline = models.ForeignKey(
        Discipline, verbose_name=_("discipline"), on_delete=models.PROTECT, related_name="+"
    )
    term = models.PositiveSmallIntegerField(
        _("term of study"), validators=[MinValueValidator(1), MaxValueValidator(16)]
    )
    component = models.CharField(
        _("component"),
        max_length=16,
        choices=PlanComponent.choices,
        default=PlanComponent.MANDATORY,
    )
    elective_group = models.CharField(
        _("elective group"),
        max_length=32,
        blank=True,
        help_text=_("Electives with the same group are alternatives, e.g. «КВ-3.1»."),
    )
    elective_credits = models.PositiveSmallIntegerField(
        _("credits to choose in the group"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("study plan entry")
        verbose_name_plural = _("program study plan")
        ordering = ["program", "term", "component", "discipline__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "discipline"], name="program_plan_entry_unique"
            ),
            models.CheckConstraint(
                condition=Q(component="elective") | Q(elective_group=""),
                name="program_plan_group_only_elective",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} · {self.term}: {self.discipline_id}"

    @property
    def year_of_study(self) -> int:
        return (self.term + 1) // 2

    @property
    def period_kind(self) -> str:
        return PeriodKind.SEMESTER_1 if self.term % 2 else PeriodKind.SEMESTER_2
