"""Platonus test files: ``<question>`` starts a question, ``<variant>`` an option.

The first variant is the correct one. Files are plain text (UTF-8 with or without a byte-order
mark, UTF-16 with a byte-order mark, Windows-1251 or KZ-1048) or Word documents (.docx, read
paragraph by paragraph; a paragraph counts as a line). Tags are matched case-insensitively and
may carry stray spaces (``< Variant >``); question and variants may share a line or span several.
"""

from __future__ import annotations

import bisect
import io
import re
import zipfile

from django.utils.translation import gettext_lazy as _

from .base import (
    MAX_XML_BYTES,
    ParsedQuestion,
    ParseResult,
    decode_text,
    fraction,
    lazy_format,
    normalise_key,
    option_id,
    parse_xml,
    rejected,
    unreadable,
)

__all__ = ["parse_platonus", "platonus_lines"]

_TAG_RE = re.compile(r"<\s*(question|variant)\s*>", re.IGNORECASE)


def _local(tag: str) -> str:
    return tag.rsplit(":", 1)[-1]


def parse_platonus(data: bytes) -> ParseResult:
    """Parse a Platonus .txt or .docx file given as bytes."""
    return parse_platonus_lines(platonus_lines(data))


def platonus_lines(data: bytes) -> list[str]:
    """The file's lines: text lines of a .txt, paragraphs of a .docx."""
    if data[:4] == b"PK\x03\x04":
        return _docx_paragraphs(data)
    return decode_text(data).split("\n")


def _docx_paragraphs(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            try:
                info = archive.getinfo("word/document.xml")
            except KeyError:
                raise unreadable(
                    _("This archive is not a Word document (DOCX): word/document.xml is missing.")
                ) from None
            if info.file_size > MAX_XML_BYTES:
                raise unreadable(_("The Word document is too large to import."))
            xml = archive.read(info)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        raise unreadable() from None
    root = parse_xml(xml)
    paragraphs: list[str] = []
    # The XML is parsed without namespace processing: match WordprocessingML's local names.
    for para in (e for e in root.iter() if _local(e.tag) == "p"):
        parts: list[str] = []
        for node in para.iter():
            name = _local(node.tag)
            if name == "t" and node.text:
                parts.append(node.text)
            elif name == "tab":
                parts.append("\t")
            elif name in ("br", "cr"):
                parts.append("\n")
        # A soft line break inside a paragraph still belongs to that paragraph's line number.
        paragraphs.append("".join(parts).replace("\n", " "))
    return paragraphs


def _clean(text: str) -> str:
    """Trim every line, drop empty ones at the ends, keep the inner line breaks."""
    lines = [" ".join(line.split()) for line in text.replace("\xa0", " ").split("\n")]
    return "\n".join(line for line in lines if line).strip()


def parse_platonus_lines(lines: list[str]) -> ParseResult:
    text = "\n".join(lines)
    result = ParseResult()
    # Line starts, to turn an offset into a 1-based line number.
    starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset)

    tags = list(_TAG_RE.finditer(text))
    # Blocks: each question tag with the variants that follow it; variants before the first
    # question form an orphan block.
    blocks: list[tuple[re.Match | None, list[re.Match]]] = []
    for tag in tags:
        if tag.group(1).lower() == "question":
            blocks.append((tag, []))
        elif blocks:
            blocks[-1][1].append(tag)
        else:
            blocks.append((None, [tag]))

    following = {
        tag.start(): (tags[i + 1].start() if i + 1 < len(tags) else len(text))
        for i, tag in enumerate(tags)
    }

    def body(tag: re.Match) -> str:
        return text[tag.end() : following[tag.start()]]

    for question_tag, variant_tags in blocks:
        first = question_tag or variant_tags[0]
        last = variant_tags[-1] if variant_tags else question_tag
        source = text[first.start() : last.end() + len(body(last))]
        line = line_of(first.start())
        if question_tag is None:
            result.rejected.append(
                rejected(line, _("A variant appears before any <question>."), source)
            )
            continue
        question_text = _clean(body(question_tag))
        if not question_text:
            result.rejected.append(rejected(line, _("The question has no text."), source))
            continue
        variants = [(line_of(tag.start()), _clean(body(tag))) for tag in variant_tags]
        problem = None
        seen: dict[str, int] = {}
        for variant_line, variant in variants:
            if not variant:
                problem = (variant_line, _("A variant is empty."))
                break
            key = normalise_key(variant)
            if key in seen:
                problem = (
                    variant_line,
                    lazy_format(
                        _("The variant “%(text)s” repeats the variant on line %(line)s."),
                        {"text": variant[:60], "line": seen[key]},
                    ),
                )
                break
            seen[key] = variant_line
        if problem is None and len(variants) < 2:
            problem = (
                line,
                _("A question needs at least two variants; the first one is the correct answer."),
            )
        if problem is not None:
            result.rejected.append(rejected(problem[0], problem[1], source))
            continue
        options = [
            {
                "id": option_id(index),
                "text": variant,
                "fraction": fraction(1 if index == 0 else 0),
                "feedback": "",
            }
            for index, (_line, variant) in enumerate(variants)
        ]
        result.questions.append(
            ParsedQuestion(
                qtype="single",
                text=question_text,
                text_format="plain",
                data={"options": options, "shuffle": True},
                line=line,
            )
        )
    return result
