"""The EUMK (electronic teaching-methodological complex) of a discipline, in versions.

One ``Eumk`` per discipline (the regulation makes it mandatory per discipline). Its content lives
in ``EumkVersion`` rows: at most one version is open for work (draft, submitted or returned) at a
time, and students see the latest approved one. A version holds components (by kind), the
calendar-thematic plan of the syllabus (``PlanClass``), topics by week and their materials.

Course content (topic titles, material titles and texts) is written in the course's language and
stored once; only names a student sees across the university (disciplines, programs) are
trilingual (DESIGN.md, rule 8).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qashyq.academics.models import Discipline
from qashyq.core.models import TimeStampedModel


class ComponentKind(models.TextChoices):
    SYLLABUS = "syllabus", _("Syllabus")
    THEORY = "theory", _("Theoretical material")
    VIDEO_LECTURES = "video_lectures", _("Video lectures")
    SEMINARS = "seminars", _("Seminar and practical materials")
    SRO = "sro", _("Tasks for independent work (SRO)")
    SROP = "srop", _("Tasks for independent work under the tutor (SROP)")
    CONTROL = "control", _("Control-measurement materials with grading criteria")
    CONSULTATIONS = "consultations", _("Remote consultation schedule")
    SIMULATORS = "simulators", _("Simulators")
    TUTORIALS = "tutorials", _("Tutorials")
    REFERENCE = "reference", _("Reference material")
    MULTIMEDIA_GUIDES = "multimedia_guides", _("Multimedia guides")


MANDATORY_COMPONENTS = (
    ComponentKind.SYLLABUS,
    ComponentKind.THEORY,
    ComponentKind.VIDEO_LECTURES,
    ComponentKind.SEMINARS,
    ComponentKind.SRO,
    ComponentKind.SROP,
    ComponentKind.CONTROL,
    ComponentKind.CONSULTATIONS,
)
OPTIONAL_COMPONENTS = tuple(k for k in ComponentKind if k not in MANDATORY_COMPONENTS)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for revision")


OPEN_STATUSES = (VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.RETURNED)
EDITABLE_STATUSES = (VersionStatus.DRAFT, VersionStatus.RETURNED)


class Eumk(TimeStampedModel):
    discipline = models.OneToOneField(
        Discipline, verbose_name=_("discipline"), on_delete=models.PROTECT, related_name="eumk"
    )

    class Meta:
        verbose_name = _("EUMK")
        verbose_name_plural = _("EUMKs")
        ordering = ["discipline__code"]

    def __str__(self) -> str:
        return f"EUMK {self.discipline.code}"


class EumkVersion(TimeStampedModel):
    eumk = models.ForeignKey(Eumk, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)

    class Meta:
        verbose_name = _("EUMK version")
        verbose_name_plural = _("EUMK versions")
        ordering = ["eumk", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["eumk", "number"], name="eumk_version_number_unique"),
            models.UniqueConstraint(
                fields=["eumk"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="eumk_one_open_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.eumk} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class Component(models.Model):
    """One component of a version: a Markdown text and, optionally, a link or a file."""

    version = models.ForeignKey(EumkVersion, on_delete=models.CASCADE, related_name="components")
    kind = models.CharField(_("component"), max_length=24, choices=ComponentKind.choices)
    body = models.TextField(_("content (Markdown)"), blank=True)
    grading_criteria = models.TextField(_("grading criteria (Markdown)"), blank=True)
    url = models.URLField(_("link"), blank=True)
    file = models.FileField(_("file"), upload_to="eumk/components/%Y/", blank=True)
    # As for a material: the uploader's file name, the sniffed type, the size and the
    # fingerprint of the stored file. Filled by ``services.component_save``.
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    mime_type = models.CharField(_("file type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("EUMK component")
        verbose_name_plural = _("EUMK components")
        ordering = ["version", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["version", "kind"], name="eumk_component_unique")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def has_content(self) -> bool:
        return bool(self.body.strip() or self.url or self.file)


class ClassType(models.TextChoices):
    LECTURE = "lecture", _("Lecture")
    SEMINAR = "seminar", _("Seminar / practical class")
    LAB = "lab", _("Laboratory class")
    SROP = "srop", _("SROP")


class ClassMode(models.TextChoices):
    ONLINE_SYNC = "online_sync", _("Online, synchronous")
    ONLINE_ASYNC = "online_async", _("Online, asynchronous")
    IN_PERSON = "in_person", _("In person")


ONLINE_MODES = (ClassMode.ONLINE_SYNC, ClassMode.ONLINE_ASYNC)


class PlanClass(models.Model):
    """One class of the calendar-thematic plan (part of the syllabus)."""

    version = models.ForeignKey(EumkVersion, on_delete=models.CASCADE, related_name="plan")
    week = models.PositiveSmallIntegerField(
        _("week"), validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    topic = models.CharField(_("topic"), max_length=255)
    class_type = models.CharField(
        _("class type"), max_length=16, choices=ClassType.choices, default=ClassType.LECTURE
    )
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)]
    )
    mode = models.CharField(_("mode"), max_length=16, choices=ClassMode.choices)

    class Meta:
        verbose_name = _("class of the calendar-thematic plan")
        verbose_name_plural = _("calendar-thematic plan")
        ordering = ["version", "week", "pk"]
        constraints = [models.CheckConstraint(condition=Q(hours__gte=0), name="plan_hours_gte_0")]

    def __str__(self) -> str:
        return f"{self.week}: {self.topic}"


class Topic(models.Model):
    version = models.ForeignKey(EumkVersion, on_delete=models.CASCADE, related_name="topics")
    week = models.PositiveSmallIntegerField(
        _("week"), validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    title = models.CharField(_("title"), max_length=255)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["version", "week", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class MaterialKind(models.TextChoices):
    TEXT = "text", _("Text")
    FILE = "file", _("File")
    LINK = "link", _("Link")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")
    IMAGE = "image", _("Image")
    EMBED = "embed", _("Embedded resource")


class Material(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("kind"), max_length=8, choices=MaterialKind.choices)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text (Markdown)"), blank=True)
    file = models.FileField(_("file"), upload_to="eumk/materials/%Y/", blank=True)
    url = models.URLField(_("link"), blank=True)
    # What the uploader's file was called, what it really is (sniffed) and its fingerprint; the
    # stored name is random. Filled by ``services.material_add`` and ``material_update``.
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    mime_type = models.CharField(_("file type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    captions = models.FileField(_("captions (WebVTT)"), upload_to="eumk/captions/%Y/", blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    printable = models.BooleanField(_("printable"), default=False)
    release_on = models.DateField(_("available from"), null=True, blank=True)
    # Release after an earlier item: locked for a student until they completed this material
    # (same version, no cycles: checked by ``progress.material_set_requirement``).
    requires = models.ForeignKey(
        "self",
        verbose_name=_("complete first"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="required_by",
    )
    # The material of the earlier version this one was copied from when a new version opened;
    # lets a student's completion carry over to the newly approved version when nothing changed.
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["topic", "position", "pk"]

    def __str__(self) -> str:
        return self.title


# --- offline package (case technology) ----------------------------------------------------------

DEFAULT_OFFLINE_MEDIA_CAP_MB = 200


class OfflinePackageSettings(models.Model):
    """What the tutor set for the offline package of a discipline's EUMK: the media size cap.

    Videos and audio recordings go into the package, in course order, while their total stays
    within the cap; the rest are marked "online only" in the package's index."""

    eumk = models.OneToOneField(
        Eumk, on_delete=models.CASCADE, related_name="offline_settings", verbose_name=_("EUMK")
    )
    media_cap_mb = models.PositiveIntegerField(
        _("video and audio in the offline package, up to (MB)"),
        default=DEFAULT_OFFLINE_MEDIA_CAP_MB,
        validators=[MaxValueValidator(10_000)],
    )

    class Meta:
        verbose_name = _("offline package settings")
        verbose_name_plural = _("offline package settings")

    def __str__(self) -> str:
        return f"{self.eumk}: {self.media_cap_mb} MB"


# --- consultations ------------------------------------------------------------------------------


class ConsultationMode(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")


class ConsultationSlot(TimeStampedModel):
    """A consultation a tutor of a course offering publishes for its students to book."""

    offering = models.ForeignKey(
        "academics.CourseOffering",
        on_delete=models.CASCADE,
        related_name="consultation_slots",
        verbose_name=_("course"),
    )
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tutor"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    mode = models.CharField(_("mode"), max_length=16, choices=ConsultationMode.choices)
    meeting_url = models.URLField(_("meeting link"), blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("places"), default=1, validators=[MinValueValidator(1)]
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["offering", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="consultation_ends_after"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="consultation_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.offering_id} · {self.starts_at:%Y-%m-%d %H:%M}"


class ConsultationBooking(models.Model):
    slot = models.ForeignKey(ConsultationSlot, on_delete=models.CASCADE, related_name="bookings")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultation_bookings"
    )
    booked_at = models.DateTimeField(_("booked"), auto_now_add=True)

    class Meta:
        verbose_name = _("consultation booking")
        verbose_name_plural = _("consultation bookings")
        ordering = ["slot", "booked_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "student"], name="consultation_booking_unique")
        ]

    def __str__(self) -> str:
        return f"{self.student} → {self.slot}"


# --- progress -----------------------------------------------------------------------------------


class MaterialCompletion(models.Model):
    """A student marked a material of an approved EUMK version as done."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="completions")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="material_completions"
    )
    completed_at = models.DateTimeField(_("completed"), auto_now_add=True)

    class Meta:
        verbose_name = _("completed material")
        verbose_name_plural = _("completed materials")
        ordering = ["material", "student"]
        constraints = [
            models.UniqueConstraint(
                fields=["material", "student"], name="material_completion_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} ✓ {self.material}"


# --- open courses and certificates --------------------------------------------------------------


class OpenCourseKind(models.TextChoices):
    MOOC = "mooc", _("Massive open online course")
    SHORT_COURSE = "short_course", _("Short course")
    RETRAINING = "retraining", _("Retraining")
    LANGUAGE = "language", _("Language course")


class OpenCourse(TimeStampedModel):
    """A course open to anyone (MOOC and non-formal education) over a discipline's approved EUMK.

    Its content is the latest approved EUMK version of ``discipline``; learners enrol themselves
    (``OpenEnrolment``) and earn a ``Certificate`` once they have completed ``threshold_percent``
    of its released materials. The title is trilingual: it is printed on the certificate."""

    title_kk = models.CharField(_("title (Kazakh)"), max_length=255)
    title_ru = models.CharField(_("title (Russian)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OpenCourseKind.choices)
    description_kk = models.TextField(_("description, Kazakh (Markdown)"), blank=True)
    description_ru = models.TextField(_("description, Russian (Markdown)"), blank=True)
    description_en = models.TextField(_("description, English (Markdown)"), blank=True)
    discipline = models.ForeignKey(
        Discipline,
        verbose_name=_("discipline (its approved EUMK is the content)"),
        on_delete=models.PROTECT,
        related_name="open_courses",
    )
    hours = models.PositiveSmallIntegerField(
        _("hours"), validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )
    enrolment_open = models.BooleanField(_("enrolment open"), default=True)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    certificate_enabled = models.BooleanField(_("certificate issued"), default=True)
    threshold_percent = models.PositiveSmallIntegerField(
        _("materials to complete for the certificate (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("open course")
        verbose_name_plural = _("open courses")
        ordering = ["title_kk", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold_percent__gte=1) & Q(threshold_percent__lte=100),
                name="open_course_threshold_1_100",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="open_course_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        from qashyq.core.models import translated

        return translated(self, "title")

    @property
    def description(self) -> str:
        from qashyq.core.models import translated

        return translated(self, "description")


class OpenEnrolment(models.Model):
    """A person enrolled themselves in an open course (no student account needed)."""

    course = models.ForeignKey(OpenCourse, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="open_enrolments"
    )
    enrolled_at = models.DateTimeField(_("enrolled"), auto_now_add=True)

    class Meta:
        verbose_name = _("open course enrolment")
        verbose_name_plural = _("open course enrolments")
        ordering = ["course", "enrolled_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="open_enrolment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.course}"


class Certificate(models.Model):
    """A certificate of an open course: what was printed on it is kept as issued (snapshots), so
    the public verification page shows the same name, title and hours even after they change."""

    course = models.ForeignKey(
        OpenCourse, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("course")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("holder"),
    )
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    issued_at = models.DateTimeField(_("issued"))
    holder_name = models.CharField(_("holder's name"), max_length=255)
    course_title_kk = models.CharField(_("course title (Kazakh)"), max_length=255)
    course_title_ru = models.CharField(_("course title (Russian)"), max_length=255)
    course_title_en = models.CharField(_("course title (English)"), max_length=255)
    hours = models.PositiveSmallIntegerField(_("hours"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "pk"]
        constraints = [
            # One valid certificate per person and course; a revoked one may be followed by a
            # new one.
            models.UniqueConstraint(
                fields=["course", "user"],
                condition=Q(revoked_at__isnull=True),
                name="certificate_one_valid_per_course",
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    @property
    def course_title(self) -> str:
        from qashyq.core.models import translated

        return translated(self, "course_title")
