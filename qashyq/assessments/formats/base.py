"""The parsed-question contract (docs/subsystems/questions.md) and helpers shared by the readers.

Pure Python: no models, no database. Everything here is re-exported by
``qashyq.assessments.formats``.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from qashyq.core.errors import ValidationFailed

MAX_BYTES = 20 * 1024 * 1024  # a question file larger than this is not read
MAX_XML_BYTES = 50 * 1024 * 1024  # uncompressed word/document.xml (zip bombs)
DEFAULT_PENALTY = 0.3333333  # Moodle's default penalty per wrong try
SOURCE_CHARS = 500  # how much of a rejected question's source is kept

QTYPES = (
    "single",
    "multiple",
    "truefalse",
    "short",
    "numerical",
    "matching",
    "ordering",
    "cloze",
    "essay",
    "file",
    "description",
)
TEXT_FORMATS = ("markdown", "html", "plain")


@dataclass(frozen=True)
class ParsedQuestion:
    """One question as an importer produced it; see docs/subsystems/questions.md.

    ``line`` is where the question starts in its file; it is not part of the question's
    identity, so two questions that differ only in ``line`` compare equal.
    """

    qtype: str
    name: str = ""
    text: str = ""
    text_format: str = "plain"
    general_feedback: str = ""
    default_mark: float = 1.0
    penalty: float = DEFAULT_PENALTY
    category: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    line: int = field(default=0, compare=False)

    @property
    def title(self) -> str:
        """The name, or the first 60 characters of the text when the name is empty."""
        if self.name:
            return self.name
        flat = (
            " ".join(html.unescape(strip_tags(self.text)).split())
            if self.text_format == "html"
            else " ".join(self.text.split())
        )
        return flat[:60]


@dataclass(frozen=True)
class RejectedQuestion:
    """A question the importer could not accept: where, why (translatable) and its source."""

    line: int
    reason: Any  # lazy translation
    source: str = ""


@dataclass
class ParseResult:
    questions: list[ParsedQuestion] = field(default_factory=list)
    rejected: list[RejectedQuestion] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Accepted questions per type, in the order of ``QTYPES``."""
        found = Counter(q.qtype for q in self.questions)
        return {qtype: found[qtype] for qtype in QTYPES if found[qtype]}


def _interpolate(message: Any, params: dict) -> str:
    return str(message) % {k: str(v) if isinstance(v, Promise) else v for k, v in params.items()}


_lazy_interpolate = lazy(_interpolate, str)


def lazy_format(message: Any, params: dict) -> Any:
    """``message % params``, translated when it is shown (not when the file is read)."""
    return _lazy_interpolate(message, params)


class Reject(Exception):
    """Raised inside a reader for one question; the reader turns it into a RejectedQuestion."""

    def __init__(self, reason: Any, line: int | None = None):
        super().__init__(str(reason))
        self.reason = reason
        self.line = line


def rejected(line: int, reason: Any, source: str) -> RejectedQuestion:
    source = source.strip()
    if len(source) > SOURCE_CHARS:
        source = source[:SOURCE_CHARS] + "…"
    return RejectedQuestion(line=line, reason=reason, source=source)


# --- reading files ---------------------------------------------------------------------------

# Bytes that are Kazakh letters in KZ-1048 and Serbian/Ukrainian letters in Windows-1251.
_KZ1048_LETTERS = frozenset(b"\x8d\x8e\x9d\x9e\xa1\xa2\xa3\xa5\xaa\xaf\xb4\xba\xbc\xbd\xbe\xbf")


def unreadable(message: Any = None) -> ValidationFailed:
    return ValidationFailed(
        message or _("The file could not be read: it may be damaged. Please check it."),
        code="unreadable_file",
    )


def read_bytes(source: bytes | bytearray | memoryview | str | IO[bytes]) -> bytes:
    """The file's bytes (at most ``MAX_BYTES``, else ``ValidationFailed``)."""
    if isinstance(source, str):
        data = source.encode("utf-8")
    elif isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        data = source.read(MAX_BYTES + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise ValidationFailed(
            lazy_format(
                _("The file is too large to import: the limit is %(size)s MB."),
                {"size": MAX_BYTES // (1024 * 1024)},
            ),
            code="file_too_large",
        )
    return data


def decode_text(data: bytes) -> str:
    """Text of a plain-text question file.

    UTF-8 with or without a byte-order mark, UTF-16 with a byte-order mark; otherwise (not valid
    UTF-8) Windows-1251, or KZ-1048 when the bytes hold Kazakh letters of that code page.
    Line ends become ``\\n``. A binary file raises ``ValidationFailed``.
    """
    try:
        if data[:3] == b"\xef\xbb\xbf":
            text = data[3:].decode("utf-8")
        elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            text = data.decode("utf-16")
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                kazakh = any(b in _KZ1048_LETTERS for b in data)
                text = data.decode("kz1048" if kazakh else "cp1251")
    except UnicodeDecodeError:
        raise unreadable(
            _("The file's text encoding is not recognised: save it as UTF-8 and try again.")
        ) from None
    if "\x00" in text or _looks_binary(text):
        raise unreadable(
            _("This is not a text file: save the questions as plain text (UTF-8) and try again.")
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return control / len(sample) > 0.05


# --- safe XML --------------------------------------------------------------------------------

LINE_ATTR = "{urn:qashyq}line"


class _DTDRefused(Exception):
    pass


def parse_xml(data: bytes) -> Element:
    """Parse untrusted XML into an ElementTree element, refusing any DTD.

    A document type declaration (and so every entity declaration, the root of "billion laughs"
    and external-entity attacks) is refused outright; an undefined entity is a syntax error.
    Every element carries the line it starts on in ``elem.attrib[LINE_ATTR]``.
    """
    builder = TreeBuilder()
    parser = expat.ParserCreate()  # no namespace processing: Moodle XML has none

    def refuse(*args):
        raise _DTDRefused

    def start(tag, attrs):
        attrs = dict(attrs)
        attrs[LINE_ATTR] = str(parser.CurrentLineNumber)
        builder.start(tag, attrs)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True
    parser.ordered_attributes = False
    try:
        parser.Parse(data, True)
    except _DTDRefused:
        raise unreadable(
            _(
                "The XML file declares a document type (DTD) or entities, which are refused "
                "for safety. Remove the <!DOCTYPE …> declaration and try again."
            )
        ) from None
    except expat.ExpatError as exc:
        raise unreadable(
            lazy_format(
                _("The XML file is malformed: %(error)s (line %(line)s)."),
                {"error": expat.errors.messages.get(exc.code, str(exc)), "line": exc.lineno},
            )
        ) from None
    return builder.close()


def element_line(elem: Element) -> int:
    try:
        return int(elem.attrib.get(LINE_ATTR, 0))
    except ValueError:
        return 0


# --- small helpers ---------------------------------------------------------------------------

_TAG_RE = re.compile(r"<[^>]*>")


def strip_tags(text: str) -> str:
    return _TAG_RE.sub(" ", text)


def option_id(index: int) -> str:
    """``a``, ``b``, … ``z``, then ``27``, ``28``… (short, stable ids of options)."""
    return chr(ord("a") + index) if index < 26 else str(index + 1)


def fraction(value: float) -> float:
    """A grade fraction normalised to 7 decimals (Moodle's precision)."""
    result = round(float(value), 7)
    return 0.0 if result == 0 else result


def same(a: float, b: float, eps: float = 1e-6) -> bool:
    return abs(a - b) <= eps


def normalise_key(text: str) -> str:
    """For duplicate checks: case-folded, spaces collapsed."""
    return " ".join(text.split()).casefold()


def check_choice(options: list[dict], *, single: bool) -> None:
    """The rules of Moodle's multichoice type, raising ``Reject``."""
    if len(options) < 2:
        raise Reject(_("A multiple-choice question needs at least two answers."))
    for option in options:
        if not option["text"].strip():
            raise Reject(_("An answer of this multiple-choice question is empty."))
        if not -1 <= option["fraction"] <= 1:
            raise Reject(_("Answer weights must be between -100 and 100 percent."))
    if single:
        if not any(same(o["fraction"], 1) for o in options):
            raise Reject(_("One of the answers must be correct (worth full marks)."))
    else:
        total = sum(o["fraction"] for o in options if o["fraction"] > 0)
        if total <= 0:
            raise Reject(_("The question has no correct answer."))
        if abs(total - 1) > 0.01:
            raise Reject(
                lazy_format(
                    _(
                        "The positive weights of a multiple-answer question must add up to 100 "
                        "percent (they add up to %(total)s)."
                    ),
                    {"total": f"{total * 100:g}"},
                )
            )


def check_graded_answers(answers: list[dict], *, numerical: bool = False) -> None:
    """Short-answer and numerical questions need an answer worth 100% (Moodle's rule)."""
    if not answers:
        if numerical:
            raise Reject(_("A numerical question needs at least one numeric answer."))
        raise Reject(_("A short-answer question needs at least one answer."))
    for answer in answers:
        if not -1 <= answer["fraction"] <= 1:
            raise Reject(_("Answer weights must be between -100 and 100 percent."))
        if not numerical and not answer["text"].strip():
            raise Reject(_("An answer of this short-answer question is empty."))
    if not any(same(a["fraction"], 1) for a in answers):
        raise Reject(_("One of the answers must be worth full marks."))


def check_matching(pairs: list[dict]) -> None:
    if len(pairs) < 2:
        raise Reject(_("A matching question needs at least two pairs."))
    for pair in pairs:
        if not pair["answer"].strip():
            raise Reject(
                lazy_format(
                    _("The item “%(prompt)s” of the matching question has no answer."),
                    {"prompt": pair["prompt"][:60]},
                )
            )


# --- categories ------------------------------------------------------------------------------


def split_category_path(path: str) -> tuple[str, ...]:
    """Moodle's category path (``$course$/top/Алгебра/Теңдеулер``) as a tuple of names.

    ``//`` is a slash inside a name; the context prefix (``$course$``, ``$system$``,
    ``$module$``, ``$cat1$``…) and the ``top`` level are dropped.
    """
    parts = [
        part.replace("\ue000", "/").strip() for part in path.replace("//", "\ue000").split("/")
    ]
    parts = [part for part in parts if part]
    if parts and re.fullmatch(r"\$[a-z0-9]*\$", parts[0]):
        parts = parts[1:]
    if parts and parts[0] == "top":
        parts = parts[1:]
    return tuple(parts)


def join_category_path(parts: tuple[str, ...]) -> str:
    return "/".join(["$course$", "top", *(part.replace("/", "//") for part in parts)])
