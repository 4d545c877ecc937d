"""Reads: versions with their contents, completeness, share of online hours, the review queue."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from qashyq.academics.models import CourseOffering, DeliveryFormat, Program
from qashyq.accounts.roles import ScopeType
from qashyq.accounts.selectors import has_role, role_scope_ids

from .models import (
    MANDATORY_COMPONENTS,
    ONLINE_MODES,
    OPEN_STATUSES,
    ComponentKind,
    Eumk,
    EumkVersion,
    Material,
    Topic,
    VersionStatus,
)
from .policies import REVIEWERS

# --- versions ------------------------------------------------------------------------------------


def _with_contents(qs: QuerySet[EumkVersion]) -> QuerySet[EumkVersion]:
    return qs.select_related(
        "eumk__discipline__department", "author", "reviewed_by"
    ).prefetch_related(
        "components",
        "plan",
        Prefetch("topics", queryset=Topic.objects.prefetch_related("materials")),
    )


def eumk_for_page(pk: int) -> Eumk | None:
    return Eumk.objects.select_related("discipline__department").filter(pk=pk).first()


def eumk_of_discipline(discipline_id: int) -> Eumk | None:
    return Eumk.objects.filter(discipline_id=discipline_id).first()


def working_version(eumk: Eumk) -> EumkVersion | None:
    """The version being worked on (draft, submitted or returned), else the latest one."""
    qs = _with_contents(EumkVersion.objects.filter(eumk=eumk))
    return qs.filter(status__in=OPEN_STATUSES).first() or qs.order_by("-number").first()


def version_with_contents(pk: int) -> EumkVersion | None:
    return _with_contents(EumkVersion.objects.filter(pk=pk)).first()


def latest_approved_version(discipline_id: int, *, contents: bool = True) -> EumkVersion | None:
    qs = EumkVersion.objects.filter(
        eumk__discipline_id=discipline_id, status=VersionStatus.APPROVED
    ).order_by("-number")
    if contents:
        qs = _with_contents(qs)
    return qs.first()


def offering_for_materials(pk: int) -> CourseOffering | None:
    return (
        CourseOffering.objects.select_related("discipline__department", "period__year")
        .prefetch_related("groups__program")
        .filter(pk=pk)
        .first()
    )


def visible_materials(topic: Topic, *, on: datetime.date, show_unreleased: bool) -> list[Material]:
    return [
        m
        for m in topic.materials.all()
        if show_unreleased or m.release_on is None or m.release_on <= on
    ]


def material_for_file(pk: int) -> Material | None:
    return (
        Material.objects.select_related("topic__version__eumk__discipline__department")
        .filter(pk=pk)
        .first()
    )


# --- completeness --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    kind: str
    reason: str


def missing_components(version: EumkVersion) -> list[Missing]:
    """The mandatory components that are absent or incomplete (uses prefetched contents)."""
    present = {c.kind: c for c in version.components.all()}
    missing: list[Missing] = []
    for kind in MANDATORY_COMPONENTS:
        label = str(ComponentKind(kind).label)
        component = present.get(kind)
        if component is None or not component.has_content:
            missing.append(Missing(kind, str(_("%(component)s: missing") % {"component": label})))
        elif kind == ComponentKind.CONTROL and not component.grading_criteria.strip():
            missing.append(
                Missing(
                    kind,
                    str(_("%(component)s: grading criteria are missing") % {"component": label}),
                )
            )
    if not list(version.plan.all()):
        missing.append(
            Missing(
                ComponentKind.SYLLABUS,
                str(_("Syllabus: the calendar-thematic plan has no classes")),
            )
        )
    return missing


# --- share of distance components ----------------------------------------------------------------


def online_share(version: EumkVersion) -> Decimal | None:
    """Online hours / all hours of the calendar-thematic plan, 0..1; None when it has no hours."""
    total = Decimal(0)
    online = Decimal(0)
    for item in version.plan.all():
        total += item.hours
        if item.mode in ONLINE_MODES:
            online += item.hours
    if total == 0:
        return None
    return online / total


DISTANCE_THRESHOLD = Decimal("0.8")
BLENDED_THRESHOLD = Decimal("0.3")


def classify_share(share: Decimal | None) -> str | None:
    """distance (>= 80 %), blended (30 % up to 80 %), on-site (< 30 %); None without hours."""
    if share is None:
        return None
    if share >= DISTANCE_THRESHOLD:
        return DeliveryFormat.DISTANCE
    if share >= BLENDED_THRESHOLD:
        return DeliveryFormat.BLENDED
    return DeliveryFormat.ONSITE


def conflicting_programs(classification: str | None, offering: CourseOffering) -> list[Program]:
    """Programs of the offering's groups whose declared format differs from the course's.

    Uses ``offering.groups`` with their programs prefetched."""
    if classification is None:
        return []
    seen: dict[int, Program] = {}
    for group in offering.groups.all():
        program = group.program
        if program.delivery_format != classification:
            seen.setdefault(program.pk, program)
    return sorted(seen.values(), key=lambda p: p.code)


# --- review queue --------------------------------------------------------------------------------


def review_queue(user) -> list[EumkVersion]:
    qs = (
        EumkVersion.objects.filter(status=VersionStatus.SUBMITTED)
        .select_related("eumk__discipline__department", "author")
        .order_by("submitted_at", "pk")
    )
    if not has_role(user, REVIEWERS):
        faculty_ids: set[int] = set()
        for role in REVIEWERS:
            faculty_ids |= role_scope_ids(user, role, ScopeType.FACULTY)
        if not faculty_ids:
            return []
        qs = qs.filter(eumk__discipline__department__faculty_id__in=faculty_ids)
    return list(qs)
