"""Question file readers and writers: Platonus text/DOCX, GIFT and Moodle XML.

Pure Python (no models); the contract is docs/subsystems/questions.md. ``parse`` never raises
on bad questions: each is returned as a ``RejectedQuestion`` with its line and reason, and only
a file that cannot be read at all (too large, binary, bad encoding, malformed XML, an XML DTD)
raises ``ValidationFailed``.
"""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext_lazy as _

from qashyq.core.errors import ValidationFailed

from .base import (
    DEFAULT_PENALTY,
    MAX_BYTES,
    QTYPES,
    TEXT_FORMATS,
    ParsedQuestion,
    ParseResult,
    RejectedQuestion,
    decode_text,
    lazy_format,
    read_bytes,
)
from .gift import export_gift, parse_gift
from .moodlexml import export_moodlexml, parse_moodlexml
from .platonus import parse_platonus

__all__ = [
    "DEFAULT_PENALTY",
    "FORMATS",
    "MAX_BYTES",
    "QTYPES",
    "TEXT_FORMATS",
    "ParseResult",
    "ParsedQuestion",
    "RejectedQuestion",
    "export_gift",
    "export_moodlexml",
    "parse",
]

FORMATS = ("platonus", "gift", "moodlexml")


def parse(source: bytes | str | IO[bytes], *, format: str, filename: str = "") -> ParseResult:
    """Read a question file in one of ``FORMATS``.

    ``source`` is the file's bytes or a binary file object (a ``str`` is taken as already
    decoded text). ``filename`` is only used in messages.
    """
    if format not in FORMATS:
        raise ValidationFailed(
            lazy_format(
                _("Unknown question file format “%(format)s”: use one of %(formats)s."),
                {"format": format, "formats": ", ".join(FORMATS)},
            ),
            code="unknown_format",
        )
    data = read_bytes(source)
    try:
        if format == "platonus":
            return parse_platonus(data)
        if format == "gift":
            return parse_gift(decode_text(data))
        return parse_moodlexml(data)
    except ValidationFailed as exc:
        if filename:
            exc.details = {"filename": filename}
        raise
