"""Courses and their approved EUMK over the API: the courses a caller sees, a course's materials
as its students see them, the working state of an EUMK for its editors and reviewers, and the
EUMK's actions: submitting a version, approving or returning it (methodologists), adding a topic
and a material (text, link, embed as JSON; file, video, audio, image as multipart).

Every action calls the service of ``qashyq.courses.services``, which checks the policy and the
state; its refusals come back as JSON errors (``permission_denied`` 403, ``validation_failed`` or
the service's own code, 400). A caller who may not see the EUMK at all gets 403 before the
service is asked; an unknown id is 404.

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
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from qashyq.academics import selectors as academic_selectors
from qashyq.academics.models import CourseOffering
from qashyq.accounts.api import AUTH, PersonOut
from qashyq.core.api import ErrorOut, LimitOffset, NamedOut
from qashyq.core.errors import NotFound, PermissionDenied
from qashyq.core.text import render_markdown

from . import policies, selectors, services
from .models import (
    MANDATORY_COMPONENTS,
    ONLINE_MODES,
    ComponentKind,
    EumkVersion,
    Material,
    PlanClass,
    Topic,
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
        "file_name": (component.original_name or component.file.name.rsplit("/", 1)[-1])
        if component.file
        else None,
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


# --- EUMK actions -------------------------------------------------------------------------------

ACTION_ERRORS = {400: ErrorOut, 409: ErrorOut, 422: ErrorOut, **ERRORS}


class VersionOut(Schema):
    id: int
    eumk_id: int
    number: int
    status: str
    status_display: str
    submitted_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None
    review_comment: str

    @staticmethod
    def resolve_status_display(obj) -> str:
        return str(obj.get_status_display())


class CommentIn(Schema):
    comment: str = Field("", examples=["Add the grading criteria to the control materials."])


class TopicIn(Schema):
    week: int = Field(..., ge=1, le=30, examples=[3])
    title: str = Field(..., examples=["Арал теңізі"])


class TopicCreatedOut(Schema):
    id: int
    version_id: int
    week: int
    title: str
    position: int


class MaterialIn(Schema):
    kind: str = Field(..., description="text, link or embed (files: the /upload endpoint)")
    title: str
    body: str = Field("", description="Markdown, for a text material")
    url: str = Field("", description="For a link or an embedded resource")
    printable: bool = False
    release_on: datetime.date | None = None


class MaterialCreatedOut(Schema):
    id: int
    topic_id: int
    kind: str
    title: str
    body: str
    body_html: str
    url: str
    file_name: str | None = Field(None, description="The uploaded file's original name")
    file_type: str | None = Field(None, description="Its type as sniffed from the content")
    file_size: int | None
    has_captions: bool
    printable: bool
    release_on: datetime.date | None

    @staticmethod
    def resolve_body_html(obj) -> str:
        return render_markdown(obj.body)

    @staticmethod
    def resolve_file_name(obj) -> str | None:
        if not obj.file:
            return None
        return getattr(obj, "original_name", "") or obj.file.name.rsplit("/", 1)[-1]

    @staticmethod
    def resolve_file_type(obj) -> str | None:
        return (getattr(obj, "mime_type", "") or None) if obj.file else None

    @staticmethod
    def resolve_file_size(obj) -> int | None:
        return getattr(obj, "size", None) if obj.file else None

    @staticmethod
    def resolve_has_captions(obj) -> bool:
        return bool(obj.captions)


def _version_or_error(request: HttpRequest, version_id: int) -> EumkVersion:
    version = (
        EumkVersion.objects.select_related("eumk__discipline__department")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise NotFound(_("There is no such EUMK version."))
    if not policies.can_view_eumk(request.user, version.eumk):
        raise PermissionDenied(_("Only the EUMK's editors and reviewers may see its drafts."))
    return version


def _topic_or_error(request: HttpRequest, topic_id: int) -> Topic:
    topic = (
        Topic.objects.select_related("version__eumk__discipline__department")
        .filter(pk=topic_id)
        .first()
    )
    if topic is None:
        raise NotFound(_("There is no such topic."))
    if not policies.can_view_eumk(request.user, topic.version.eumk):
        raise PermissionDenied(_("Only the EUMK's editors and reviewers may see its drafts."))
    return topic


def _fresh_version(pk: int) -> EumkVersion:
    return EumkVersion.objects.get(pk=pk)


@router.post(
    "/eumk/versions/{version_id}/submit",
    response={200: VersionOut, **ACTION_ERRORS},
    auth=AUTH,
    tags=["eumk"],
)
def eumk_version_submit(request: HttpRequest, version_id: int):
    """Submit a draft or returned version for review (its editors: the discipline's tutors and
    methodologists). Refused with ``eumk_incomplete`` (``details`` lists what is missing) while
    a mandatory component is missing, and with ``validation_failed`` when the version is not a
    draft or returned."""
    version = _version_or_error(request, version_id)
    services.eumk_version_submit(actor=request.user, version=version)
    return _fresh_version(version.pk)


@router.post(
    "/eumk/versions/{version_id}/approve",
    response={200: VersionOut, **ACTION_ERRORS},
    auth=AUTH,
    tags=["eumk"],
)
def eumk_version_approve(request: HttpRequest, version_id: int, payload: CommentIn):
    """Approve a submitted version (a methodologist or head of department of the discipline's
    faculty, or site-wide); students then see it. The comment is optional: send ``{}``."""
    version = _version_or_error(request, version_id)
    services.eumk_version_approve(actor=request.user, version=version, comment=payload.comment)
    return _fresh_version(version.pk)


@router.post(
    "/eumk/versions/{version_id}/return",
    response={200: VersionOut, **ACTION_ERRORS},
    auth=AUTH,
    tags=["eumk"],
)
def eumk_version_return(request: HttpRequest, version_id: int, payload: CommentIn):
    """Return a submitted version to its authors with a comment (required) saying what to
    change; same reviewers as approving."""
    version = _version_or_error(request, version_id)
    services.eumk_version_return(actor=request.user, version=version, comment=payload.comment)
    return _fresh_version(version.pk)


@router.post(
    "/eumk/versions/{version_id}/topics",
    response={201: TopicCreatedOut, **ACTION_ERRORS},
    auth=AUTH,
    tags=["eumk"],
)
def eumk_topic_add(request: HttpRequest, version_id: int, payload: TopicIn):
    """Add a topic to a week of the working version (draft or returned; a returned version
    becomes a draft again). Its editors only."""
    version = _version_or_error(request, version_id)
    topic = services.topic_add(
        actor=request.user, version=version, week=payload.week, title=payload.title
    )
    return Status(201, topic)


@router.post(
    "/topics/{topic_id}/materials",
    response={201: MaterialCreatedOut, **ACTION_ERRORS},
    auth=AUTH,
    tags=["eumk"],
)
def eumk_material_add(request: HttpRequest, topic_id: int, payload: MaterialIn):
    """Add a text (Markdown, sanitised when shown), link or embedded resource to a topic of the
    working version. Materials with a file go to ``/topics/{topic_id}/materials/upload``."""
    topic = _topic_or_error(request, topic_id)
    material = services.material_add(
        actor=request.user,
        topic=topic,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        url=payload.url,
        printable=payload.printable,
        release_on=payload.release_on,
    )
    return Status(201, Material.objects.get(pk=material.pk))


@router.post(
    "/topics/{topic_id}/materials/upload",
    response={201: MaterialCreatedOut, **ACTION_ERRORS},
    auth=AUTH,
    tags=["eumk"],
)
def eumk_material_upload(
    request: HttpRequest,
    topic_id: int,
    kind: Form[str],
    title: Form[str],
    body: Form[str] = "",
    url: Form[str] = "",
    printable: Form[bool] = False,
    release_on: Form[datetime.date | None] = None,
    file: File[UploadedFile | None] = None,
    captions: File[UploadedFile | None] = None,
):
    """Add a material as ``multipart/form-data``: ``kind`` (file, video, audio, image, or any
    other kind), ``title``, optional ``body``, ``url``, ``printable``, ``release_on``, the
    ``file`` and, for a video, ``captions`` (WebVTT or SRT). The upload is sniffed and checked
    against the kind and the size limit before anything is stored; a refusal stores nothing."""
    topic = _topic_or_error(request, topic_id)
    material = services.material_add(
        actor=request.user,
        topic=topic,
        kind=kind,
        title=title,
        body=body,
        url=url,
        file=file,
        captions=captions,
        printable=printable,
        release_on=release_on,
    )
    return Status(201, Material.objects.get(pk=material.pk))
