"""Moodle XML: every supported type, rejections with line numbers, entity bombs, round-trips."""

from pathlib import Path

import pytest

from qashyq.assessments.formats import export_moodlexml, parse
from qashyq.assessments.formats.moodlexml import parse_cloze, write_cloze
from qashyq.core.errors import ValidationFailed

pytestmark = [pytest.mark.usefixtures("english")]

SAMPLES = Path(__file__).resolve().parents[1] / "formats" / "samples"


def xml(data):
    return parse(data.encode() if isinstance(data, str) else data, format="moodlexml")


@pytest.fixture(scope="module")
def sample():
    return parse((SAMPLES / "moodle_ru.xml").read_bytes(), format="moodlexml")


def by_name(result, name):
    return next(q for q in result.questions if q.name == name)


def test_sample_reads_every_supported_type(sample):
    assert sample.rejected == []
    assert sample.counts() == {
        "single": 1,
        "multiple": 1,
        "truefalse": 2,
        "short": 2,
        "numerical": 1,
        "matching": 1,
        "ordering": 1,
        "cloze": 2,
        "essay": 1,
        "file": 1,
        "description": 1,
    }


def test_common_fields(sample):
    question = by_name(sample, "Тритон")
    assert question.line == 8
    assert question.category == ("Музыкальная теория",)
    assert question.tags == ("difficulty:easy", "интервалы")
    assert question.text_format == "html"
    assert question.text == (
        "<p>Интервал, состоящий из <strong>трёх тонов</strong>, называется:</p>"
    )
    assert question.general_feedback.startswith("<p>Тритон — это увеличенная кварта")
    assert (question.default_mark, question.penalty) == (1.0, 0.3333333)
    assert by_name(sample, "Эссе: Абылай-хан").default_mark == 10.0
    assert by_name(sample, "Скрипичный ключ").text_format == "plain"  # moodle_auto_format
    assert by_name(sample, "Инструкция").text_format == "markdown"
    assert by_name(sample, "Расширение файла").category == ("ИКТ",)


def test_multichoice_single_and_multiple(sample):
    single = by_name(sample, "Тритон")
    assert single.qtype == "single" and single.data["shuffle"] is True
    assert single.data["options"][0] == {
        "id": "a",
        "text": "увеличенная кварта",
        "fraction": 1.0,
        "feedback": "Верно.",
    }
    multiple = by_name(sample, "Инструменты симфонического оркестра")
    assert multiple.qtype == "multiple" and multiple.data["shuffle"] is False
    assert [o["fraction"] for o in multiple.data["options"]] == [
        0.3333333,
        0.3333333,
        0.3333333,
        -0.5,
        -0.5,
    ]


def test_truefalse_shortanswer_numerical(sample):
    assert by_name(sample, "Скрипичный ключ").data == {
        "correct": True,
        "feedback_true": "Верно: ключ «соль».",
        "feedback_false": "Неверно: скрипичный ключ — это ключ «соль».",
    }
    short = by_name(sample, "Итальянский термин")
    assert short.data["case_sensitive"] is False
    assert [(a["text"], a["fraction"]) for a in short.data["answers"]] == [
        ("crescendo", 1.0),
        ("cresc*", 0.5),
    ]
    assert by_name(sample, "Расширение файла").data["case_sensitive"] is True
    # The "*" answer (any other answer) only carries feedback and is dropped.
    assert by_name(sample, "Частота ноты «ля»").data["answers"] == [
        {"value": 440.0, "tolerance": 0.0, "fraction": 1.0, "feedback": "Верно."},
        {
            "value": 435.0,
            "tolerance": 1.0,
            "fraction": 0.5,
            "feedback": "Это старый, «французский» стандарт.",
        },
    ]


def test_matching_ordering_essay_file_description(sample):
    matching = by_name(sample, "Темпы").data
    assert [p["prompt"] for p in matching["pairs"]] == ["Largo", "Andante", "Presto"]
    assert matching["distractors"] == ["умеренно громко"]
    assert by_name(sample, "Порядок диезов").data == {
        "items": [
            {"id": "1", "text": "фа-диез"},
            {"id": "2", "text": "до-диез"},
            {"id": "3", "text": "соль-диез"},
            {"id": "4", "text": "ре-диез"},
        ]
    }
    essay = by_name(sample, "Эссе: Абылай-хан")
    assert essay.data == {
        "response_format": "rich",
        "attachments": 1,
        "min_words": 150,
        "grader_info": "<p>Отношения с Россией и Цинской империей, джунгарская угроза.</p>",
    }
    upload = by_name(sample, "Эскиз афиши")
    assert upload.qtype == "file"
    assert upload.data == {"accept": ["image", "pdf"], "max_files": 2}
    description = by_name(sample, "Инструкция")
    assert description.qtype == "description" and description.default_mark == 0.0


def test_cloze_long_and_short_gap_types(sample):
    khanate = by_name(sample, "Казахское ханство")
    assert khanate.text == (
        "<p>Казахское ханство образовано в {{1}} году; его основатели — Керей и {{2}}. "
        "Свод законов «Жеты жаргы» принят при {{3}}.</p>"
    )
    numerical, short, single = khanate.data["gaps"]
    assert numerical == {
        "id": "1",
        "kind": "numerical",
        "mark": 1.0,
        "answers": [
            {"value": 1465.0, "tolerance": 0.0, "fraction": 1.0, "feedback": "Верно!"},
            {"value": 1460.0, "tolerance": 10.0, "fraction": 0.5, "feedback": "Близко, но неточно"},
        ],
    }
    assert short["kind"] == "short" and short["case_sensitive"] is False
    assert short["answers"][1] == {
        "text": "Джанибек",
        "fraction": 0.5,
        "feedback": "Допустимое написание",
    }
    assert single["kind"] == "single" and single["mark"] == 2.0 and single["shuffle"] is False
    assert single["options"][1]["feedback"].startswith("Нет: при Касыме")
    assert khanate.default_mark == 4.0  # the sum of the gaps' marks
    independence = by_name(sample, "Независимость")
    assert [g["kind"] for g in independence.data["gaps"]] == ["short", "numerical", "single"]
    assert independence.data["gaps"][2]["shuffle"] is True  # MCS


def test_cloze_escapes_round_trip():
    text = "<p>A {2:SAC:=a\\}b#fb \\# x~%50%c\\~d} B {1:MC:=x~y#no}</p>"
    body, gaps = parse_cloze(text)
    assert body == "<p>A {{1}} B {{2}}</p>"
    assert gaps[0]["answers"][0] == {"text": "a}b", "fraction": 1.0, "feedback": "fb # x"}
    assert gaps[0]["answers"][1]["text"] == "c~d"
    assert gaps[0]["case_sensitive"] is True and gaps[0]["mark"] == 2.0
    assert parse_cloze(write_cloze(body, gaps)) == (body, gaps)


def test_malformed_questions_are_rejected_with_line_numbers():
    result = parse((SAMPLES / "moodle_malformed.xml").read_bytes(), format="moodlexml")
    assert [q.name for q in result.questions] == ["Верный"]
    assert result.questions[0].line == 45
    assert [(r.line, str(r.reason)) for r in result.rejected] == [
        (3, "The question type “calculated” is not supported."),
        (7, "One of the answers must be correct (worth full marks)."),
        (14, "A true/false question needs the answers “true” and “false”."),
        (19, "“четыреста сорок” is not a number."),
        (24, "Gap 1: multiple-response gaps (MULTIRESPONSE) are not supported."),
        (28, "A cloze question needs at least one gap such as {1:SHORTANSWER:=answer}."),
        (32, "A matching question needs at least two pairs."),
        (37, "An ordering question needs at least two items, none of them empty."),
        (42, "The question type “?” is not supported."),
    ]
    assert result.rejected[0].source == '<question type="calculated"> Формула'


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<quiz><question type="description"><name><text>&lol9;</text></name>
<questiontext><text>&lol9;</text></questiontext></question></quiz>"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="description"><name><text>&secret;</text></name></question></quiz>"""


@pytest.mark.parametrize("document", [BOMB, EXTERNAL], ids=["billion-laughs", "external-entity"])
def test_entity_bombs_and_external_entities_are_refused(document):
    with pytest.raises(ValidationFailed) as caught:
        xml(document)
    assert caught.value.code == "unreadable_file"
    assert "DTD" in str(caught.value.message)


def test_a_plain_doctype_is_refused_too():
    with pytest.raises(ValidationFailed):
        xml('<?xml version="1.0"?><!DOCTYPE quiz SYSTEM "http://example.com/q.dtd"><quiz/>')


def test_an_undefined_entity_and_malformed_xml_are_refused_with_the_line():
    with pytest.raises(ValidationFailed) as caught:
        xml(
            "<quiz>\n<question type='description'><name><text>&nbsp;</text></name>"
            "</question>\n</quiz>"
        )
    assert "line 2" in str(caught.value.message)
    with pytest.raises(ValidationFailed) as caught:
        xml("<quiz>\n\n<question></quiz>")
    assert "line 3" in str(caught.value.message)


def test_another_root_element_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        xml("<questions/>")
    assert "<quiz>" in str(caught.value.message)


def test_an_empty_quiz_has_no_questions():
    result = xml("<quiz></quiz>")
    assert result.questions == [] and result.rejected == []


# --- writing -----------------------------------------------------------------------------------


def test_round_trip_of_the_sample(sample):
    exported = export_moodlexml(sample.questions)
    assert exported.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    again = xml(exported)
    assert again.rejected == []
    assert again.questions == sample.questions
    assert [q.category for q in again.questions] == [q.category for q in sample.questions]


@pytest.mark.parametrize(
    "qtype",
    [
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
    ],
)
def test_round_trip_of_each_type(sample, qtype):
    questions = [q for q in sample.questions if q.qtype == qtype]
    assert questions
    assert xml(export_moodlexml(questions)).questions == questions


def test_export_escapes_markup_and_keeps_categories_apart(sample):
    questions = [by_name(sample, "Тритон"), by_name(sample, "Инструкция")]
    exported = export_moodlexml(questions).decode()
    assert "&lt;strong&gt;трёх тонов&lt;/strong&gt;" in exported
    assert exported.count('<question type="category">') == 2
    assert "<text>$course$/top/ИКТ</text>" in exported


def test_essay_attachment_limits_and_moodle_file_type_groups():
    template = """<quiz><question type="essay"><name><text>E</text></name>
    <questiontext format="html"><text>Upload</text></questiontext>
    <responseformat>{fmt}</responseformat><attachments>{n}</attachments>
    <filetypeslist>{kinds}</filetypeslist></question></quiz>"""
    (unlimited,) = xml(
        template.format(fmt="noinline", n=-1, kinds="web_image, .MP3 .pdf")
    ).questions
    assert unlimited.data == {"accept": ["image", "mp3", "pdf"], "max_files": 10}
    (essay,) = xml(template.format(fmt="editorfilepicker", n=-1, kinds="")).questions
    assert essay.qtype == "essay" and essay.data["attachments"] == 3
    (plain,) = xml(template.format(fmt="monospaced", n=0, kinds="")).questions
    assert plain.data["response_format"] == "plain" and plain.data["attachments"] == 0
    rejected = xml(template.format(fmt="noinline", n=0, kinds="")).rejected
    assert [str(r.reason) for r in rejected] == [
        "An essay without an answer box must allow attached files."
    ]


def test_title_falls_back_to_the_text_without_markup(sample):
    question = by_name(sample, "Тритон")
    assert question.title == "Тритон"
    untitled = type(question)(
        qtype="description", text="<p>Ноты&nbsp;и <b>паузы</b></p>", text_format="html"
    )
    assert untitled.title == "Ноты и паузы"
