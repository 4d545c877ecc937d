"""Progress through a course: release after an earlier material, completion marks, progress.

* A material may require an earlier material of the same version (``Material.requires``): it is
  locked for a reader until they have marked the required one as done. Editors (tutors,
  methodologists: ``policies.can_see_unreleased``) always see everything, as with release dates.
* A student enrolled in an offering marks the released, unlocked materials of the latest approved
  version as done (``MaterialCompletion``; idempotent) and may take the mark back.
* Progress counts the released materials of the latest approved version: done / total / percent,
  for one student, or for every student of an offering in one query (for its tutors).
* When a new version is approved, the marks of each material that did not change since the version
  it was copied from (same kind, title, text, link and file sha256) are copied to it
  (``carry_completions``); a changed or new material starts unmarked.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qashyq.academics.models import CourseOffering, Enrollment
from qashyq.academics.policies import _signed_in, course_offering_ids
from qashyq.accounts.selectors import has_role
from qashyq.core.errors import PermissionDenied, ValidationFailed

from . import policies, selectors, services
from .models import Material, MaterialCompletion, VersionStatus

# --- policies -----------------------------------------------------------------------------------


def is_enrolled_in_discipline(user, discipline_id: int) -> bool:
    if not _signed_in(user):
        return False
    return Enrollment.objects.filter(student=user, offering__discipline_id=discipline_id).exists()


def is_enrolled(user, offering: CourseOffering) -> bool:
    if not _signed_in(user):
        return False
    return Enrollment.objects.filter(student=user, offering=offering).exists()


def can_view_offering_progress(user, offering: CourseOffering) -> bool:
    """The offering's tutors, and the EUMK staff (methodologists, heads) of its faculty."""
    if not _signed_in(user):
        return False
    return offering.pk in course_offering_ids(user) or has_role(
        user, policies.EUMK_STAFF, policies._scopes(offering.discipline)
    )


# --- reads --------------------------------------------------------------------------------------


def is_released(material: Material, on: datetime.date) -> bool:
    return material.release_on is None or material.release_on <= on


def completed_ids(user, version_id: int) -> set[int]:
    """The materials of a version the user marked as done (one query)."""
    if not _signed_in(user):
        return set()
    return set(
        MaterialCompletion.objects.filter(
            student=user, material__topic__version_id=version_id
        ).values_list("material_id", flat=True)
    )


def enrollment_and_completions(
    user, offering: CourseOffering, material_ids: list[int]
) -> set[int] | None:
    """None when the user is not enrolled in the offering, else which of the materials they
    marked as done (one query for both)."""
    if not _signed_in(user):
        return None
    rows = list(
        Enrollment.objects.filter(student=user, offering=offering)
        .annotate(
            done=FilteredRelation(
                "student__material_completions",
                condition=Q(student__material_completions__material_id__in=material_ids),
            )
        )
        .values_list("done__material_id", flat=True)
    )
    if not rows:
        return None
    return {pk for pk in rows if pk is not None}


def material_ids(version) -> list[int]:
    """The pks of a version's prefetched materials (no query)."""
    return [m.pk for t in version.topics.all() for m in t.materials.all()]


def lock_of(material: Material, done: set[int]) -> int | None:
    """The pk of the material to complete first, or None when the material is open."""
    if material.requires_id and material.requires_id not in done:
        return material.requires_id
    return None


def annotate_materials(version, done: set[int], *, see_all: bool) -> None:
    """Set ``is_done``, ``locked_by`` (the material to complete first, or None) and
    ``required_material`` on the prefetched materials of a version (no query)."""
    by_pk = {m.pk: m for t in version.topics.all() for m in t.materials.all()}
    for material in by_pk.values():
        material.is_done = material.pk in done
        material.required_material = by_pk.get(material.requires_id)
        lock = None if see_all else lock_of(material, done)
        material.locked_by = by_pk.get(lock) if lock else None


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class StudentProgress:
    student: object
    progress: Progress


def _released_q(on: datetime.date) -> Q:
    return Q(release_on__isnull=True) | Q(release_on__lte=on)


def course_progress(student, offering: CourseOffering) -> Progress:
    """Done / total of the released materials of the latest approved version (two queries)."""
    version = selectors.latest_approved_version(offering.discipline_id, contents=False)
    if version is None:
        return Progress(0, 0)
    today = timezone.localdate()
    totals = Material.objects.filter(_released_q(today), topic__version=version).aggregate(
        total=Count("pk", distinct=True),
        done=Count("completions", filter=Q(completions__student=student), distinct=True),
    )
    return Progress(totals["done"], totals["total"])


def progress_from_contents(version, done: set[int], *, on: datetime.date) -> Progress:
    """Progress from a version whose topics and materials are prefetched (no query)."""
    released = [m.pk for t in version.topics.all() for m in t.materials.all() if is_released(m, on)]
    return Progress(sum(1 for pk in released if pk in done), len(released))


def offering_progress(offering: CourseOffering, version) -> list[StudentProgress]:
    """Each enrolled student's progress through the released materials (one annotated query;
    ``version`` with its topics and materials prefetched)."""
    today = timezone.localdate()
    released = [
        m.pk for t in version.topics.all() for m in t.materials.all() if is_released(m, today)
    ]
    rows = (
        Enrollment.objects.filter(offering=offering)
        .select_related("student")
        .annotate(
            done=Count(
                "student__material_completions",
                filter=Q(student__material_completions__material_id__in=released),
                distinct=True,
            )
        )
        .order_by("student__last_name", "student__first_name", "student__pk")
    )
    return [StudentProgress(row.student, Progress(row.done, len(released))) for row in rows]


# --- writes -------------------------------------------------------------------------------------


def _material_for_student(actor, material: Material) -> Material:
    """The material, locked row, after every check a student's mark needs."""
    material = (
        Material.objects.select_for_update(of=("self",))
        .select_related("topic__version__eumk", "requires")
        .get(pk=material.pk)
    )
    version = material.topic.version
    discipline_id = version.eumk.discipline_id
    if not is_enrolled_in_discipline(actor, discipline_id):
        raise PermissionDenied(_("Only the course's students mark materials as done."))
    latest = selectors.latest_approved_version(discipline_id, contents=False)
    if version.status != VersionStatus.APPROVED or latest is None or latest.pk != version.pk:
        raise ValidationFailed(_("This material is not part of the course's current materials."))
    return material


@transaction.atomic
def material_mark_complete(*, actor, material: Material) -> MaterialCompletion:
    material = _material_for_student(actor, material)
    if not is_released(material, timezone.localdate()):
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
def material_unmark_complete(*, actor, material: Material) -> None:
    material = _material_for_student(actor, material)
    MaterialCompletion.objects.filter(material=material, student=actor).delete()


@transaction.atomic
def material_set_requirement(*, actor, material: Material, requires: Material | None) -> Material:
    """Make ``material`` wait for ``requires`` (None: no requirement) in a working version."""
    version = services._editable(actor, material.topic.version_id)
    material = Material.objects.get(pk=material.pk, topic__version=version)
    material.requires = services.check_requirement(version, material, requires)
    material.save(update_fields=["requires"])
    return material


# --- carrying marks over to a newly approved version ---------------------------------------------


def _unchanged(material: Material, source: Material) -> bool:
    """The same content a student completed: kind, title, text, link and file (by sha256; by
    stored name for files stored before fingerprints were kept)."""
    if (material.kind, material.title, material.body, material.url) != (
        source.kind,
        source.title,
        source.body,
        source.url,
    ):
        return False
    if material.sha256 or source.sha256:
        return material.sha256 == source.sha256
    return material.file.name == source.file.name


def carry_completions(version) -> int:
    """Copy the students' marks of each unchanged material's source (``copied_from``) to the
    material of the newly approved ``version``; changed materials start unmarked.

    Called by ``services.eumk_version_approve`` inside its transaction; three queries whatever the
    size (materials with their sources, the sources' marks, one bulk insert). Returns the number
    of marks copied."""
    targets: dict[int, list[int]] = {}  # source material id -> its unchanged copies
    for material in Material.objects.filter(
        topic__version=version, copied_from__isnull=False
    ).select_related("copied_from"):
        if _unchanged(material, material.copied_from):
            targets.setdefault(material.copied_from_id, []).append(material.pk)
    if not targets:
        return 0
    rows = [
        MaterialCompletion(material_id=target, student_id=student_id)
        for source_id, student_id in MaterialCompletion.objects.filter(
            material_id__in=list(targets)
        ).values_list("material_id", "student_id")
        for target in targets[source_id]
    ]
    MaterialCompletion.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)
