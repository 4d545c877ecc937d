"""Reads: versions with their contents, completeness, share of online hours, the review queue."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePosixPath
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from qashyq.academics.models import (
    CourseOffering,
    DeliveryFormat,
    Department,
    Discipline,
    Faculty,
    Program,
)
from qashyq.accounts.roles import ScopeType
from qashyq.accounts.selectors import has_role, role_scope_ids
from qashyq.core import files

from .models import (
    MANDATORY_COMPONENTS,
    ONLINE_MODES,
    OPEN_STATUSES,
    Component,
    ComponentKind,
    Eumk,
    EumkVersion,
    Material,
    MaterialKind,
    PlanClass,
    Topic,
    VersionStatus,
)
from .policies import COMPLETENESS_ADMINISTRATION, REVIEWERS

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
        Material.objects.select_related("topic__version__eumk__discipline__department", "requires")
        .filter(pk=pk)
        .first()
    )


def component_for_file(pk: int) -> Component | None:
    return (
        Component.objects.select_related("version__eumk__discipline__department")
        .filter(pk=pk)
        .first()
    )


def annotate_embeds(version) -> None:
    """Set ``embed_src`` on the prefetched materials of a version (no query): the URL to show in
    an ``<iframe>`` for an embed whose host is allowed now, else None (shown as a link)."""
    for topic in version.topics.all():
        for material in topic.materials.all():
            material.embed_src = (
                embed_src(material.url) if material.kind == MaterialKind.EMBED else None
            )


# --- embedded resources --------------------------------------------------------------------------

DEFAULT_EMBED_HOSTS = (
    "www.youtube-nocookie.com",
    "player.vimeo.com",
    "phet.colorado.edu",
    "learningapps.org",
    "docs.google.com",
)
YOUTUBE_HOSTS = ("youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be")
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_TIME = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$")


def embed_hosts() -> tuple[str, ...]:
    """The hosts whose pages may be shown in a frame (setting ``QASHYQ_EMBED_HOSTS``)."""
    hosts = getattr(settings, "QASHYQ_EMBED_HOSTS", DEFAULT_EMBED_HOSTS)
    return tuple(h.strip().lower().rstrip(".") for h in hosts if h and h.strip())


def _seconds(value: str) -> int | None:
    match = _TIME.match(value or "")
    if not value or not match:
        return None
    h, m, s = (int(g) if g else 0 for g in match.groups())
    return h * 3600 + m * 60 + s


def normalise_embed_url(url: str) -> str:
    """A YouTube watch/short/share link as its privacy-enhanced embed URL
    (``https://www.youtube-nocookie.com/embed/<id>``, keeping the start time), a Vimeo page as its
    player URL; other URLs as given."""
    try:
        parts = urlsplit((url or "").strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return (url or "").strip()
    if host in ("vimeo.com", "www.vimeo.com"):
        video = parts.path.strip("/").split("/")[0]
        return f"https://player.vimeo.com/video/{video}" if video.isdigit() else url.strip()
    if host not in YOUTUBE_HOSTS:
        return (url or "").strip()
    query = parse_qs(parts.query)
    path = parts.path.strip("/").split("/")
    video_id = ""
    if host == "youtu.be":
        video_id = path[0] if path else ""
    elif path and path[0] == "watch":
        video_id = (query.get("v") or [""])[0]
    elif len(path) >= 2 and path[0] in ("embed", "shorts", "live", "v"):
        video_id = path[1]
    if not _YOUTUBE_ID.match(video_id):
        return (url or "").strip()
    start = _seconds((query.get("t") or query.get("start") or [""])[0])
    suffix = f"?start={start}" if start else ""
    return f"https://www.youtube-nocookie.com/embed/{video_id}{suffix}"


def embed_src(url: str) -> str | None:
    """The URL if it may be shown in a frame: https, no user/password, host allowed; else None."""
    try:
        parts = urlsplit((url or "").strip())
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "https" or parts.username or parts.password or not host:
        return None
    if port not in (None, 443) or host not in embed_hosts():
        return None
    return url.strip()


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


# --- serving material files ----------------------------------------------------------------------

MEDIA_PREFIXES = ("video/", "audio/", "image/")
MAX_CAPTIONS_BYTES = 2 * 1024 * 1024


def stored_extension(name: str) -> str:
    return PurePosixPath(name or "").suffix[1:].lower()


def content_type_of(name: str) -> str:
    """The MIME type to serve a stored file with, from its extension.

    Files stored through ``qashyq.core.files`` carry the extension of their sniffed kind, so the
    extension is a faithful description of the content."""
    extension = stored_extension(name)
    if extension == "vtt":
        return "text/vtt; charset=utf-8"
    if extension == "srt":
        return "application/x-subrip; charset=utf-8"
    for kind, description in files.KINDS.items():
        if kind in files.ANY_SAFE and extension in description.extensions:
            return files.mime_type_of(kind, extension)
    return "application/octet-stream"


def is_media(content_type: str) -> bool:
    """Video, audio and images open in the page; every other file is downloaded."""
    return content_type.startswith(MEDIA_PREFIXES)


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f/\\\\:*?\"<>|]+")


def clean_file_name(name: str, *, limit: int = 255) -> str:
    """A file name safe to keep and send: the base name only (``C:\\x\\a.pdf`` → ``a.pdf``), NFC,
    without control characters or ``/\\:*?"<>|``, spaces collapsed, at most ``limit`` characters
    with the extension kept. Kazakh and Russian letters stay. Empty when nothing is left."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = _UNSAFE_NAME.sub(" ", base)
    base = re.sub(r"\s+", " ", base).strip().strip(".").strip()
    stem, dot, extension = base.rpartition(".")
    if dot and stem.strip() and extension and " " not in extension:
        base = f"{stem.rstrip()}.{extension}"  # "notes .pdf" -> "notes.pdf"
    if len(base) > limit:
        stem, dot, extension = base.rpartition(".")
        if dot and 0 < len(extension) <= 10 and stem:
            base = f"{stem[: limit - len(extension) - 1].rstrip()}.{extension}"
        else:
            base = base[:limit].rstrip()
    return base


def _with_extension(name: str, extension: str) -> str:
    if extension and stored_extension(name) != extension:
        return f"{name}.{extension}"
    return name


def download_name(material: Material, stored_name: str, *, field: str = "file") -> str:
    """The name a downloaded file gets: the uploader's file name when it is known (always with
    the stored extension), else the material's title with the stored extension.

    Kazakh and Russian names survive (RFC 5987 in ``streaming.content_disposition``); path
    separators and control characters are dropped."""
    extension = stored_extension(stored_name)
    if field == "captions":
        extension = "vtt"
    elif material.original_name:
        original = clean_file_name(material.original_name)
        if original:
            return _with_extension(original, extension)
    title = clean_file_name(re.sub(r"[/\\\\]", " ", material.title), limit=150) or "material"
    return f"{title}.{extension}" if extension else title


def component_download_name(component: Component) -> str:
    """The uploader's file name when it is known (with the stored extension, as for a
    material); else the component and the discipline, e.g. ``Syllabus - CS101.pdf`` (files
    stored before components kept their original names)."""
    extension = stored_extension(component.file.name)
    if component.original_name:
        original = clean_file_name(component.original_name)
        if original:
            return _with_extension(original, extension)
    label = f"{component.get_kind_display()} - {component.version.eumk.discipline.code}"
    label = clean_file_name(label, limit=150) or "component"
    return f"{label}.{extension}" if extension else label


_SRT_TIME = re.compile(r"(\d{1,2}:\d{2}:\d{2})[,.](\d{3})")


def _vtt_time(match: re.Match) -> str:
    hours, rest = match.group(1).split(":", 1)
    return f"{int(hours):02d}:{rest}.{match.group(2)}"


def srt_to_webvtt(data: bytes) -> str:
    """SubRip (SRT) captions as WebVTT: a header, dots for decimal commas in cue timings."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16", "replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1251", "replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = []
    for line in text.split("\n"):
        if "-->" in line:
            line = _SRT_TIME.sub(_vtt_time, line)
        lines.append(line)
    return "WEBVTT\n\n" + "\n".join(lines).strip("\n") + "\n"


# --- completeness dashboard ----------------------------------------------------------------------

NO_EUMK = "none"


@dataclass
class CompletenessRow:
    discipline: Discipline
    status: str  # "none" or a VersionStatus of the latest version
    version_number: int | None
    missing: int  # mandatory components missing in the latest version (all of them without one)
    last_change: datetime.datetime | None
    has_approved: bool  # students have an approved version (perhaps an older one)

    @property
    def status_label(self) -> str:
        if self.status == NO_EUMK:
            return str(_("No EUMK"))
        return str(VersionStatus(self.status).label)


@dataclass
class CompletenessGroup:
    key: object  # a Department or Program (None: disciplines without a department)
    rows: list[CompletenessRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def approved(self) -> int:
        return sum(1 for r in self.rows if r.has_approved)

    @property
    def percent(self) -> float:
        return round(100 * self.approved / self.total, 1) if self.total else 0.0


@dataclass
class Completeness:
    departments: list[CompletenessGroup]
    programs: list[CompletenessGroup]
    faculties: list[Faculty]
    department_choices: list[Department]
    program_choices: list[Program]

    @property
    def total(self) -> int:
        return sum(g.total for g in self.departments)

    @property
    def approved(self) -> int:
        return sum(g.approved for g in self.departments)

    @property
    def percent(self) -> float:
        return round(100 * self.approved / self.total, 1) if self.total else 0.0


def completeness_faculty_ids(user) -> set[int] | None:
    """The faculties whose disciplines the user oversees; None for the whole university."""
    if has_role(user, COMPLETENESS_ADMINISTRATION) or has_role(user, REVIEWERS):
        return None
    faculty_ids: set[int] = set()
    for role in REVIEWERS:
        faculty_ids |= role_scope_ids(user, role, ScopeType.FACULTY)
    return faculty_ids


def _missing_count(components: list[dict], has_plan: bool) -> int:
    present = {c["kind"]: c for c in components}
    missing = 0
    for kind in MANDATORY_COMPONENTS:
        c = present.get(kind)
        filled = c is not None and bool(c["body"].strip() or c["url"] or c["file"])
        if kind == ComponentKind.CONTROL and filled:
            filled = bool(c["grading_criteria"].strip())
        missing += not filled
    return missing + (0 if has_plan else 1)


def eumk_completeness(
    user,
    *,
    faculty_id: int | None = None,
    department_id: int | None = None,
    program_id: int | None = None,
) -> Completeness:
    """Every discipline in the user's scope with the state of its EUMK, by department and program.

    A fixed number of queries whatever the number of disciplines (asserted in the tests)."""
    scope = completeness_faculty_ids(user)
    departments = Department.objects.select_related("faculty").order_by("faculty__code", "code")
    faculties = Faculty.objects.order_by("code")
    programs = Program.objects.order_by("code")
    disciplines = Discipline.objects.select_related("department__faculty")
    if scope is not None:
        departments = departments.filter(faculty_id__in=scope)
        faculties = faculties.filter(pk__in=scope)
        programs = programs.filter(department__faculty_id__in=scope)
        disciplines = disciplines.filter(department__faculty_id__in=scope)
    if faculty_id:
        disciplines = disciplines.filter(department__faculty_id=faculty_id)
    if department_id:
        disciplines = disciplines.filter(department_id=department_id)
    if program_id:
        disciplines = disciplines.filter(programs__id=program_id)
    program_list = list(programs)
    shown_programs = {p.pk: p for p in program_list if not program_id or p.pk == program_id}
    disciplines = list(
        disciplines.distinct()
        .order_by("code")
        .prefetch_related(
            Prefetch("programs", queryset=Program.objects.only("pk"), to_attr="program_refs")
        )
    )
    ids = [d.pk for d in disciplines]
    latest: dict[int, dict] = {}
    approved: set[int] = set()
    for v in (
        EumkVersion.objects.filter(eumk__discipline_id__in=ids)
        .order_by("number")
        .values("pk", "number", "status", "updated_at", "eumk__discipline_id")
    ):
        discipline_id = v["eumk__discipline_id"]
        latest[discipline_id] = v
        if v["status"] == VersionStatus.APPROVED:
            approved.add(discipline_id)
    version_ids = [v["pk"] for v in latest.values()]
    components: dict[int, list[dict]] = {}
    for c in Component.objects.filter(
        version_id__in=version_ids, kind__in=MANDATORY_COMPONENTS
    ).values("version_id", "kind", "body", "grading_criteria", "url", "file"):
        components.setdefault(c["version_id"], []).append(c)
    planned = set(
        PlanClass.objects.filter(version_id__in=version_ids).values_list("version_id", flat=True)
    )

    by_department: dict[int | None, CompletenessGroup] = {}
    by_program: dict[int, CompletenessGroup] = {}
    for d in disciplines:
        v = latest.get(d.pk)
        row = CompletenessRow(
            discipline=d,
            status=v["status"] if v else NO_EUMK,
            version_number=v["number"] if v else None,
            missing=_missing_count(components.get(v["pk"], []), v["pk"] in planned)
            if v
            else len(MANDATORY_COMPONENTS) + 1,
            last_change=v["updated_at"] if v else None,
            has_approved=d.pk in approved,
        )
        by_department.setdefault(d.department_id, CompletenessGroup(d.department)).rows.append(row)
        for p in d.program_refs:
            if p.pk in shown_programs:
                by_program.setdefault(p.pk, CompletenessGroup(shown_programs[p.pk])).rows.append(
                    row
                )

    def dept_order(group: CompletenessGroup):
        dep = group.key
        return (dep is None, dep.faculty.code if dep else "", dep.code if dep else "")

    return Completeness(
        departments=sorted(by_department.values(), key=dept_order),
        programs=sorted(by_program.values(), key=lambda g: g.key.code),
        faculties=list(faculties),
        department_choices=list(departments),
        program_choices=program_list,
    )
