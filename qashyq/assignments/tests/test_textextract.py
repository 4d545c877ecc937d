"""Text out of submitted files: real PDF, DOCX and legacy-encoded text; bad files refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from qashyq.assignments.similarity import compare
from qashyq.assignments.textextract import extract_text
from qashyq.core.errors import ValidationFailed

KK_TEXT = (
    "Қашықтықтан оқыту технологиясы студенттерге өз уақытын тиімді жоспарлауға мүмкіндік "
    "береді. Оқытушы электрондық оқу-әдістемелік кешенді дайындап, әр апта сайын жаңа "
    "тапсырмалар жариялайды. Өзіндік жұмыстың нәтижесі ұқыпты тексеріліп, бағасы электрондық "
    "журналға қойылады."
)
RU_TEXT = "Дистанционное обучение позволяет студентам учиться в удобное время и в любом месте."


def test_pdf_made_with_weasyprint_gives_back_its_kazakh_text():
    from weasyprint import HTML

    pdf = HTML(string=f"<html><body><h1>Эссе</h1><p>{KK_TEXT}</p></body></html>").write_pdf()

    text = extract_text(pdf, filename="essay.pdf")

    assert "Қашықтықтан" in text
    assert "ұқыпты" in text
    assert compare(KK_TEXT, text).containment_a_in_b == 1.0


def test_pdf_given_as_a_file_object():
    from weasyprint import HTML

    pdf = HTML(string=f"<p>{RU_TEXT}</p>").write_pdf()
    assert "Дистанционное обучение" in extract_text(io.BytesIO(pdf))


def test_docx_paragraphs_and_tables_are_read():
    import docx

    document = docx.Document()
    document.add_paragraph(KK_TEXT)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Өңір"
    table.rows[0].cells[1].text = "Алматы"
    buffer = io.BytesIO()
    document.save(buffer)

    text = extract_text(buffer.getvalue(), filename="essay.docx")

    assert KK_TEXT in text
    assert "Өңір\tАлматы" in text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (RU_TEXT.encode("cp1251"), RU_TEXT),
        (KK_TEXT.encode("kz1048"), KK_TEXT),
        (KK_TEXT.encode("utf-8"), KK_TEXT),
        (b"\xef\xbb\xbf" + KK_TEXT.encode("utf-8"), KK_TEXT),
        (KK_TEXT.encode("utf-16"), KK_TEXT),
    ],
    ids=["cp1251", "kz1048", "utf-8", "utf-8-bom", "utf-16"],
)
def test_plain_text_in_the_encodings_people_use(data, expected):
    assert extract_text(data, filename="essay.txt") == expected


def _failure(data, **kwargs) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as excinfo:
        extract_text(data, **kwargs)
    return excinfo.value


def test_corrupt_pdf_is_refused_with_a_clear_message(english):
    error = _failure(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\ngarbage\x00\xff")
    assert error.code == "unreadable_file"
    assert "could not be read" in str(error.message)


def test_pdf_with_a_password_is_refused(english):
    from pypdf import PdfWriter
    from weasyprint import HTML

    writer = PdfWriter(clone_from=io.BytesIO(HTML(string=f"<p>{RU_TEXT}</p>").write_pdf()))
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)

    error = _failure(buffer.getvalue())
    assert error.code == "encrypted_file"
    assert "password" in str(error.message)


def test_pdf_protected_only_against_printing_is_read():
    from pypdf import PdfWriter
    from weasyprint import HTML

    writer = PdfWriter(clone_from=io.BytesIO(HTML(string=f"<p>{RU_TEXT}</p>").write_pdf()))
    writer.encrypt(user_password="", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)

    assert "Дистанционное обучение" in extract_text(buffer.getvalue())


def test_other_files_are_refused(english):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    assert _failure(png).code == "unsupported_file"
    assert _failure(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100).code == "unsupported_file"

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("notes.txt", "not a Word document")
    assert _failure(archive.getvalue()).code == "unsupported_file"


def test_broken_docx_is_refused(english):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("word/document.xml", "<not xml")
    assert _failure(archive.getvalue()).code == "unreadable_file"


def test_empty_or_textless_file_is_refused(english):
    from weasyprint import HTML

    assert _failure(b"   \n ").code == "no_text"
    blank_pdf = HTML(string="<div style='height:10cm'></div>").write_pdf()
    error = _failure(blank_pdf)
    assert error.code == "no_text"
    assert "No text was found" in str(error.message)


def test_too_large_file_is_refused_without_reading_it_all(english):
    stream = io.BytesIO(b"a" * 5000)
    error = _failure(stream, max_bytes=1024 * 1024 // 1024)
    assert error.code == "file_too_large"
    assert stream.tell() == 1025  # stopped after one byte over the limit
