"""The offline package (case technology): the approved EUMK of a course as a zip to take home.

The zip holds ``index.html`` (opens from disk: relative links, inline CSS, no script),
``print.html`` (only the materials the tutor marked printable) and the files under ``files/``
with safe ASCII names. Videos and audio recordings go in, in course order, while their total
stays within the cap the tutor set (``OfflinePackageSettings.media_cap_mb``); the others are
marked "online only" with a link to the course page. Materials not released today are left out.

The zip is written to a temporary file next to the cache and renamed into place, so a half-built
package is never served; its name carries the version id and a hash of everything that goes into
it, so a second download of an unchanged course streams the same file without rebuilding it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from qashyq.academics.models import CourseOffering
from qashyq.core.errors import PermissionDenied, ValidationFailed

from . import selectors
from .consultations import is_enrolled, is_offering_tutor
from .models import (
    DEFAULT_OFFLINE_MEDIA_CAP_MB,
    Eumk,
    EumkVersion,
    MaterialKind,
    OfflinePackageSettings,
)
from .policies import can_edit_eumk

MB = 1024 * 1024
MEDIA_KINDS = (MaterialKind.VIDEO, MaterialKind.AUDIO)
# Already compressed: stored as they are.
STORED_EXTENSIONS = {".mp4", ".webm", ".mp3", ".ogg", ".m4a", ".jpg", ".jpeg", ".png", ".zip"}

# --- policies ------------------------------------------------------------------------------------


def can_download_offline_package(user, offering: CourseOffering) -> bool:
    return is_enrolled(user, offering) or is_offering_tutor(user, offering)


# --- settings ------------------------------------------------------------------------------------


def media_cap_mb(eumk: Eumk) -> int:
    row = OfflinePackageSettings.objects.filter(eumk=eumk).first()
    return row.media_cap_mb if row else DEFAULT_OFFLINE_MEDIA_CAP_MB


def offline_media_cap_set(*, actor, eumk: Eumk, megabytes: int) -> OfflinePackageSettings:
    if not can_edit_eumk(actor, eumk):
        raise PermissionDenied(_("Only the EUMK's editors set the offline package's size."))
    if megabytes is None or not 0 <= megabytes <= 10_000:
        raise ValidationFailed(_("Give a size from 0 to 10000 MB."))
    with transaction.atomic():
        row, _created = OfflinePackageSettings.objects.update_or_create(
            eumk=eumk, defaults={"media_cap_mb": megabytes}
        )
    return row


# --- names ---------------------------------------------------------------------------------------

_LATIN = (
    "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch - y - e iu ia a g q n o u u h i"
)
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі", _LATIN.split(" "), strict=True))


def safe_name(name: str, *, prefix: str) -> str:
    """An ASCII file name for the package: ``<prefix>-<transliterated-stem>.<ext>``."""
    base = os.path.basename(name or "")
    stem, ext = os.path.splitext(base)
    out = []
    for ch in stem.lower():
        mapped = _CYRILLIC.get(ch)
        if mapped is not None:
            out.append("" if mapped == "-" else mapped)
        else:
            out.append(unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode())
    stem = re.sub(r"[^a-z0-9]+", "-", "".join(out)).strip("-")[:60] or "file"
    ext = re.sub(r"[^a-z0-9]", "", ext.lower())[:8]
    return f"{prefix}-{stem}" + (f".{ext}" if ext else "")


# --- the plan of the package ---------------------------------------------------------------------


@dataclass
class Entry:
    """One material as the package shows it."""

    material: object
    path: str = ""  # files/... when the file is in the package
    captions_path: str = ""
    online_only: bool = False
    name: str = ""  # the original file name, shown as the link text


@dataclass
class Plan:
    offering: CourseOffering
    version: EumkVersion
    course_url: str
    cap_bytes: int
    components: list = field(default_factory=list)  # (component, path, original name)
    plan: list = field(default_factory=list)
    weeks: list = field(default_factory=list)  # (week, [(topic, [Entry])])
    files: list = field(default_factory=list)  # (path, FieldFile)
    media_bytes: int = 0

    @property
    def printable(self) -> list:
        return [
            (week, [(t, [e for e in es if e.material.printable]) for t, es in topics])
            for week, topics in self.weeks
        ]


def _size(stored) -> int | None:
    try:
        return stored.size
    except (FileNotFoundError, OSError):
        return None


def package_plan(
    offering: CourseOffering, version: EumkVersion, *, course_url: str, on: datetime.date
) -> Plan:
    """Decide what goes into the package (uses the prefetched contents of ``version``)."""
    plan = Plan(
        offering=offering,
        version=version,
        course_url=course_url,
        cap_bytes=media_cap_mb(version.eumk) * MB,
    )
    for component in version.components.all():
        if not component.has_content:
            continue
        path = ""
        if component.file and _size(component.file) is not None:
            path = "files/" + safe_name(component.file.name, prefix=f"c{component.pk}")
            plan.files.append((path, component.file))
        plan.components.append((component, path, os.path.basename(component.file.name or "")))
    plan.plan = list(version.plan.all())
    weeks: dict[int, list] = {}
    for topic in version.topics.all():
        entries = []
        for material in selectors.visible_materials(topic, on=on, show_unreleased=False):
            entry = Entry(material, name=os.path.basename(material.file.name or ""))
            if material.file:
                size = _size(material.file)
                over_cap = (
                    size is not None
                    and material.kind in MEDIA_KINDS
                    and plan.media_bytes + size > plan.cap_bytes
                )
                if size is None or over_cap:
                    entry.online_only = True
                else:
                    if material.kind in MEDIA_KINDS:
                        plan.media_bytes += size
                    entry.path = "files/" + safe_name(material.file.name, prefix=f"m{material.pk}")
                    plan.files.append((entry.path, material.file))
                    if material.captions and _size(material.captions) is not None:
                        entry.captions_path = "files/" + safe_name(
                            material.captions.name, prefix=f"m{material.pk}-captions"
                        )
                        plan.files.append((entry.captions_path, material.captions))
            entries.append(entry)
        weeks.setdefault(topic.week, []).append((topic, entries))
    plan.weeks = sorted(weeks.items())
    return plan


def plan_hash(plan: Plan) -> str:
    """A hash of everything the package is made of (changes when any of it changes)."""
    data = {
        "language": translation.get_language(),
        "url": plan.course_url,
        "cap": plan.cap_bytes,
        "components": [
            [c.pk, c.kind, c.body, c.grading_criteria, c.url, c.file.name, p]
            for c, p, _n in plan.components
        ],
        "plan": [[p.pk, p.week, p.topic, p.class_type, str(p.hours), p.mode] for p in plan.plan],
        "weeks": [
            [
                [
                    t.pk,
                    t.week,
                    t.title,
                    [
                        [
                            e.material.pk,
                            e.material.kind,
                            e.material.title,
                            e.material.body,
                            e.material.url,
                            e.material.file.name,
                            e.material.captions.name,
                            e.material.printable,
                            e.path,
                            e.captions_path,
                            e.online_only,
                        ]
                        for e in es
                    ],
                ]
                for t, es in topics
            ]
            for _w, topics in plan.weeks
        ],
        "files": [[path, f.name, _size(f)] for path, f in plan.files],
    }
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()[:20]


# --- building ------------------------------------------------------------------------------------


def cache_dir() -> Path:
    configured = getattr(settings, "QASHYQ_OFFLINE_CACHE_DIR", "")
    path = Path(configured) if configured else Path(tempfile.gettempdir()) / "qashyq-offline"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write(plan: Plan, target: Path) -> None:
    context = {
        "offering": plan.offering,
        "version": plan.version,
        "components": plan.components,
        "plan": plan.plan,
        "weeks": plan.weeks,
        "course_url": plan.course_url,
        "built_on": timezone.localdate(),
    }
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("index.html", render_to_string("courses/offline/index.html", context))
        zf.writestr(
            "print.html",
            render_to_string("courses/offline/print.html", {**context, "weeks": plan.printable}),
        )
        for path, stored in plan.files:
            compress = (
                zipfile.ZIP_STORED
                if os.path.splitext(path)[1] in STORED_EXTENSIONS
                else zipfile.ZIP_DEFLATED
            )
            info = zipfile.ZipInfo(path, date_time=timezone.now().timetuple()[:6])
            info.compress_type = compress
            with stored.open("rb") as src, zf.open(info, "w", force_zip64=True) as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
            stored.close()


def build_package(
    offering: CourseOffering, *, course_url: str, on: datetime.date | None = None
) -> tuple[Path, bool]:
    """The package's path in the cache, building it when absent; (path, built now?)."""
    version = selectors.latest_approved_version(offering.discipline_id)
    if version is None:
        raise ValidationFailed(
            _("The course materials have not been approved yet."), code="no_approved_version"
        )
    plan = package_plan(offering, version, course_url=course_url, on=on or timezone.localdate())
    target = cache_dir() / f"offering{offering.pk}-v{version.pk}-{plan_hash(plan)}.zip"
    if target.exists():
        return target, False
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(fd)
    try:
        _write(plan, Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target, True


def package_filename(offering: CourseOffering) -> str:
    code = safe_name(offering.discipline.code + ".zip", prefix="course")
    return code
