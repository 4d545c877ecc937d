"""Learning a file's real kind from its first bytes (and a ZIP's table of contents)."""

from __future__ import annotations

import codecs
import re
import zipfile

HEAD_BYTES = 8192

_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE (exe, dll, scr, com in PE form)
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, and Java class files
    b"dex\n",  # Android
    b"\x00asm",  # WebAssembly
    b"L\x00\x00\x00\x01\x14\x02\x00",  # Windows shortcut
)
_SRT = re.compile(r"\A\d+[ \t]*\r?\n\d{1,2}:\d{2}:\d{2}[,.]\d{3}[ \t]*-->")
_ACTIVE_START = re.compile(
    r"\A(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|script|iframe|object|embed|meta)\b",
    re.IGNORECASE | re.DOTALL,
)
_SVG = re.compile(r"\A(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<!doctype[^>]*>\s*)*<svg\b", re.I | re.S)
_OOXML_MAIN = {
    "wordprocessingml.document.main": "docx",
    "wordprocessingml.template.main": "docx",
    "spreadsheetml.sheet.main": "xlsx",
    "spreadsheetml.template.main": "xlsx",
    "presentationml.presentation.main": "pptx",
    "presentationml.slideshow.main": "pptx",
}
_ODF = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/epub+zip": "epub",
}
_FTYP_BRANDS = {
    b"M4A ": "m4a",
    b"M4B ": "m4a",
    b"M4P ": "m4a",
    b"qt  ": "mov",
    b"avif": "avif",
    b"avis": "avif",
    b"heic": "heic",
    b"heix": "heic",
    b"mif1": "heic",
    b"msf1": "heic",
}


def _sniff_zip(fileobj) -> str:
    """Tell Office, OpenDocument, EPUB, Java and Android packages apart from plain ZIP archives."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as member:
                    types = member.read(256 * 1024).decode("utf-8", "replace")
                if "macroEnabled" in types or "vbaProject" in types:
                    return "office_macro"
                for marker, kind in _OOXML_MAIN.items():
                    if marker in types:
                        return kind
                return "zip"
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    mimetype = member.read(200).decode("ascii", "replace").strip()
                if mimetype in _ODF:
                    return _ODF[mimetype]
            if "AndroidManifest.xml" in names or "classes.dex" in names:
                return "android"
            if "META-INF/MANIFEST.MF" in names or any(n.endswith(".class") for n in names):
                return "java"
            return "zip"
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        return "other"


def _looks_like_text(text: str) -> bool:
    return not any(ord(ch) < 32 and ch not in "\t\n\r\f\v" for ch in text)


def _decode_text(head: bytes) -> str | None:
    """The head as text if it is UTF-8 (with or without BOM), UTF-16 with BOM, or cp1251."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        decoder = codecs.getincrementaldecoder("utf-16")("strict")
        try:
            text = decoder.decode(head, final=False)
        except UnicodeDecodeError:
            return None
        return text if _looks_like_text(text) else None
    if b"\x00" in head:
        return None
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")("strict").decode(head, final=False)
    except UnicodeDecodeError:
        try:
            text = head.decode("cp1251")
        except UnicodeDecodeError:
            return None
    return text if _looks_like_text(text) else None


def _sniff_text(text: str) -> str:
    stripped = text.lstrip("\ufeff \t\r\n")
    if text.startswith("#!"):
        return "script"
    if re.match(r"WEBVTT(?:[ \t\r\n]|\Z)", stripped):
        return "vtt"
    if _SRT.match(stripped):
        return "srt"
    if _SVG.match(stripped):
        return "svg"
    if _ACTIVE_START.match(stripped):
        return "html"
    return "text"


def sniff_kind(fileobj, *, extension: str = "") -> str:
    """The kind of a seekable file from its first bytes (and, for ZIPs, its table of contents).

    ``extension`` only settles what the content leaves open (an MP4 container holding audio);
    it never turns one kind into another. The file is left at position 0.
    """
    fileobj.seek(0)
    head = fileobj.read(HEAD_BYTES)
    fileobj.seek(0)
    if not head:
        return "other"
    if head.startswith(_EXECUTABLE_MAGIC):
        return "executable"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[4:8] == b"ftyp":
        kind = _FTYP_BRANDS.get(head[8:12])
        if kind is None and head[8:11] in (b"3gp", b"3g2"):
            kind = "3gp"
        kind = kind or "mp4"
        if kind == "mp4" and extension in ("m4a", "m4b"):
            kind = "m4a"
        return kind
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm" if b"webm" in head[:64] else "mkv"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"ID3"):
        return "mp3"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        kind = _sniff_zip(fileobj)
        fileobj.seek(0)
        return kind
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if head.startswith(b"Rar!\x1a\x07"):
        return "rar"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    text = _decode_text(head)
    if text is not None:
        return _sniff_text(text)
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xF6) == 0xF0:
        return "aac"  # ADTS frame
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and head[1] & 0x06:
        return "mp3"  # MPEG audio frame without an ID3 tag
    return "other"
