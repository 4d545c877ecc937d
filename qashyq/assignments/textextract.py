"""Plain text out of submitted files, for the similarity check.

PDF (pypdf), DOCX (python-docx) and plain text (UTF-8, UTF-16 with a byte-order mark, or
Windows-1251 / KZ-1048, which older Russian and Kazakh documents still use). The kind is
recognised from the file's first bytes, not from its name. Anything else, or a file that cannot
be read (corrupt, encrypted with a password, too large, too many pages, no text at all such as a
scan), raises :class:`~qashyq.core.errors.ValidationFailed` with a translated message and a
stable code; the parsers' own exceptions never escape.
"""

from __future__ import annotations

import io
import zipfile
from typing import IO

from django.utils.translation import gettext_lazy as _

from qashyq.core.errors import ValidationFailed

__all__ = ["MAX_BYTES", "MAX_CHARS", "MAX_PAGES", "extract_text"]

MAX_BYTES = 20 * 1024 * 1024  # a file larger than this is not read
MAX_PAGES = 300  # PDF pages
MAX_CHARS = 2_000_000  # text kept from one file
MAX_DOCX_XML = 50 * 1024 * 1024  # uncompressed document.xml (guards against zip bombs)

# Bytes that are Kazakh letters in KZ-1048 and Serbian/Ukrainian letters in Windows-1251.
_KZ1048_LETTERS = frozenset(b"\x8d\x8e\x9d\x9e\xa1\xa2\xa3\xa5\xaa\xaf\xb4\xba\xbc\xbd\xbe\xbf")


def _fail(code: str, message) -> ValidationFailed:
    return ValidationFailed(message, code=code)


def extract_text(
    source: bytes | IO[bytes], *, filename: str = "", max_bytes: int = MAX_BYTES
) -> str:
    """Return the plain text of a PDF, DOCX or text file given as bytes or a binary file.

    ``filename`` is used only in messages. Raises ``ValidationFailed`` with one of the codes
    ``file_too_large``, ``unsupported_file``, ``unreadable_file``, ``encrypted_file``,
    ``too_many_pages``, ``no_text``.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if len(data) > max_bytes:
            raise _too_large(max_bytes)
    else:
        data = source.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise _too_large(max_bytes)
    if data.lstrip(b"\r\n\t \x00")[:5] == b"%PDF-":
        text = _pdf_text(data)
    elif data[:4] == b"PK\x03\x04":
        text = _docx_text(data)
    elif data[:4] == b"\xd0\xcf\x11\xe0":  # OLE2: legacy .doc/.xls
        raise _fail(
            "unsupported_file",
            _("Old Word (.doc) files cannot be read; save the file as DOCX or PDF and try again."),
        )
    else:
        text = _plain_text(data)
    text = text.replace("\x00", "").strip()
    if not text:
        raise _fail(
            "no_text",
            _(
                "No text was found in the file. If it is a scan or a photo, submit the text "
                "itself or a PDF with a text layer."
            ),
        )
    return text[:MAX_CHARS]


def _too_large(max_bytes: int) -> ValidationFailed:
    return _fail(
        "file_too_large",
        _("The file is too large to check: the limit is %(size)s MB.")
        % {"size": max_bytes // (1024 * 1024)},
    )


def _unreadable() -> ValidationFailed:
    return _fail(
        "unreadable_file", _("The file could not be read: it may be damaged. Please check it.")
    )


def _pdf_text(data: bytes) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # many "protected" PDFs only restrict printing
            except Exception:  # noqa: BLE001 - untrusted file, any parser failure
                opened = 0
            if not opened:
                raise _fail(
                    "encrypted_file",
                    _("The PDF is protected by a password; remove the protection and try again."),
                )
        if len(reader.pages) > MAX_PAGES:
            raise _fail(
                "too_many_pages",
                _("The PDF has too many pages to check: the limit is %(pages)s.")
                % {"pages": MAX_PAGES},
            )
        parts: list[str] = []
        size = 0
        for page in reader.pages:
            part = page.extract_text() or ""
            parts.append(part)
            size += len(part)
            if size > MAX_CHARS:
                break
        return "\n".join(parts)
    except ValidationFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - untrusted file, any parser failure
        raise _unreadable() from exc


def _docx_text(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            try:
                info = archive.getinfo("word/document.xml")
            except KeyError:
                raise _fail(
                    "unsupported_file",
                    _("This kind of file cannot be checked: submit PDF, DOCX or plain text."),
                ) from None
            if info.file_size > MAX_DOCX_XML:
                raise _too_large(MAX_BYTES)
        import docx

        document = docx.Document(io.BytesIO(data))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                parts.append("\t".join(cell.text for cell in row.cells))
        return "\n".join(parts)
    except ValidationFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - untrusted file, any parser failure
        raise _unreadable() from exc


def _plain_text(data: bytes) -> str:
    if data[:3] == b"\xef\xbb\xbf":
        return _decode(data[3:], "utf-8")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _decode(data, "utf-16")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows-1251 has no Kazakh letters; Kazakh Windows (KZ-1048) puts them where 1251 keeps
        # Serbian and Ukrainian letters, which a Kazakh or Russian text does not use.
        kazakh = any(b in _KZ1048_LETTERS for b in data)
        text = _decode(data, "kz1048" if kazakh else "cp1251")
    if _looks_binary(text):
        raise _fail(
            "unsupported_file",
            _("This kind of file cannot be checked: submit PDF, DOCX or plain text."),
        )
    return text


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _fail(
            "unsupported_file",
            _("This kind of file cannot be checked: submit PDF, DOCX or plain text."),
        ) from None


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return control / len(sample) > 0.05
