"""Uploads: the real type is sniffed from real bytes, refused files say why, and a cut-off upload
never leaves a file behind."""

import hashlib
import io
import os
import struct
import wave
import zipfile

import pytest
from django.core.files.storage import FileSystemStorage, InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from PIL import Image

from qashyq.core import files
from qashyq.core.errors import ValidationFailed
from qashyq.core.files import (
    ACTIVE,
    ANY_SAFE,
    ARCHIVE,
    AUDIO,
    CAPTIONS,
    DOCUMENT,
    IMAGE,
    VIDEO,
    accept_upload,
    store_upload,
    validate_upload,
)

MB = 1024 * 1024

# --- real files, made here --------------------------------------------------------------------


def pdf_bytes() -> bytes:
    from weasyprint import HTML

    return HTML(string="<p>Дәріс: қашықтықтан оқыту</p>").write_pdf()


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def ooxml_bytes(main: str, part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{part}" ContentType="application/vnd.{main}+xml"/>'
            "</Types>",
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(part, "<document/>")
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return ooxml_bytes(
        "openxmlformats-officedocument.wordprocessingml.document.main", "word/document.xml"
    )


def docm_bytes() -> bytes:
    return ooxml_bytes("ms-word.document.macroEnabled.main", "word/document.xml")


def pptx_bytes() -> bytes:
    return ooxml_bytes(
        "openxmlformats-officedocument.presentationml.presentation.main", "ppt/presentation.xml"
    )


def xlsx_bytes() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Бағалар"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
    return buffer.getvalue()


def plain_zip_bytes(names=("notes.txt",)) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "content")
    return buffer.getvalue()


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def wav_bytes() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 800)
    return buffer.getvalue()


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_bytes(brand: bytes = b"isom") -> bytes:
    ftyp = box(b"ftyp", brand + b"\x00\x00\x02\x00" + brand + b"mp41")
    return ftyp + box(b"moov", box(b"mvhd", b"\x00" * 100)) + box(b"mdat", b"\x00" * 64)


def ebml_bytes(doctype: bytes) -> bytes:
    # EBML header: EBMLVersion, DocType; then a Segment element start
    body = b"\x42\x86\x81\x01" + b"\x42\x82" + bytes([0x80 | len(doctype)]) + doctype
    return (
        b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(body)]) + body + b"\x18\x53\x80\x67" + b"\x00" * 32
    )


def ogg_bytes() -> bytes:
    return b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x1e\x01vorbis" + b"\x00" * 40


MP3_ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 200
MP3_BARE = b"\xff\xfb\x90\x00" + b"\x55" * 400
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nСәлеметсіздер ме!\n".encode()
SRT = "1\n00:00:00,000 --> 00:00:02,000\nСәлеметсіздер ме!\n".encode()
KAZAKH_TEXT = "Қазақстан — ұлы дала елі. Әріптер: ә ғ қ ң ө ұ ү һ і.\n".encode()
RUSSIAN_CP1251 = "Лекция по истории Казахстана, тема 3.\r\n".encode("cp1251")
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"PE\x00\x00" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 100


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# --- sniffing: every kind from real bytes ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "kind", "mime"),
    [
        ("lecture.pdf", pdf_bytes, "pdf", "application/pdf"),
        ("tiny.pdf", lambda: MINIMAL_PDF, "pdf", "application/pdf"),
        ("syllabus.docx", docx_bytes, "docx", files.KINDS["docx"].mime_type),
        ("marks.xlsx", xlsx_bytes, "xlsx", files.KINDS["xlsx"].mime_type),
        ("slides.pptx", pptx_bytes, "pptx", files.KINDS["pptx"].mime_type),
        ("essay.odt", odt_bytes, "odt", "application/vnd.oasis.opendocument.text"),
        ("notes.txt", lambda: KAZAKH_TEXT, "text", "text/plain"),
        ("лекция.txt", lambda: RUSSIAN_CP1251, "text", "text/plain"),
        ("photo.png", lambda: image_bytes("PNG"), "png", "image/png"),
        ("photo.jpg", lambda: image_bytes("JPEG"), "jpeg", "image/jpeg"),
        ("photo.gif", lambda: image_bytes("GIF"), "gif", "image/gif"),
        ("photo.webp", lambda: image_bytes("WEBP"), "webp", "image/webp"),
        ("lecture.mp4", mp4_bytes, "mp4", "video/mp4"),
        ("voice.m4a", lambda: mp4_bytes(b"M4A "), "m4a", "audio/mp4"),
        ("lecture.webm", lambda: ebml_bytes(b"webm"), "webm", "video/webm"),
        ("lecture.mkv", lambda: ebml_bytes(b"matroska"), "mkv", "video/x-matroska"),
        ("song.ogg", ogg_bytes, "ogg", "audio/ogg"),
        ("talk.mp3", lambda: MP3_ID3, "mp3", "audio/mpeg"),
        ("bare.mp3", lambda: MP3_BARE, "mp3", "audio/mpeg"),
        ("answer.wav", wav_bytes, "wav", "audio/wav"),
        ("captions.vtt", lambda: VTT, "vtt", "text/vtt"),
        ("captions.srt", lambda: SRT, "srt", "application/x-subrip"),
        ("bundle.zip", plain_zip_bytes, "zip", "application/zip"),
    ],
)
def test_each_kind_is_recognised_from_its_bytes(name, make, kind, mime):
    checked = validate_upload(upload(name, make()), max_bytes=5 * MB, allowed_kinds=ANY_SAFE)
    assert (checked.kind, checked.mime_type) == (kind, mime)
    assert checked.size > 0


def test_groups_hold_the_kinds_course_materials_need():
    assert {"pdf", "docx", "xlsx", "pptx", "odt", "text"} <= DOCUMENT
    assert {"png", "jpeg"} <= IMAGE
    assert {"mp4", "webm"} <= VIDEO
    assert {"mp3", "wav", "m4a", "ogg", "webm"} <= AUDIO
    assert {"vtt", "srt"} == CAPTIONS
    assert "zip" in ARCHIVE
    assert not (ACTIVE & ANY_SAFE)


# --- refusals -----------------------------------------------------------------------------------


def refusal(name, content, *, allowed=ANY_SAFE, max_bytes=5 * MB) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        validate_upload(upload(name, content), max_bytes=max_bytes, allowed_kinds=allowed)
    return caught.value


def test_a_windows_program_renamed_to_pdf_is_refused(english):
    error = refusal("lecture.pdf", PE)
    assert error.code == "file_forbidden"
    assert "Found: program" in str(error.message)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.pdf", ELF),
        ("notes.txt", b"#!/bin/sh\nrm -rf ~\n"),
        ("report.docx", docm_bytes()),
        ("library.zip", plain_zip_bytes(("META-INF/MANIFEST.MF", "App.class"))),
    ],
)
def test_programs_scripts_and_macros_are_refused_whatever_their_name(name, content):
    assert refusal(name, content).code == "file_forbidden"


@pytest.mark.parametrize(
    "name",
    [
        "setup.exe",
        "run.bat",
        "x.cmd",
        "a.sh",
        "app.js",
        "i.msi",
        "a.apk",
        "s.scr",
        "c.com",
        "lib.jar",
        "m.vbs",
        "p.ps1",
        "lecture.pdf.exe",
    ],
)
def test_forbidden_extensions_are_refused_even_with_harmless_content(name, english):
    error = refusal(name, KAZAKH_TEXT)
    assert error.code == "file_forbidden"
    assert "." + name.rsplit(".", 1)[1] in str(error.message)


def test_html_and_svg_are_refused_unless_allowed_explicitly(english):
    page = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    assert refusal("page.html", page).code == "file_kind_not_allowed"
    assert refusal("logo.svg", svg).code == "file_kind_not_allowed"
    # a web page renamed to .txt is still a web page
    assert refusal("page.txt", page).code == "file_kind_not_allowed"
    allowed = ANY_SAFE | ACTIVE
    assert validate_upload(upload("page.html", page), max_bytes=MB, allowed_kinds=allowed).kind == (
        "html"
    )


def test_a_kind_outside_the_allowed_group_is_refused_with_both_named(english):
    error = refusal("photo.png", image_bytes("PNG"), allowed=DOCUMENT)
    assert error.code == "file_kind_not_allowed"
    message = str(error.message)
    assert "Found: PNG image" in message
    assert "PDF document" in message and "Word document (DOCX)" in message


def test_an_extension_that_does_not_match_the_content_is_refused(english):
    error = refusal("lecture.pdf", docx_bytes())
    assert error.code == "file_extension_mismatch"
    assert ".pdf" in str(error.message) and ".docx" in str(error.message)


def test_a_name_without_extension_is_told_which_one_to_add(english):
    error = refusal("lecture", MINIMAL_PDF)
    assert error.code == "file_extension_mismatch"
    assert "Add .pdf" in str(error.message)


def test_a_plain_zip_named_docx_is_not_taken_for_a_word_document():
    assert refusal("essay.docx", plain_zip_bytes()).code == "file_extension_mismatch"


def test_unknown_binary_is_refused_unless_other_is_allowed():
    noise = bytes(range(256)) * 4
    assert refusal("data.dat", noise).code == "file_kind_not_allowed"
    checked = validate_upload(
        upload("data.dat", noise), max_bytes=MB, allowed_kinds=ANY_SAFE | files.OTHER
    )
    assert checked.kind == "other"


def test_an_empty_file_is_refused(english):
    error = refusal("empty.pdf", b"")
    assert error.code == "file_empty"


def test_a_file_over_the_limit_is_refused_with_the_limit_in_megabytes(english):
    error = refusal("big.pdf", MINIMAL_PDF + b"\x00" * (2 * MB), max_bytes=2 * MB)
    assert error.code == "file_too_large"
    assert "2 MB" in str(error.message)


def test_a_lying_declared_size_does_not_let_an_oversized_file_through():
    liar = upload("big.pdf", MINIMAL_PDF + b"\x00" * (3 * MB))
    liar.size = 10  # what a crafted request could claim
    with pytest.raises(ValidationFailed) as caught:
        validate_upload(liar, max_bytes=1 * MB, allowed_kinds=DOCUMENT)
    assert caught.value.code == "file_too_large"


def test_validation_leaves_the_file_readable_from_the_start():
    file = upload("tiny.pdf", MINIMAL_PDF)
    validate_upload(file, max_bytes=MB, allowed_kinds=DOCUMENT)
    assert file.read() == MINIMAL_PDF


# --- storing ------------------------------------------------------------------------------------


def all_files(root) -> list[str]:
    return [os.path.join(d, f) for d, _, names in os.walk(root) for f in names]


def test_store_writes_the_bytes_under_a_new_unique_name(settings):
    content = pdf_bytes()
    first = store_upload(upload("Дәріс 1.pdf", content), folder="materials")
    second = store_upload(upload("Дәріс 1.pdf", content), folder="materials")
    assert first.name != second.name
    assert first.name.startswith("materials/") and first.name.endswith(".pdf")
    assert (first.size, first.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert first.mime_type == "application/pdf"
    assert first.original_name == "Дәріс 1.pdf"
    stored = os.path.join(settings.MEDIA_ROOT, first.name)
    with open(stored, "rb") as handle:
        assert handle.read() == content
    assert len(all_files(settings.MEDIA_ROOT)) == 2  # no partial files left


def test_store_never_uses_the_uploaded_name_on_disk(settings):
    stored = store_upload(upload("../../etc/passwd.pdf", MINIMAL_PDF), folder="materials")
    assert stored.name.startswith("materials/") and "passwd" not in stored.name
    assert os.path.isfile(os.path.join(settings.MEDIA_ROOT, stored.name))


def test_store_works_with_a_real_temporary_upload(settings):
    temporary = TemporaryUploadedFile("answer.wav", "audio/wav", 0, None)
    content = wav_bytes()
    temporary.write(content)
    temporary.seek(0)
    temporary.size = len(content)
    stored = accept_upload(temporary, folder="answers", max_bytes=MB, allowed_kinds=AUDIO)
    temporary.close()
    assert stored.mime_type == "audio/wav"
    with open(os.path.join(settings.MEDIA_ROOT, stored.name), "rb") as handle:
        assert handle.read() == content


class CutOff(SimpleUploadedFile):
    """An upload whose client goes away after the first chunk."""

    def chunks(self, chunk_size=None):
        yield self.read(1024)
        raise ConnectionResetError("client went away")


def test_an_upload_cut_off_half_way_leaves_no_file_in_storage(settings):
    with pytest.raises(ConnectionResetError):
        store_upload(CutOff("video.mp4", mp4_bytes() + b"\x00" * 50_000), folder="videos")
    assert all_files(settings.MEDIA_ROOT) == []


def test_an_upload_cut_off_half_way_leaves_nothing_in_object_storage():
    storage = InMemoryStorage()
    with pytest.raises(ConnectionResetError):
        store_upload(
            CutOff("video.mp4", mp4_bytes() + b"\x00" * 50_000), folder="v", storage=storage
        )
    assert storage.listdir("") == ([], [])


def test_object_storage_gets_the_whole_file():
    storage = InMemoryStorage()
    content = mp4_bytes()
    stored = store_upload(upload("lecture.mp4", content), folder="videos", storage=storage)
    with storage.open(stored.name, "rb") as handle:
        assert handle.read() == content
    assert stored.mime_type == "video/mp4"


def test_storing_an_upload_larger_than_it_claimed_stops_and_leaves_nothing(settings):
    liar = upload("big.pdf", MINIMAL_PDF + b"\x00" * (2 * MB))
    liar.size = 10
    with pytest.raises(ValidationFailed):
        store_upload(liar, folder="materials", max_bytes=MB)
    assert all_files(settings.MEDIA_ROOT) == []


def test_a_custom_filesystem_storage_location_is_respected(tmp_path):
    storage = FileSystemStorage(location=tmp_path / "elsewhere")
    stored = store_upload(upload("t.vtt", VTT), folder="captions", storage=storage)
    assert storage.exists(stored.name)
    assert storage.open(stored.name).read() == VTT
