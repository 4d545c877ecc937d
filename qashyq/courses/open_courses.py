"""Open courses (MOOCs and non-formal education): reads and writes.

An open course shows the latest approved EUMK version of its discipline to anyone who enrols
themselves, with or without a student account. People without any account register on the
course page: the form creates a plain user (no student profile, no role), signs them in and
enrols them, in one transaction. Learners mark materials as done like students of a course
offering (the same ``MaterialCompletion`` rows), so their progress counts the same way.

Who may do what: ``policies`` (the "open courses and certificates" part).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qashyq.academics.models import Discipline
from qashyq.accounts import services as account_services
from qashyq.accounts.roles import ScopeType
from qashyq.accounts.selectors import has_role, user_role_set
from qashyq.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from . import policies, progress, selectors
from .models import (
    Certificate,
    Material,
    MaterialCompletion,
    OpenCourse,
    OpenEnrolment,
    VersionStatus,
)

# --- reads --------------------------------------------------------------------------------------


def published_courses() -> list[OpenCourse]:
    """The public catalogue (one query)."""
    return list(
        OpenCourse.objects.filter(published=True)
        .select_related("discipline__department")
        .order_by("title_kk", "pk")
    )


def course_by_slug(slug: str) -> OpenCourse | None:
    return OpenCourse.objects.select_related("discipline__department").filter(slug=slug).first()


def visible_course(user, slug: str) -> OpenCourse:
    """The course, or NotFound when it does not exist or is unpublished (for non-managers: an
    unpublished course is not revealed)."""
    course = course_by_slug(slug)
    if course is None or not policies.can_view_open_course(user, course):
        raise NotFound(_("There is no such open course."))
    return course


def enrolled_course_ids(user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(OpenEnrolment.objects.filter(user=user).values_list("course_id", flat=True))


def courses_of_learner(user) -> list[OpenCourse]:
    """The open courses a person is enrolled in, for their dashboard (one query)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        OpenCourse.objects.filter(enrolments__user=user).order_by("title_kk", "pk").distinct()
    )


def approved_version(course: OpenCourse, *, contents: bool = True):
    return selectors.latest_approved_version(course.discipline_id, contents=contents)


def learner_progress(user, course: OpenCourse) -> progress.Progress:
    """Done / total of the released materials of the course's approved version (two queries)."""
    version = approved_version(course, contents=False)
    if version is None:
        return progress.Progress(0, 0)
    today = timezone.localdate()
    totals = Material.objects.filter(
        Q(release_on__isnull=True) | Q(release_on__lte=today), topic__version=version
    ).aggregate(
        total=Count("pk", distinct=True),
        done=Count("completions", filter=Q(completions__student=user), distinct=True),
    )
    return progress.Progress(totals["done"], totals["total"])


def reaches_threshold(course: OpenCourse, learner_progress_: progress.Progress) -> bool:
    """Exact comparison (no rounding): 99.5 % is not 100 %."""
    done, total = learner_progress_.done, learner_progress_.total
    return total > 0 and done * 100 >= course.threshold_percent * total


def material_of_course(course: OpenCourse, material_pk: int) -> Material:
    """A material of the course's latest approved version, or NotFound (another course's, a
    draft's or an earlier version's material is not part of this course)."""
    material = selectors.material_for_file(material_pk)
    approved = approved_version(course, contents=False)
    if material is None or approved is None or material.topic.version_id != approved.pk:
        raise NotFound(_("There is no such material in this course."))
    return material


# --- reads for the managers ----------------------------------------------------------------------


def managed_courses(user) -> list[OpenCourse]:
    """Every open course the user manages, published or not, with ``enrolment_count`` (one
    query; the policy check per course costs none)."""
    courses = (
        OpenCourse.objects.select_related("discipline__department")
        .annotate(enrolment_count=Count("enrolments", distinct=True))
        .order_by("title_kk", "pk")
    )
    return [course for course in courses if policies.can_manage_open_course(user, course)]


def managed_course(user, pk: int) -> OpenCourse:
    """The course for its managers: NotFound when there is none, PermissionDenied otherwise."""
    course = OpenCourse.objects.select_related("discipline__department").filter(pk=pk).first()
    if course is None:
        raise NotFound(_("There is no such open course."))
    if not policies.can_manage_open_course(user, course):
        raise PermissionDenied(_("Open courses are managed by methodologists and administrators."))
    return course


def course_disciplines(user, *, current: Discipline | None = None):
    """The disciplines an open course of this manager may be built on: those with an approved
    EUMK version in the manager's scope (and the course's ``current`` discipline)."""
    wanted = Q(eumk__versions__status=VersionStatus.APPROVED)
    if current is not None:
        wanted |= Q(pk=current.pk)
    disciplines = (
        Discipline.objects.filter(wanted).select_related("department").distinct().order_by("code")
    )
    if has_role(user, policies.OPEN_COURSE_MANAGERS):  # site-wide
        return disciplines
    faculties = {
        scope_id
        for role, scope_type, scope_id in user_role_set(user)
        if role in policies.OPEN_COURSE_MANAGERS and scope_type == ScopeType.FACULTY
    }
    return disciplines.filter(department__faculty_id__in=faculties)


@dataclass(frozen=True)
class LearnerRow:
    enrolment: OpenEnrolment
    progress: progress.Progress
    certificate: Certificate | None  # the valid one, if any


def enrolments_with_progress(course: OpenCourse) -> list[LearnerRow]:
    """Each learner of the course with their progress through the released materials of its
    approved version and their valid certificate: four queries whatever the number of
    learners (the version, the released materials, the enrolments with their counts, the
    certificates)."""
    version = approved_version(course, contents=False)
    released: list[int] = []
    if version is not None:
        today = timezone.localdate()
        released = list(
            Material.objects.filter(
                Q(release_on__isnull=True) | Q(release_on__lte=today), topic__version=version
            ).values_list("pk", flat=True)
        )
    enrolments = (
        OpenEnrolment.objects.filter(course=course)
        .select_related("user")
        .annotate(
            done=Count(
                "user__material_completions",
                filter=Q(user__material_completions__material_id__in=released),
                distinct=True,
            )
        )
        .order_by("user__last_name", "user__first_name", "user__pk")
    )
    valid = {
        certificate.user_id: certificate
        for certificate in Certificate.objects.filter(course=course, revoked_at__isnull=True)
    }
    return [
        LearnerRow(
            enrolment=enrolment,
            progress=progress.Progress(enrolment.done, len(released)),
            certificate=valid.get(enrolment.user_id),
        )
        for enrolment in enrolments
    ]


# --- writes -------------------------------------------------------------------------------------

COURSE_FIELDS = (
    "title_kk",
    "title_ru",
    "title_en",
    "slug",
    "kind",
    "description_kk",
    "description_ru",
    "description_en",
    "hours",
    "enrolment_open",
    "starts_on",
    "ends_on",
    "certificate_enabled",
    "threshold_percent",
    "published",
)


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )


def _deny_management():
    return PermissionDenied(_("Open courses are managed by methodologists and administrators."))


def _require_approved_eumk(discipline: Discipline) -> None:
    if selectors.latest_approved_version(discipline.pk, contents=False) is None:
        message = _("The discipline has no approved EUMK: its approved version is the content.")
        raise ValidationFailed(message, details={"discipline": message})


def _validated_save(course: OpenCourse) -> OpenCourse:
    """The model's checks (required fields, unique address, dates, threshold) as one
    ValidationFailed with a message per field; nothing is saved when any fails."""
    errors: dict[str, str] = {}
    try:
        # The table's check constraints are repeated below with messages a person understands.
        course.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = {name: " ".join(msgs) for name, msgs in exc.message_dict.items()}
    if course.starts_on and course.ends_on and course.ends_on < course.starts_on:
        errors.setdefault("ends_on", str(_("The course cannot end before it starts.")))
    if errors:
        raise ValidationFailed(_("Check the highlighted fields."), details=errors)
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError as exc:  # a concurrent save took the address first
        raise ValidationFailed(
            _("Check the highlighted fields."),
            details={"slug": str(_("Another open course has this address already."))},
        ) from exc
    return course


@transaction.atomic
def open_course_create(*, actor, discipline, **fields) -> OpenCourse:
    """Create an open course over a discipline with an approved EUMK (its latest approved
    version is the content)."""
    _check_fields(fields)
    course = OpenCourse(discipline=discipline, **fields)
    if not policies.can_manage_open_course(actor, course):
        raise _deny_management()
    _require_approved_eumk(discipline)
    return _validated_save(course)


@transaction.atomic
def open_course_update(*, actor, course: OpenCourse, discipline=None, **fields) -> OpenCourse:
    """Change an open course's fields (any of ``COURSE_FIELDS``) and, optionally, its
    discipline. The actor must manage the course both before and after the change (a
    faculty's methodologist cannot move a course to another faculty's discipline); a new
    discipline needs an approved EUMK. Certificates already issued keep what they printed."""
    _check_fields(fields)
    locked = (
        OpenCourse.objects.select_for_update(of=("self",))
        .select_related("discipline__department")
        .filter(pk=course.pk)
        .first()
    )
    if locked is None:
        raise NotFound(_("There is no such open course."))
    if not policies.can_manage_open_course(actor, locked):
        raise _deny_management()
    if discipline is not None and discipline.pk != locked.discipline_id:
        locked.discipline = discipline
        if not policies.can_manage_open_course(actor, locked):
            raise _deny_management()
        _require_approved_eumk(discipline)
    for name, value in fields.items():
        setattr(locked, name, value)
    return _validated_save(locked)


def _enrolment_refused(course: OpenCourse) -> ValidationFailed:
    return ValidationFailed(_("Enrolment in “%(title)s” is closed.") % {"title": course.title})


@transaction.atomic
def open_course_enrol(*, actor, course: OpenCourse) -> OpenEnrolment:
    """Enrol the actor themselves (idempotent: enrolling twice keeps the first enrolment)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in or register to enrol."))
    if not policies.can_enrol_open_course(actor, course, today=timezone.localdate()):
        raise _enrolment_refused(course)
    enrolment, _created = OpenEnrolment.objects.get_or_create(course=course, user=actor)
    return enrolment


@transaction.atomic
def open_course_leave(*, actor, course: OpenCourse) -> None:
    """Leave a course. Marks of done materials and certificates already issued are kept."""
    deleted, _rows = OpenEnrolment.objects.filter(course=course, user=actor).delete()
    if not deleted:
        raise ValidationFailed(_("You are not enrolled in this course."))


def _account_exists_message() -> str:
    return _("An account with this e-mail already exists. Sign in and enrol from this page.")


def _account_exists(email: str) -> bool:
    """The e-mail is somebody's e-mail or login already (case-insensitive)."""
    return (
        get_user_model().objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists()
    )


def learner_register_and_enrol(
    *,
    course: OpenCourse,
    first_name: str,
    last_name: str,
    email: str,
    password1: str,
    password2: str,
    language: str = "kk",
):
    """Create a plain account for someone who has none (no student profile, no role) and enrol
    it, in one transaction. The e-mail is the login. Returns the new user; the view signs them
    in. Nothing is written when anything is refused."""
    if not policies.open_course_enrolment_is_open(course, today=timezone.localdate()):
        raise _enrolment_refused(course)
    errors: dict[str, str] = {}
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    email = (email or "").strip().lower()
    if not first_name:
        errors["first_name"] = _("Enter your first name.")
    if not last_name:
        errors["last_name"] = _("Enter your last name.")
    if not email:
        errors["email"] = _("Enter your e-mail address.")
    elif _account_exists(email):
        errors["email"] = _account_exists_message()
    if not password1:
        errors["password1"] = _("Choose a password.")
    elif password1 != password2:
        errors["password2"] = _("The two passwords differ.")
    if errors:
        raise ValidationFailed(_("Check the highlighted fields."), details=errors)
    try:
        with transaction.atomic():
            user = account_services.user_create(
                actor=None,
                username=email,
                first_name=first_name,
                last_name=last_name,
                email=email,
                password=password1,
                preferred_language=language if language in ("kk", "ru", "en") else "kk",
                check=False,  # public self-registration: the course's enrolment policy above
            )
            OpenEnrolment.objects.create(course=course, user=user)
    except ValidationFailed as exc:
        details = dict(exc.details or {})
        # The login is the e-mail, so a refused username is a refused e-mail.
        if "username" in details:
            details.setdefault("email", details.pop("username"))
        if "password" in details:  # the form's first password field
            details.setdefault("password1", details.pop("password"))
        raise ValidationFailed(_("Check the highlighted fields."), details=details) from exc
    except (Conflict, IntegrityError) as exc:  # a concurrent registration won the race
        raise ValidationFailed(
            _("Check the highlighted fields."), details={"email": _account_exists_message()}
        ) from exc
    return user


def _material_for_learner(actor, course: OpenCourse, material: Material) -> Material:
    if not policies.can_complete_open_course_materials(actor, course):
        raise PermissionDenied(_("Only the course's learners mark materials as done."))
    material = (
        Material.objects.select_for_update(of=("self",))
        .select_related("topic__version__eumk", "requires")
        .get(pk=material.pk)
    )
    version = material.topic.version
    latest = approved_version(course, contents=False)
    if version.status != VersionStatus.APPROVED or latest is None or latest.pk != version.pk:
        raise ValidationFailed(_("This material is not part of the course's current materials."))
    return material


@transaction.atomic
def open_material_mark_complete(*, actor, course: OpenCourse, material: Material):
    material = _material_for_learner(actor, course, material)
    if not progress.is_released(material, timezone.localdate()):
        raise ValidationFailed(_("This material is not available yet."))
    if (
        material.requires_id
        and not MaterialCompletion.objects.filter(
            student=actor, material_id=material.requires_id
        ).exists()
    ):
        raise ValidationFailed(
            _("Complete “%(title)s” first.") % {"title": material.requires.title}
        )
    completion, _created = MaterialCompletion.objects.get_or_create(
        material=material, student=actor
    )
    return completion


@transaction.atomic
def open_material_unmark_complete(*, actor, course: OpenCourse, material: Material) -> None:
    material = _material_for_learner(actor, course, material)
    MaterialCompletion.objects.filter(material=material, student=actor).delete()
