"""The file kinds Qashyq recognises, grouped for callers (DOCUMENT, VIDEO, …)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    """One recognised file type: its MIME type, the extensions its name may have, a label."""

    name: str
    mime_type: str
    extensions: tuple[str, ...]
    label: Any  # lazy translation


def _kind(name, mime_type, extensions, label):
    return Kind(name, mime_type, tuple(extensions.split()), label)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        # documents
        _kind("pdf", "application/pdf", "pdf", _("PDF document")),
        _kind(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
            _("Word document (DOCX)"),
        ),
        _kind(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            _("Excel spreadsheet (XLSX)"),
        ),
        _kind(
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
            _("PowerPoint presentation (PPTX)"),
        ),
        _kind("odt", "application/vnd.oasis.opendocument.text", "odt", _("OpenDocument text")),
        _kind(
            "ods",
            "application/vnd.oasis.opendocument.spreadsheet",
            "ods",
            _("OpenDocument spreadsheet"),
        ),
        _kind(
            "odp",
            "application/vnd.oasis.opendocument.presentation",
            "odp",
            _("OpenDocument presentation"),
        ),
        _kind("epub", "application/epub+zip", "epub", _("EPUB book")),
        _kind(
            "ole",
            "application/x-ole-storage",
            "doc xls ppt",
            _("old Microsoft Office document (DOC, XLS, PPT)"),
        ),
        _kind("rtf", "application/rtf", "rtf", _("RTF document")),
        _kind(
            "text",
            "text/plain",
            "txt text md markdown csv tsv json xml tex log "
            "py c h cpp hpp cc java cs go rs kt swift pas sql r m ipynb",
            _("plain text"),
        ),
        # images
        _kind("png", "image/png", "png", _("PNG image")),
        _kind("jpeg", "image/jpeg", "jpg jpeg jpe", _("JPEG image")),
        _kind("gif", "image/gif", "gif", _("GIF image")),
        _kind("webp", "image/webp", "webp", _("WebP image")),
        _kind("avif", "image/avif", "avif", _("AVIF image")),
        _kind("heic", "image/heic", "heic heif", _("HEIC image")),
        # video
        _kind("mp4", "video/mp4", "mp4 m4v", _("MP4 video")),
        _kind("mov", "video/quicktime", "mov", _("QuickTime video")),
        _kind("3gp", "video/3gpp", "3gp 3g2", _("3GP video")),
        _kind("webm", "video/webm", "webm weba", _("WebM video or audio")),
        _kind("mkv", "video/x-matroska", "mkv mka", _("Matroska video")),
        _kind("ogg", "audio/ogg", "ogg oga ogv opus", _("Ogg audio or video")),
        # audio
        _kind("m4a", "audio/mp4", "m4a m4b", _("M4A audio")),
        _kind("mp3", "audio/mpeg", "mp3", _("MP3 audio")),
        _kind("aac", "audio/aac", "aac", _("AAC audio")),
        _kind("flac", "audio/flac", "flac", _("FLAC audio")),
        _kind("wav", "audio/wav", "wav", _("WAV audio")),
        # captions
        _kind("vtt", "text/vtt", "vtt", _("WebVTT captions")),
        _kind("srt", "application/x-subrip", "srt", _("SRT captions")),
        # archives
        _kind("zip", "application/zip", "zip", _("ZIP archive")),
        _kind("7z", "application/x-7z-compressed", "7z", _("7-Zip archive")),
        _kind("rar", "application/vnd.rar", "rar", _("RAR archive")),
        _kind("gzip", "application/gzip", "gz tgz", _("gzip archive")),
        # active content: refused unless a caller allows it explicitly
        _kind("html", "text/html", "html htm xhtml", _("web page (HTML)")),
        _kind("svg", "image/svg+xml", "svg", _("SVG image")),
        # anything recognised as none of the above and not a program
        _kind("other", "application/octet-stream", "", _("file of an unknown type")),
        # always refused
        _kind("executable", "application/octet-stream", "", _("program")),
        _kind("script", "text/plain", "", _("script")),
        _kind("office_macro", "application/octet-stream", "", _("Office document with macros")),
        _kind("java", "application/java-archive", "", _("Java program")),
        _kind("android", "application/vnd.android.package-archive", "", _("Android app")),
    ]
}

DOCUMENT = frozenset(
    {"pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "ole", "rtf", "text"}
)
IMAGE = frozenset({"png", "jpeg", "gif", "webp", "avif", "heic"})
VIDEO = frozenset({"mp4", "mov", "3gp", "webm", "mkv", "ogg"})
AUDIO = frozenset({"m4a", "mp3", "aac", "flac", "wav", "ogg", "webm"})
CAPTIONS = frozenset({"vtt", "srt"})
ARCHIVE = frozenset({"zip", "7z", "rar", "gzip"})
ANY_SAFE = DOCUMENT | IMAGE | VIDEO | AUDIO | CAPTIONS | ARCHIVE
ACTIVE = frozenset({"html", "svg"})  # web content that runs scripts when opened in a browser
OTHER = frozenset({"other"})  # "files of any format": add it where unknown types are welcome
FORBIDDEN = frozenset({"executable", "script", "office_macro", "java", "android"})

# Refused by name whatever the content, so a renamed text file cannot become a program on a
# student's computer after download.
FORBIDDEN_EXTENSIONS = frozenset(
    {
        *("exe", "bat", "cmd", "sh", "bash", "js", "mjs", "msi", "msp", "apk", "scr", "com"),
        *("jar", "vbs", "vbe", "ps1", "psm1", "wsf", "wsh", "hta", "cpl", "dll", "lnk", "reg"),
        *("pif", "app", "dmg", "deb", "rpm", "run", "elf", "so", "dylib", "gadget", "inf", "scf"),
    }
)


def mime_type_of(kind: str, extension: str = "") -> str:
    """The MIME type to serve a file of this kind with (Ogg and WebM depend on the extension)."""
    if kind == "ogg" and extension == "ogv":
        return "video/ogg"
    if kind == "webm" and extension == "weba":
        return "audio/webm"
    return KINDS[kind].mime_type
