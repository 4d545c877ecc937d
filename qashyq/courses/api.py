"""Courses and their approved EUMK over the API: the courses a caller sees, a course's materials
as its students see them, and the working state of an EUMK for its editors and reviewers.

Thin: each endpoint reads through a selector (or a small private query below), checks a
``policies`` predicate on the object and lets the schema render. The course list computes the
approved version and the online share in the same query as the page (subqueries), so a page
costs the same number of queries whatever its size.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import DecimalField, IntegerField, OuterRef, Subquery, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from qashyq.academics import selectors as academic_selectors
from qashyq.academics.models import CourseOffering
from qashyq.accounts.api import AUTH, PersonOut
from qashyq.core.api import ErrorOut, LimitOffset, NamedOut
from qashyq.core.errors import NotFound, PermissionDenied
from qashyq.core.text import render_markdown

from . import policies, selectors
from .models import (
    MANDATORY_COMPONENTS,
    ONLINE_MODES,
    ComponentKind,
    EumkVersion,
    PlanClass,
    VersionStatus,
)

router = Router(tags=["courses"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# --- schemas ------------------------------------------------------------------------------------


class DisciplineRef(NamedOut):
    id: int
    code: str
    credits: int


class PeriodOut(Schema):
    id: int
    kind: str
    name: str
    starts_on: datetime.date
    ends_on: datetime.date

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)


class GroupRef(Schema):
    id: int
    code: str


class CourseOut(Schema):
    id: int
    discipline: DisciplineRef
    period: PeriodOut
    language: str
    groups: list[GroupRef]
    tutors: list[PersonOut]
    approved_version_id: int | None = Field(
        None, description="The approved EUMK version students see; null when there is none"
    )
    online_share: float | None = Field(
        None,
        description="Online hours / all hours of the approved version's plan (0..1); null "
        "without an approved version or planned hours",
    )
    classification: str | None = Field(
        None, description="distance (>= 80 % online), blended (>= 30 %), onsite; null without hours"
    )

    @staticmethod
    def resolve_online_share(obj) -> float | None:
        share = _share(obj)
        return None if share is None else round(float(share), 4)

    @staticmethod
    def resolve_classification(obj) -> str | None:
        value = selectors.classify_share(_share(obj))
        return None if value is None else str(value)


class ComponentOut(Schema):
    kind: str
    kind_display: str
    mandatory: bool
    body: str
    body_html: str
    grading_criteria: str
    url: str
    file_name: str | None


class PlanClassOut(Schema):
    week: int
    topic: str
    class_type: str
    hours: float
    mode: str


class MaterialOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    body_html: str
    url: str
    file_url: str | None = Field(None, description="The course page's file view (session auth)")
    captions_url: str | None
    printable: bool
    release_on: datetime.date | None


class TopicOut(Schema):
    id: int
    week: int
    title: str
    materials: list[MaterialOut]


class WeekOut(Schema):
    week: int
    topics: list[TopicOut]


class CourseMaterialsOut(Schema):
    course_id: int
    version_id: int | None
    version_number: int | None
    approved_at: datetime.datetime | None
    shows_unreleased: bool = Field(
        ..., description="True for tutors and EUMK staff, who also see materials not yet released"
    )
    components: list[ComponentOut]
    plan: list[PlanClassOut]
    weeks: list[WeekOut]


class MissingOut(Schema):
    kind: str
    reason: str


class EumkOut(Schema):
    id: int
    discipline: DisciplineRef
    version_id: int | None
    version_number: int | None
    status: str | None
    status_display: str | None
    submitted_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None
    review_comment: str
    complete: bool
    missing: list[MissingOut]
    approved_version_id: int | None
    online_share: float | None
    can_edit: bool
    can_review: bool


# --- helpers ------------------------------------------------------------------------------------


def _share(obj) -> Decimal | None:
    total = getattr(obj, "plan_hours", None)
    if not total:
        return None
    return Decimal(obj.online_hours or 0) / Decimal(total)


def _with_approved_version(offerings):
    """Annotate the latest approved version of each offering's discipline and its plan hours.

    A private query (no such selector in ``courses.selectors`` yet): three correlated
    subqueries, no extra round trip per row."""
    approved = (
        EumkVersion.objects.filter(
            eumk__discipline_id=OuterRef("discipline_id"), status=VersionStatus.APPROVED
        )
        .order_by("-number")
        .values("pk")[:1]
    )

    def hours(*, online: bool):
        plan = PlanClass.objects.filter(version_id=OuterRef("approved_version_id"))
        if online:
            plan = plan.filter(mode__in=ONLINE_MODES)
        return Subquery(
            plan.order_by().values("version_id").annotate(h=Sum("hours")).values("h")[:1],
            output_field=DecimalField(max_digits=9, decimal_places=1),
        )

    return offerings.annotate(
        approved_version_id=Subquery(approved, output_field=IntegerField())
    ).annotate(plan_hours=hours(online=False), online_hours=hours(online=True))


def _courses(user):
    return (
        _with_approved_version(academic_selectors.visible_offerings(user))
        .select_related("discipline", "period__year")
        .prefetch_related("groups", "tutors")
    )


def _file_url(offering_id: int, material, field: str) -> str | None:
    if not getattr(material, field):
        return None
    return reverse("courses:material_file", args=[offering_id, material.pk, field])


def _material(offering_id: int, material) -> dict:
    return {
        "id": material.pk,
        "kind": material.kind,
        "title": material.title,
        "body": material.body,
        "body_html": render_markdown(material.body),
        "url": material.url,
        "file_url": _file_url(offering_id, material, "file"),
        "captions_url": _file_url(offering_id, material, "captions"),
        "printable": material.printable,
        "release_on": material.release_on,
    }


def _component(component) -> dict:
    return {
        "kind": component.kind,
        "kind_display": str(component.get_kind_display()),
        "mandatory": component.kind in MANDATORY_COMPONENTS,
        "body": component.body,
        "body_html": render_markdown(component.body),
        "grading_criteria": component.grading_criteria,
        "url": component.url,
        "file_name": component.file.name.rsplit("/", 1)[-1] if component.file else None,
    }


# --- courses ------------------------------------------------------------------------------------


@router.get("/courses", response={200: list[CourseOut], 401: ErrorOut}, auth=AUTH)
@paginate(LimitOffset)
def course_list(request: HttpRequest, period: int | None = None):
    """The courses (offerings) the caller may see: taught or enrolled, their children's, and
    those within the scope of their staff roles (``?period=<academic period id>``)."""
    courses = _courses(request.user).order_by("-period__starts_on", "discipline__code", "pk")
    if period:
        courses = courses.filter(period_id=period)
    return courses


@router.get("/courses/{course_id}", response={200: CourseOut, **ERRORS}, auth=AUTH)
def course_detail(request: HttpRequest, course_id: int):
    found = (
        _with_approved_version(CourseOffering.objects.filter(pk=course_id))
        .select_related("discipline", "period__year")
        .prefetch_related("groups", "tutors")
        .first()
    )
    if found is None:
        raise NotFound(_("There is no such course."))
    if not policies.can_view_course_materials(request.user, found):
        raise PermissionDenied(
            _(
                "This course is open to its students and tutors and the academic staff "
                "responsible for it."
            )
        )
    return found


@router.get(
    "/courses/{course_id}/materials", response={200: CourseMaterialsOut, **ERRORS}, auth=AUTH
)
def course_materials(request: HttpRequest, course_id: int):
    """The approved EUMK version as the course's students see it: components with content,
    the calendar-thematic plan, and topics by week with their materials. Students never get
    materials before their release date; tutors and EUMK staff get them all
    (``shows_unreleased``). File URLs point at the course page's file views."""
    offering = selectors.offering_for_materials(course_id)
    if offering is None:
        raise NotFound(_("There is no such course."))
    if not policies.can_view_course_materials(request.user, offering):
        raise PermissionDenied(
            _(
                "This course's materials are open to its students and tutors and the academic "
                "staff responsible for it."
            )
        )
    show_unreleased = policies.can_see_unreleased(request.user, offering)
    version = selectors.latest_approved_version(offering.discipline_id)
    result = {
        "course_id": offering.pk,
        "version_id": None,
        "version_number": None,
        "approved_at": None,
        "shows_unreleased": show_unreleased,
        "components": [],
        "plan": [],
        "weeks": [],
    }
    if version is None:
        return result
    today = timezone.localdate()
    weeks: dict[int, list] = {}
    for topic in version.topics.all():
        materials = selectors.visible_materials(topic, on=today, show_unreleased=show_unreleased)
        weeks.setdefault(topic.week, []).append(
            {
                "id": topic.pk,
                "week": topic.week,
                "title": topic.title,
                "materials": [_material(offering.pk, m) for m in materials],
            }
        )
    order = {str(kind): n for n, kind in enumerate(ComponentKind)}
    result.update(
        version_id=version.pk,
        version_number=version.number,
        approved_at=version.reviewed_at,
        components=[
            _component(c)
            for c in sorted(version.components.all(), key=lambda c: order.get(c.kind, 99))
            if c.has_content
        ],
        plan=list(version.plan.all()),
        weeks=[{"week": week, "topics": topics} for week, topics in sorted(weeks.items())],
    )
    return result


# --- EUMK ---------------------------------------------------------------------------------------


@router.get("/eumk/{eumk_id}", response={200: EumkOut, **ERRORS}, auth=AUTH, tags=["eumk"])
def eumk_detail(request: HttpRequest, eumk_id: int):
    """The working state of a discipline's EUMK for its editors and reviewers: the version being
    worked on (else the latest), its status and the mandatory components still missing."""
    eumk = selectors.eumk_for_page(eumk_id)
    if eumk is None:
        raise NotFound(_("There is no such EUMK."))
    if not policies.can_view_eumk(request.user, eumk):
        raise PermissionDenied(_("Only the EUMK's editors and reviewers may see its drafts."))
    version = selectors.working_version(eumk)
    approved = selectors.latest_approved_version(eumk.discipline_id, contents=False)
    missing = selectors.missing_components(version) if version is not None else []
    share = selectors.online_share(version) if version is not None else None
    return {
        "id": eumk.pk,
        "discipline": eumk.discipline,
        "version_id": version.pk if version else None,
        "version_number": version.number if version else None,
        "status": version.status if version else None,
        "status_display": str(version.get_status_display()) if version else None,
        "submitted_at": version.submitted_at if version else None,
        "reviewed_at": version.reviewed_at if version else None,
        "review_comment": version.review_comment if version else "",
        "complete": version is not None and not missing,
        "missing": [{"kind": str(m.kind), "reason": m.reason} for m in missing],
        "approved_version_id": approved.pk if approved else None,
        "online_share": None if share is None else round(float(share), 4),
        "can_edit": policies.can_edit_eumk(request.user, eumk),
        "can_review": policies.can_review_eumk(request.user, eumk),
    }
