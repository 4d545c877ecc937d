"""Checking an upload (``validate_upload``) and storing it without half-files (``store_upload``)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.utils.translation import gettext_lazy as _

from qashyq.core.errors import ValidationFailed

from .kinds import FORBIDDEN, FORBIDDEN_EXTENSIONS, KINDS, mime_type_of
from .sniff import sniff_kind

CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class CheckedUpload:
    """What ``validate_upload`` found: the real kind, its MIME type, the extension and size."""

    kind: str
    mime_type: str
    extension: str
    size: int


@dataclass(frozen=True)
class StoredFile:
    """What ``store_upload`` wrote: the storage name to keep in a FileField or CharField."""

    name: str
    size: int
    sha256: str
    mime_type: str
    original_name: str


# --- validation ---------------------------------------------------------------------------------


def _extension(name: str) -> str:
    suffix = PurePosixPath((name or "").replace("\\", "/")).suffix
    return suffix[1:].lower() if suffix else ""


def _megabytes(max_bytes: int) -> str:
    value = max_bytes / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _too_large(max_bytes: int) -> ValidationFailed:
    return ValidationFailed(
        _("The file is too large: the limit is %(limit)s MB.") % {"limit": _megabytes(max_bytes)},
        code="file_too_large",
        details={"max_bytes": max_bytes},
    )


def _chunks(upload) -> Iterable[bytes]:
    if hasattr(upload, "chunks"):
        yield from upload.chunks(CHUNK_BYTES)
        return
    upload.seek(0)
    while data := upload.read(CHUNK_BYTES):
        yield data


def _measure(upload, max_bytes: int) -> int:
    """The real size, read in chunks, refusing as soon as it passes ``max_bytes``."""
    size = 0
    for chunk in _chunks(upload):
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes)
    upload.seek(0)
    return size


def _labels(kinds: Iterable[str]) -> str:
    return ", ".join(sorted({str(KINDS[k].label) for k in kinds if k in KINDS}))


def validate_upload(upload, *, max_bytes: int, allowed_kinds: Iterable[str]) -> CheckedUpload:
    """Check an uploaded file; raise ``ValidationFailed`` (translated) when it is refused.

    Refused: an empty file, a file over ``max_bytes`` (by its declared size or by the bytes
    actually read), a forbidden extension, a program/script/macro whatever its name, active web
    content (HTML, SVG) unless ``allowed_kinds`` names it, a kind not in ``allowed_kinds``, and a
    name whose extension does not match the content (``lecture.pdf`` holding a Word file).
    """
    allowed = frozenset(allowed_kinds)
    name = getattr(upload, "name", "") or ""
    extension = _extension(name)
    declared = getattr(upload, "size", None)
    if declared is not None and declared > max_bytes:
        raise _too_large(max_bytes)
    if extension in FORBIDDEN_EXTENSIONS:
        raise ValidationFailed(
            _("Files with the extension .%(extension)s are not accepted: they can run programs.")
            % {"extension": extension},
            code="file_forbidden",
        )
    size = _measure(upload, max_bytes)
    if size == 0:
        raise ValidationFailed(_("The file is empty."), code="file_empty")
    kind = sniff_kind(upload, extension=extension)
    found = KINDS[kind]
    if kind in FORBIDDEN:
        raise ValidationFailed(
            _("Programs, scripts and documents with macros are not accepted. Found: %(found)s.")
            % {"found": found.label},
            code="file_forbidden",
            details={"kind": kind},
        )
    if kind not in allowed:
        raise ValidationFailed(
            _("This type of file is not accepted here. Found: %(found)s. Accepted: %(allowed)s.")
            % {"found": found.label, "allowed": _labels(allowed)},
            code="file_kind_not_allowed",
            details={"kind": kind, "allowed": sorted(allowed)},
        )
    if found.extensions and not extension:
        raise ValidationFailed(
            _(
                "The file's name has no extension; its content is: %(found)s. "
                "Add .%(expected)s to the name."
            )
            % {"found": found.label, "expected": found.extensions[0]},
            code="file_extension_mismatch",
            details={"kind": kind, "extension": extension},
        )
    if found.extensions and extension not in found.extensions:
        raise ValidationFailed(
            _(
                "The file's name ends in .%(extension)s, but its content is: %(found)s. "
                "Rename it to .%(expected)s or upload the right file."
            )
            % {
                "extension": extension,
                "found": found.label,
                "expected": found.extensions[0],
            },
            code="file_extension_mismatch",
            details={"kind": kind, "extension": extension},
        )
    return CheckedUpload(
        kind=kind, mime_type=mime_type_of(kind, extension), extension=extension, size=size
    )


# --- storing ------------------------------------------------------------------------------------


def _local_path(storage: Storage, name: str) -> str | None:
    """The final path on disk for a local folder storage; None for anything else (S3, memory).

    Only FileSystemStorage (and subclasses) qualify: other storages may answer ``path()`` too
    (InMemoryStorage does) without keeping their files there.
    """
    if not isinstance(storage, FileSystemStorage):
        return None
    try:
        return storage.path(name)
    except NotImplementedError:
        return None


def _copy(upload, target, max_bytes: int | None) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    for chunk in _chunks(upload):
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise _too_large(max_bytes)
        digest.update(chunk)
        target.write(chunk)
    return size, digest.hexdigest()


def store_upload(
    upload,
    *,
    folder: str,
    storage: Storage = default_storage,
    max_bytes: int | None = None,
) -> StoredFile:
    """Write an upload under a new unique name, never leaving a half-written file visible.

    On a local folder (FileSystemStorage) the bytes go to ``<MEDIA_ROOT>/.partial/<uuid>.part``,
    are flushed to disk, and are then renamed into place in one atomic step. On object storage
    (S3) they are spooled to a local temporary file first and handed to ``storage.save`` only when
    complete; an S3 object appears only when its upload completes. If anything fails on the way
    (the client went away, the size passes ``max_bytes``) the partial bytes are removed and the
    exception propagates. Call ``validate_upload`` first: this function stores what it is given.
    """
    original_name = os.path.basename((getattr(upload, "name", "") or "").replace("\\", "/"))
    kind = sniff_kind(upload, extension=_extension(original_name))
    found = KINDS[kind]
    extension = _extension(original_name)
    if found.extensions and extension not in found.extensions:
        extension = found.extensions[0]
    if not re.fullmatch(r"[a-z0-9]{1,10}", extension or ""):
        extension = "bin"
    final_name = f"{folder.strip('/')}/{uuid.uuid4().hex}.{extension}"
    final_path = _local_path(storage, final_name)

    if final_path is not None:
        partial_dir = storage.path(".partial")
        os.makedirs(partial_dir, exist_ok=True)
        partial_path = os.path.join(partial_dir, f"{uuid.uuid4().hex}.part")
        try:
            with open(partial_path, "xb") as target:
                size, sha256 = _copy(upload, target, max_bytes)
                target.flush()
                os.fsync(target.fileno())
            os.makedirs(os.path.dirname(final_path), exist_ok=True)
            mode = getattr(storage, "file_permissions_mode", None)
            if mode is not None:
                os.chmod(partial_path, mode)
            os.replace(partial_path, final_path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial_path)
            raise
        stored_name = final_name
    else:
        with tempfile.TemporaryFile() as spool:
            size, sha256 = _copy(upload, spool, max_bytes)
            spool.seek(0)
            try:
                stored_name = storage.save(final_name, File(spool, name=final_name))
            except BaseException:
                with contextlib.suppress(Exception):
                    storage.delete(final_name)
                raise
    with contextlib.suppress(AttributeError, OSError, ValueError):
        upload.seek(0)
    return StoredFile(
        name=stored_name,
        size=size,
        sha256=sha256,
        mime_type=mime_type_of(kind, extension),
        original_name=original_name,
    )


def accept_upload(
    upload,
    *,
    folder: str,
    max_bytes: int,
    allowed_kinds: Iterable[str],
    storage: Storage = default_storage,
) -> StoredFile:
    """``validate_upload`` then ``store_upload``, the usual pair, with the MIME type checked."""
    checked = validate_upload(upload, max_bytes=max_bytes, allowed_kinds=allowed_kinds)
    stored = store_upload(upload, folder=folder, storage=storage, max_bytes=max_bytes)
    if stored.mime_type != checked.mime_type:
        stored = StoredFile(
            name=stored.name,
            size=stored.size,
            sha256=stored.sha256,
            mime_type=checked.mime_type,
            original_name=stored.original_name,
        )
    return stored
