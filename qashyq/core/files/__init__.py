"""Accepting uploaded files: sniff the real type, check it and the size, store without half-files.

The flow every app follows (docs/subsystems/files.md):

1. the view (or service) checks the policy, then
2. ``validate_upload(upload, max_bytes=..., allowed_kinds=DOCUMENT)`` reads the file's first bytes
   to learn what it really is, compares that with the name's extension, refuses programs, scripts
   and active content, and counts the bytes while reading so a lying ``upload.size`` cannot slip
   an oversized file through; it raises ``ValidationFailed`` with a translated message;
3. ``store_upload(upload, folder=..., max_bytes=...)`` writes the bytes under a temporary name and
   only then publishes them under a new unique name, so an upload cut off half-way never becomes
   a visible file; it returns the stored name, size, sha256 and the sniffed MIME type.

Nothing here knows about courses or users: the core is the lowest layer.
"""

from .kinds import (
    ACTIVE,
    ANY_SAFE,
    ARCHIVE,
    AUDIO,
    CAPTIONS,
    DOCUMENT,
    FORBIDDEN,
    FORBIDDEN_EXTENSIONS,
    IMAGE,
    KINDS,
    OTHER,
    VIDEO,
    Kind,
    mime_type_of,
)
from .sniff import sniff_kind
from .uploads import CheckedUpload, StoredFile, accept_upload, store_upload, validate_upload

__all__ = [
    "ACTIVE",
    "ANY_SAFE",
    "ARCHIVE",
    "AUDIO",
    "CAPTIONS",
    "DOCUMENT",
    "FORBIDDEN",
    "FORBIDDEN_EXTENSIONS",
    "IMAGE",
    "KINDS",
    "OTHER",
    "VIDEO",
    "CheckedUpload",
    "Kind",
    "StoredFile",
    "accept_upload",
    "mime_type_of",
    "sniff_kind",
    "store_upload",
    "validate_upload",
]
