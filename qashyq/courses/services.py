"""Every write to an EUMK: starting one, editing a working version, the review workflow.

Each function checks a ``policies`` predicate and runs in one transaction. Status changes lock the
version row (``select_for_update``) so two reviewers, or a reviewer and the author, cannot both act
on the same state; each change goes to the audit log (``eumk.submit``, ``eumk.approve``,
``eumk.return``).

Edits go to the working version only (draft or returned; editing a returned version turns it back
into a draft). ``eumk_draft_open`` gives the working version, creating it as a copy of the latest
approved one when there is none, so students keep seeing the approved version until the new one is
approved.
"""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qashyq.academics.models import Discipline
from qashyq.core import files
from qashyq.core.errors import PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record

from . import policies, selectors
from .models import (
    OPEN_STATUSES,
    ClassMode,
    ClassType,
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

DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024
# What each kind of material accepts (sniffed from the content, docs/subsystems/files.md).
MATERIAL_FILE_KINDS = {
    MaterialKind.FILE: files.ANY_SAFE,
    MaterialKind.VIDEO: files.VIDEO,
    MaterialKind.AUDIO: files.AUDIO,
    MaterialKind.IMAGE: files.IMAGE,
}
COMPONENT_FILE_KINDS = files.ANY_SAFE
CAPTION_KINDS = files.CAPTIONS
MATERIALS_FOLDER = "eumk/materials"
CAPTIONS_FOLDER = "eumk/captions"
COMPONENTS_FOLDER = "eumk/components"


def max_upload_bytes() -> int:
    return getattr(settings, "QASHYQ_EUMK_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def _validate(upload, kinds) -> None:
    """Sniff and check an upload: ValidationFailed (translated message), nothing written."""
    files.validate_upload(upload, max_bytes=max_upload_bytes(), allowed_kinds=kinds)


def _store(upload, folder: str) -> files.StoredFile:
    """Store a validated upload (no half-written file is ever visible): its storage name, size,
    sha256, sniffed MIME type and the uploader's file name."""
    return files.store_upload(upload, folder=folder, max_bytes=max_upload_bytes())


def _file_metadata(stored: files.StoredFile) -> dict:
    """The ``Material`` (and ``Component``) fields describing a stored file."""
    return {
        "file": stored.name,
        "original_name": selectors.clean_file_name(stored.original_name),
        "mime_type": stored.mime_type[:100],
        "size": stored.size,
        "sha256": stored.sha256,
    }


def _is_referenced(name: str) -> bool:
    """Whether a material or component of any version still refers to a stored file (copies of
    a version share their files)."""
    return (
        Material.objects.filter(Q(file=name) | Q(captions=name)).exists()
        or Component.objects.filter(file=name).exists()
    )


def _delete_stored(names: list[str], *, unless_referenced: bool = True) -> None:
    """Delete stored files (after a commit, or after a failed write), keeping any that a row
    still refers to."""
    for name in names:
        if not name or (unless_referenced and _is_referenced(name)):
            continue
        with contextlib.suppress(OSError):
            default_storage.delete(name)


# --- starting and opening versions ---------------------------------------------------------------


def _deny(message: str):
    raise PermissionDenied(message)


def _require_edit(actor, eumk: Eumk) -> None:
    if not policies.can_edit_eumk(actor, eumk):
        _deny(_("Only the discipline's tutors and its methodologists may edit this EUMK."))


@transaction.atomic
def eumk_start(*, actor, discipline: Discipline, check: bool = True) -> Eumk:
    """The discipline's EUMK, created with an empty draft version 1 if it does not exist yet."""
    if check and not policies.can_edit_discipline_eumk(actor, discipline):
        _deny(_("Only the discipline's tutors and its methodologists may edit this EUMK."))
    eumk, created = Eumk.objects.get_or_create(discipline=discipline)
    if created:
        EumkVersion.objects.create(eumk=eumk, number=1, author=actor)
    return eumk


def _copy_contents(source: EumkVersion, target: EumkVersion) -> None:
    for c in source.components.all():
        Component.objects.create(
            version=target,
            kind=c.kind,
            body=c.body,
            grading_criteria=c.grading_criteria,
            url=c.url,
            file=c.file.name,
            original_name=c.original_name,
            mime_type=c.mime_type,
            size=c.size,
            sha256=c.sha256,
        )
    PlanClass.objects.bulk_create(
        PlanClass(
            version=target,
            week=p.week,
            topic=p.topic,
            class_type=p.class_type,
            hours=p.hours,
            mode=p.mode,
        )
        for p in source.plan.all()
    )
    copies: dict[int, Material] = {}  # source material id -> its copy
    requirements: list[tuple[Material, int]] = []
    for t in source.topics.all():
        topic = Topic.objects.create(
            version=target, week=t.week, title=t.title, position=t.position
        )
        originals = list(t.materials.all())
        created = Material.objects.bulk_create(
            Material(
                topic=topic,
                kind=m.kind,
                title=m.title,
                body=m.body,
                file=m.file.name,
                url=m.url,
                captions=m.captions.name,
                original_name=m.original_name,
                mime_type=m.mime_type,
                size=m.size,
                sha256=m.sha256,
                position=m.position,
                printable=m.printable,
                release_on=m.release_on,
                copied_from=m,
            )
            for m in originals
        )
        for original, copy in zip(originals, created, strict=True):
            copies[original.pk] = copy
            if original.requires_id:
                requirements.append((copy, original.requires_id))
    # "Complete X first" points at the copy of X in the new version.
    for copy, required_id in requirements:
        copy.requires = copies.get(required_id)
    Material.objects.bulk_update([copy for copy, _ in requirements], ["requires"])


@transaction.atomic
def eumk_draft_open(*, actor, eumk: Eumk) -> EumkVersion:
    """The working version; a new draft copied from the latest approved one if none is open."""
    eumk = (
        Eumk.objects.select_for_update(of=("self",))
        .select_related("discipline__department")
        .get(pk=eumk.pk)
    )
    _require_edit(actor, eumk)
    current = eumk.versions.filter(status__in=OPEN_STATUSES).first()
    if current is not None:
        return current
    latest = eumk.versions.order_by("-number").first()
    draft = EumkVersion.objects.create(
        eumk=eumk, number=(latest.number + 1) if latest else 1, author=actor
    )
    approved = selectors.latest_approved_version(eumk.discipline_id)
    if approved is not None:
        _copy_contents(approved, draft)
    return draft


def _lock_version(version_id: int) -> EumkVersion:
    return (
        EumkVersion.objects.select_for_update(of=("self",))
        .select_related("eumk__discipline__department")
        .get(pk=version_id)
    )


def _editable(actor, version_id: int) -> EumkVersion:
    """Lock the version for an edit; a returned version becomes a draft again."""
    version = _lock_version(version_id)
    _require_edit(actor, version.eumk)
    if not version.is_editable:
        raise ValidationFailed(
            _("Version %(number)s is %(status)s and cannot be edited.")
            % {"number": version.number, "status": version.get_status_display().lower()}
        )
    if version.status == VersionStatus.RETURNED:
        version.status = VersionStatus.DRAFT
    # Every edit marks the version as changed ("last change" on the completeness dashboard).
    version.save(update_fields=["status", "updated_at"])
    return version


# --- editing components, the plan, topics and materials ------------------------------------------


def _check_editable_before_upload(actor, version_id: int) -> None:
    """The policy and state check before any byte is stored (repeated under the lock later)."""
    version = EumkVersion.objects.select_related("eumk__discipline__department").get(pk=version_id)
    _require_edit(actor, version.eumk)
    if not version.is_editable:
        raise ValidationFailed(
            _("Version %(number)s is %(status)s and cannot be edited.")
            % {"number": version.number, "status": version.get_status_display().lower()}
        )


def component_save(
    *,
    actor,
    version: EumkVersion,
    kind: str,
    body: str = "",
    grading_criteria: str = "",
    url: str = "",
    file=None,
    clear_file: bool = False,
) -> Component:
    if kind not in ComponentKind.values:
        raise ValidationFailed(_("There is no such EUMK component."))
    stored = None
    if file is not None:
        _check_editable_before_upload(actor, version.pk)
        _validate(file, COMPONENT_FILE_KINDS)
        # Stored before the transaction that refers to it (docs/subsystems/files.md).
        stored = _store(file, COMPONENTS_FOLDER)
    stored_name = stored.name if stored is not None else None
    try:
        with transaction.atomic():
            version = _editable(actor, version.pk)
            component, _created = Component.objects.get_or_create(version=version, kind=kind)
            old_name = component.file.name or ""
            component.body = body.strip()
            component.grading_criteria = grading_criteria.strip()
            component.url = url.strip()
            if stored is not None:
                # The same fields as a material's: the uploader's name, type, size, sha256.
                for name, value in _file_metadata(stored).items():
                    setattr(component, name, value)
            elif clear_file:
                component.file = ""
                component.original_name = component.mime_type = component.sha256 = ""
                component.size = None
            component.save()
            if old_name and old_name != component.file.name:
                # Gone only after the commit, and only when no other version's copy uses it.
                transaction.on_commit(lambda: _delete_stored([old_name]))
    except BaseException:
        if stored_name is not None:
            _delete_stored([stored_name], unless_referenced=False)
        raise
    return component


@transaction.atomic
def plan_class_add(
    *,
    actor,
    version: EumkVersion,
    week: int,
    topic: str,
    hours: Decimal,
    mode: str,
    class_type: str = ClassType.LECTURE,
) -> PlanClass:
    topic = (topic or "").strip()
    if not topic:
        raise ValidationFailed(_("Enter the topic of the class."))
    if mode not in ClassMode.values or class_type not in ClassType.values:
        raise ValidationFailed(_("Choose the class type and mode from the list."))
    if not 1 <= int(week) <= 30:
        raise ValidationFailed(_("The week must be between 1 and 30."))
    hours = Decimal(hours)
    if hours <= 0 or hours > 100:
        raise ValidationFailed(_("The hours must be more than 0 and at most 100."))
    version = _editable(actor, version.pk)
    return PlanClass.objects.create(
        version=version, week=week, topic=topic, hours=hours, mode=mode, class_type=class_type
    )


@transaction.atomic
def plan_class_delete(*, actor, plan_class: PlanClass) -> None:
    _editable(actor, plan_class.version_id)
    PlanClass.objects.filter(pk=plan_class.pk).delete()


def _clean_week(week) -> int:
    try:
        week = int(week)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(_("The week must be between 1 and 30.")) from exc
    if not 1 <= week <= 30:
        raise ValidationFailed(_("The week must be between 1 and 30."))
    return week


MAX_POSITION = 1000


@transaction.atomic
def topic_add(*, actor, version: EumkVersion, week: int, title: str) -> Topic:
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("Enter the title of the topic."))
    week = _clean_week(week)
    version = _editable(actor, version.pk)
    position = Topic.objects.filter(version=version, week=week).count()
    return Topic.objects.create(version=version, week=week, title=title, position=position)


@transaction.atomic
def topic_update(
    *, actor, topic: Topic, title: str, week: int, position: int | None = None
) -> Topic:
    """Rename a topic of the working version, move it to another week or position.

    Without a position a topic moved to another week goes last in it."""
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("Enter the title of the topic."))
    week = _clean_week(week)
    if position is not None and not 0 <= int(position) <= MAX_POSITION:
        raise ValidationFailed(
            _("The position must be between 0 and %(max)s.") % {"max": MAX_POSITION}
        )
    version = _editable(actor, topic.version_id)
    topic = Topic.objects.select_for_update().filter(pk=topic.pk, version=version).first()
    if topic is None:
        raise ValidationFailed(_("The topic is not part of this version any more."))
    if position is None:
        position = (
            topic.position
            if week == topic.week
            else Topic.objects.filter(version=version, week=week).count()
        )
    topic.title, topic.week, topic.position = title, week, int(position)
    topic.save(update_fields=["title", "week", "position"])
    return topic


@transaction.atomic
def topic_delete(*, actor, topic: Topic) -> None:
    _editable(actor, topic.version_id)
    Topic.objects.filter(pk=topic.pk).delete()


def _check_material(
    kind: str, *, title: str, body: str, url: str, has_file: bool, has_captions: bool
) -> str:
    """Every check of a material's fields before any byte is stored; the URL to keep (an embed's
    normalised)."""
    if kind not in MaterialKind.values:
        raise ValidationFailed(_("Choose the kind of material from the list."))
    if not title:
        raise ValidationFailed(_("Enter the title of the material."))
    if len(title) > 255:
        raise ValidationFailed(_("The title is too long: at most 255 characters."))
    if kind == MaterialKind.TEXT and not body:
        raise ValidationFailed(_("A text material needs its text."))
    if kind in (MaterialKind.LINK, MaterialKind.EMBED) and not url:
        raise ValidationFailed(_("This kind of material needs a link."))
    if kind in (MaterialKind.FILE, MaterialKind.AUDIO, MaterialKind.IMAGE) and not has_file:
        raise ValidationFailed(_("This kind of material needs a file."))
    if kind == MaterialKind.VIDEO and not has_file and not url:
        raise ValidationFailed(_("A video needs a file or a link."))
    if has_captions and kind != MaterialKind.VIDEO:
        raise ValidationFailed(_("Only a video takes a captions file."))
    if kind == MaterialKind.EMBED:
        url = selectors.normalise_embed_url(url)
        if selectors.embed_src(url) is None:
            raise ValidationFailed(
                _(
                    "This resource cannot be embedded: only https links to these sites can be "
                    "shown in the page: %(hosts)s. Add it as a link instead."
                )
                % {"hosts": ", ".join(selectors.embed_hosts())},
                code="embed_host_not_allowed",
                details={"hosts": list(selectors.embed_hosts())},
            )
    return url


def _store_material_files(actor, version_id: int, kind: str, file, captions) -> tuple:
    """Policy, state and file checks, then the bytes: (stored file or None, stored captions or
    None). A refusal stores nothing."""
    if file is None and captions is None:
        return None, None
    _check_editable_before_upload(actor, version_id)
    if file is not None:
        _validate(file, MATERIAL_FILE_KINDS[kind])
    if captions is not None:
        _validate(captions, CAPTION_KINDS)
    stored_file = _store(file, MATERIALS_FOLDER) if file is not None else None
    try:
        stored_captions = _store(captions, CAPTIONS_FOLDER) if captions is not None else None
    except BaseException:
        if stored_file is not None:
            _delete_stored([stored_file.name], unless_referenced=False)
        raise
    return stored_file, stored_captions


def material_add(
    *,
    actor,
    topic: Topic,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    file=None,
    captions=None,
    printable: bool = False,
    release_on: datetime.date | None = None,
) -> Material:
    title = (title or "").strip()
    body = (body or "").strip()
    url = (url or "").strip()
    url = _check_material(
        kind,
        title=title,
        body=body,
        url=url,
        has_file=file is not None,
        has_captions=captions is not None,
    )
    if file is not None and kind not in MATERIAL_FILE_KINDS:
        raise ValidationFailed(_("This kind of material takes no file."))
    # Policy first, then every check, then the bytes: a refusal writes nothing.
    stored_file, stored_captions = _store_material_files(
        actor, topic.version_id, kind, file, captions
    )
    new_names = [s.name for s in (stored_file, stored_captions) if s is not None]
    try:
        with transaction.atomic():
            version = _editable(actor, topic.version_id)
            topic = Topic.objects.get(pk=topic.pk, version=version)
            return Material.objects.create(
                topic=topic,
                kind=kind,
                title=title,
                body=body,
                url=url,
                captions=stored_captions.name if stored_captions else "",
                printable=printable,
                release_on=release_on,
                position=topic.materials.count(),
                **(_file_metadata(stored_file) if stored_file else {}),
            )
    except BaseException:
        _delete_stored(new_names, unless_referenced=False)
        raise


KEEP = object()  # "leave this field as it is" in ``material_update``


def check_requirement(version: EumkVersion, material: Material, requires: Material | None):
    """The material ``material`` may wait for: same version, not itself, no cycle."""
    if requires is None:
        return None
    requires = Material.objects.filter(pk=requires.pk).select_related("topic").first()
    if requires is None or requires.topic.version_id != version.pk:
        raise ValidationFailed(_("The required material must be part of the same version."))
    if requires.pk == material.pk:
        raise ValidationFailed(_("A material cannot require itself."))
    links = dict(Material.objects.filter(topic__version=version).values_list("pk", "requires_id"))
    seen: set[int] = set()
    current: int | None = requires.pk
    while current is not None and current not in seen:
        if current == material.pk:
            raise ValidationFailed(
                _("“%(title)s” already waits for this material: that would be a cycle.")
                % {"title": requires.title}
            )
        seen.add(current)
        current = links.get(current)
    return requires


def material_update(
    *,
    actor,
    material: Material,
    title=KEEP,
    body=KEEP,
    url=KEEP,
    file=None,
    captions=None,
    clear_captions: bool = False,
    printable=KEEP,
    release_on=KEEP,
    requires=KEEP,
) -> Material:
    """Edit a material of the working version in place; its kind stays. A field left out (``KEEP``)
    keeps its value; the page's form sends them all.

    A replacement file (or captions) is checked and stored before the transaction; the old one
    is deleted only after the commit, and only when no other version's copy still uses it. If
    the write fails the new file is deleted: no half-written or orphaned file is left visible."""
    material = Material.objects.select_related("topic").filter(pk=material.pk).first() or material

    def given(value, current):
        return current if value is KEEP else value

    title = (given(title, material.title) or "").strip()
    body = (given(body, material.body) or "").strip()
    url = (given(url, material.url) or "").strip()
    printable = bool(given(printable, material.printable))
    release_on = given(release_on, material.release_on)
    kind = material.kind
    if file is not None and kind not in MATERIAL_FILE_KINDS:
        raise ValidationFailed(_("This kind of material takes no file."))
    url = _check_material(
        kind,
        title=title,
        body=body,
        url=url,
        has_file=file is not None or bool(material.file),
        has_captions=captions is not None,
    )
    stored_file, stored_captions = _store_material_files(
        actor, material.topic.version_id, kind, file, captions
    )
    new_names = [s.name for s in (stored_file, stored_captions) if s is not None]
    try:
        with transaction.atomic():
            version = _editable(actor, material.topic.version_id)
            material = (
                Material.objects.select_for_update(of=("self",))
                .filter(pk=material.pk, topic__version=version)
                .first()
            )
            if material is None:
                raise ValidationFailed(_("The material is not part of this version any more."))
            old_names: list[str] = []
            material.title, material.body, material.url = title, body, url
            material.printable, material.release_on = bool(printable), release_on
            if stored_file is not None:
                old_names.append(material.file.name)
                for name, value in _file_metadata(stored_file).items():
                    setattr(material, name, value)
            if stored_captions is not None:
                old_names.append(material.captions.name)
                material.captions = stored_captions.name
            elif clear_captions and material.captions:
                old_names.append(material.captions.name)
                material.captions = ""
            if requires is not KEEP:
                material.requires = check_requirement(version, material, requires)
            material.save()
            old = [n for n in old_names if n]
            if old:
                transaction.on_commit(lambda: _delete_stored(old))
    except BaseException:
        _delete_stored(new_names, unless_referenced=False)
        raise
    return material


@transaction.atomic
def material_delete(*, actor, material: Material) -> None:
    _editable(actor, material.topic.version_id)
    Material.objects.filter(pk=material.pk).delete()


# --- the review workflow -------------------------------------------------------------------------


def _status_entry(version: EumkVersion) -> dict:
    return {"number": version.number, "status": version.status}


@transaction.atomic
def eumk_version_submit(*, actor, version: EumkVersion) -> EumkVersion:
    version = _lock_version(version.pk)
    _require_edit(actor, version.eumk)
    if not version.is_editable:
        raise ValidationFailed(_("Only a draft or a returned version can be submitted."))
    full = selectors.version_with_contents(version.pk)
    missing = selectors.missing_components(full)
    if missing:
        raise ValidationFailed(
            _("The EUMK is not complete yet. Missing: %(missing)s.")
            % {"missing": "; ".join(m.reason for m in missing)},
            code="eumk_incomplete",
            details={str(i): m.reason for i, m in enumerate(missing)},
        )
    old = _status_entry(version)
    version.status = VersionStatus.SUBMITTED
    version.submitted_at = timezone.now()
    version.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(
        actor=actor, action="eumk.submit", obj=version, old=old, new=_status_entry(version)
    )
    return version


def _review(actor, version_id: int, *, status: str, comment: str, action: str) -> EumkVersion:
    version = _lock_version(version_id)
    if not policies.can_review_eumk(actor, version.eumk):
        _deny(_("Only a methodologist or head of department of the faculty may review this EUMK."))
    if version.status != VersionStatus.SUBMITTED:
        raise ValidationFailed(_("Only a submitted version can be reviewed."))
    old = _status_entry(version)
    version.status = status
    version.reviewed_by = actor
    version.reviewed_at = timezone.now()
    version.review_comment = comment
    version.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"]
    )
    audit_record(
        actor=actor, action=action, obj=version, old=old, new=_status_entry(version), reason=comment
    )
    return version


@transaction.atomic
def eumk_version_approve(*, actor, version: EumkVersion, comment: str = "") -> EumkVersion:
    """Approve a submitted version; students' marks on unchanged materials carry over to it
    (``progress.carry_completions``), in the same transaction."""
    # progress builds on this module (it edits requirements through ``_editable``).
    from . import progress

    version = _review(
        actor,
        version.pk,
        status=VersionStatus.APPROVED,
        comment=(comment or "").strip(),
        action="eumk.approve",
    )
    progress.carry_completions(version)
    return version


@transaction.atomic
def eumk_version_return(*, actor, version: EumkVersion, comment: str) -> EumkVersion:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed(
            _("Write what needs to be changed before returning the EUMK."),
            details={"comment": "required"},
        )
    return _review(
        actor, version.pk, status=VersionStatus.RETURNED, comment=comment, action="eumk.return"
    )
