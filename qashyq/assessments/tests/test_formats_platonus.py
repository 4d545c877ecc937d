"""Platonus test files (.txt in several encodings, .docx): what the importer reads and rejects."""

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from qashyq.assessments.formats import ParsedQuestion, parse
from qashyq.core.errors import ValidationFailed

pytestmark = [pytest.mark.usefixtures("english")]

SAMPLES = Path(__file__).resolve().parents[1] / "formats" / "samples"


def platonus(data, **kwargs):
    return parse(data, format="platonus", **kwargs)


def reasons(result):
    return [(r.line, str(r.reason)) for r in result.rejected]


def test_kazakh_sample_every_question_is_single_choice_with_the_first_variant_correct():
    result = platonus((SAMPLES / "platonus_kk.txt").read_bytes())
    assert result.rejected == []
    assert result.counts() == {"single": 16}
    first = result.questions[0]
    assert first == ParsedQuestion(
        qtype="single",
        text="Қазақ хандығы қай жылы құрылды?",
        text_format="plain",
        data={
            "options": [
                {"id": "a", "text": "1465 жылы", "fraction": 1.0, "feedback": ""},
                {"id": "b", "text": "1456 жылы", "fraction": 0.0, "feedback": ""},
                {"id": "c", "text": "1511 жылы", "fraction": 0.0, "feedback": ""},
                {"id": "d", "text": "1731 жылы", "fraction": 0.0, "feedback": ""},
                {"id": "e", "text": "1218 жылы", "fraction": 0.0, "feedback": ""},
            ],
            "shuffle": True,
        },
    )
    assert first.line == 1
    for question in result.questions:
        fractions = [o["fraction"] for o in question.data["options"]]
        assert fractions[0] == 1.0 and set(fractions[1:]) == {0.0}


def test_tags_in_any_case_text_over_several_lines_and_everything_on_one_line():
    result = platonus((SAMPLES / "platonus_kk.txt").read_bytes())
    by_line = {q.line: q for q in result.questions}
    spanning = by_line[20]  # <Question> … two lines … <Variant>
    assert spanning.text == (
        "Қазақстан Республикасының мемлекеттік тәуелсіздігі туралы\n"
        "Конституциялық заң қашан қабылданды?"
    )
    assert spanning.data["options"][0]["text"] == "1991 жылғы 16 желтоқсанда"
    upper = next(q for q in result.questions if q.text.startswith("Мажор"))
    assert len(upper.data["options"]) == 4
    one_line = next(q for q in result.questions if q.text == "1 байт неше битке тең?")
    assert [o["text"] for o in one_line.data["options"]] == ["8", "2", "10", "16"]


def test_stray_whitespace_inside_and_around_tags():
    text = "  < Question >  Нота  «до»\n\n<VARIANT >  до  \n\t<variant>ре\n<Variant>ми"
    result = platonus(text.encode())
    (question,) = result.questions
    assert question.text == "Нота «до»"
    assert [o["text"] for o in question.data["options"]] == ["до", "ре", "ми"]


def test_russian_sample_in_windows_1251_with_crlf():
    data = (SAMPLES / "platonus_ru_cp1251.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = platonus(data)
    assert result.rejected == []
    assert len(result.questions) == 15
    assert result.questions[0].text == "В каком году было образовано Казахское ханство?"
    assert result.questions[0].data["options"][0]["text"] == "В 1465 году"
    assert result.questions[9].text == (
        "Какое расширение по умолчанию имеют документы Microsoft Word\n(начиная с версии 2007)?"
    )
    assert [q.line for q in result.questions[:3]] == [1, 7, 13]
    assert all("\r" not in q.text for q in result.questions)


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"),
        lambda s: s.encode("utf-16"),  # with a byte-order mark
        lambda s: s.encode("utf-16-be").join([b"\xfe\xff", b""]),
        lambda s: s.encode("kz1048"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le-bom", "utf16-be-bom", "kz1048"],
)
def test_encodings_give_the_same_questions(encode):
    text = "<question>Қазақ хандығы қай жылы құрылды?\n<variant>1465\n<variant>1456\n"
    result = platonus(encode(text))
    (question,) = result.questions
    assert question.text == "Қазақ хандығы қай жылы құрылды?"
    assert [o["text"] for o in question.data["options"]] == ["1465", "1456"]


def test_file_object_and_text_are_accepted():
    data = "<question>Домбыра?<variant>Иә<variant>Жоқ".encode()
    assert platonus(io.BytesIO(data)).questions == platonus(data).questions


def test_malformed_file_rejects_each_bad_question_with_its_line_and_keeps_the_rest():
    result = platonus((SAMPLES / "platonus_malformed.txt").read_bytes())
    assert [q.text for q in result.questions] == [
        "Домбыраның неше шегі бар?",
        "Скрипка кілті қай дыбысты белгілейді?",
    ]
    assert reasons(result) == [
        (1, "A variant appears before any <question>."),
        (8, "The question has no text."),
        (12, "A question needs at least two variants; the first one is the correct answer."),
        (18, "The variant “1465 ЖЫЛЫ” repeats the variant on line 16."),
        (22, "A variant is empty."),
    ]
    assert result.rejected[0].source.startswith("<variant>Сұрақсыз нұсқа")


def test_text_before_the_first_tag_is_ignored_and_an_empty_file_has_no_questions():
    result = platonus("Пән: Музыка теориясы\n\n<question>Кварта?<variant>2,5<variant>3".encode())
    assert len(result.questions) == 1 and result.rejected == []
    empty = platonus(b"")
    assert empty.questions == [] and empty.rejected == []


def test_a_binary_file_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        platonus(bytes(range(256)) * 20)
    assert caught.value.code == "unreadable_file"


def test_a_file_over_the_limit_is_refused(monkeypatch):
    from qashyq.assessments.formats import base

    monkeypatch.setattr(base, "MAX_BYTES", 100)
    with pytest.raises(ValidationFailed) as caught:
        platonus(b"<question>" + b"x" * 200)
    assert caught.value.code == "file_too_large"


def test_unknown_format_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        parse(b"", format="excel")
    assert caught.value.code == "unknown_format"


# --- DOCX -----------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def make_docx(paragraphs: list[list[str]], *, prolog: str = "") -> bytes:
    """A minimal Word document; each paragraph is a list of runs."""
    body = "".join(
        "<w:p>"
        + "".join(f"<w:r><w:t xml:space='preserve'>{escape(run)}</w:t></w:r>" for run in runs)
        + "</w:p>"
        for runs in paragraphs
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<w:document xmlns:w="{W}"><w:body>{body}'
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>&lt;variant&gt;Кестедегі нұсқа</w:t></w:r></w:p>"
        "</w:tc></w:tr></w:tbl></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def test_docx_paragraphs_are_lines_and_tags_may_be_split_across_runs():
    data = make_docx(
        [
            ["<question>", "Домбыраның неше ", "шегі бар?"],
            ["<vari", "ant>Екі"],
            ["<variant>Үш"],
            [""],
            ["<QUESTION>Скрипка кілті"],
            ["<variant>соль"],
            ["<variant>", "соль"],
        ]
    )
    result = platonus(data, filename="test.docx")
    assert [q.text for q in result.questions] == ["Домбыраның неше шегі бар?"]
    assert [o["text"] for o in result.questions[0].data["options"]] == ["Екі", "Үш"]
    # The duplicate variant is on paragraph 7; the table cell's variant joins the last question.
    assert reasons(result) == [(7, "The variant “соль” repeats the variant on line 6.")]


def test_a_docx_with_a_document_type_declaration_is_refused():
    data = make_docx([["<question>Q"]], prolog='<!DOCTYPE w [<!ENTITY a "aaaa">]>')
    with pytest.raises(ValidationFailed):
        platonus(data)


def test_a_broken_docx_or_another_archive_is_refused():
    with pytest.raises(ValidationFailed):
        platonus(b"PK\x03\x04" + b"\x00" * 100)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", "<x/>")
    with pytest.raises(ValidationFailed) as caught:
        platonus(buffer.getvalue())
    assert "word/document.xml" in str(caught.value.message)
