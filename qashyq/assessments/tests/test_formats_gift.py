"""GIFT: every feature of Moodle's reader, rejections with line numbers, and round-trips."""

from pathlib import Path

import pytest

from qashyq.assessments.formats import export_gift, export_moodlexml, parse

pytestmark = [pytest.mark.usefixtures("english")]

SAMPLES = Path(__file__).resolve().parents[1] / "formats" / "samples"


def gift(text):
    return parse(text.encode("utf-8") if isinstance(text, str) else text, format="gift")


def one(text):
    result = gift(text)
    assert result.rejected == [], [str(r.reason) for r in result.rejected]
    (question,) = result.questions
    return question


@pytest.fixture(scope="module")
def sample():
    return parse((SAMPLES / "gift_kk.gift").read_bytes(), format="gift")


def by_name(result, name):
    return next(q for q in result.questions if q.name == name)


def test_sample_reads_every_question(sample):
    assert sample.rejected == []
    assert sample.counts() == {
        "single": 5,
        "multiple": 1,
        "truefalse": 3,
        "short": 2,
        "numerical": 6,
        "matching": 1,
        "cloze": 1,
        "essay": 1,
        "description": 1,
    }


def test_categories_titles_comments_and_tags(sample):
    first = by_name(sample, "Таза кварта")
    assert first.line == 8
    assert first.category == ("Музыка теориясы", "Интервалдар")
    assert first.tags == ("difficulty:easy", "тақырып:интервалдар")
    assert by_name(sample, "Хандықтың құрылуы").category == ("Қазақстан тарихы", "Қазақ хандығы")
    # "//" inside a category path is a slash in a name
    assert by_name(sample, "Сөздік").category == ("АКТ", "Бағдарламалау/Python")
    assert by_name(sample, "Октава").tags == ()


def test_multiple_choice_feedback_and_general_feedback(sample):
    question = by_name(sample, "Таза кварта")
    assert question.qtype == "single"
    assert question.text == "Таза кварта интервалында неше жартытон бар?"
    assert question.general_feedback == "Таза кварта 2,5 тоннан, яғни 5 жартытоннан тұрады."
    assert question.data["options"][0] == {
        "id": "a",
        "text": "5",
        "fraction": 1.0,
        "feedback": "Дұрыс: 2,5 тон = 5 жартытон.",
    }
    assert [o["fraction"] for o in question.data["options"]] == [1.0, 0.0, 0.0, 0.0]


def test_weights_and_penalties_make_a_multiple_answer_question(sample):
    question = by_name(sample, "Консонанстар")
    assert question.qtype == "multiple"
    assert [(o["text"], o["fraction"]) for o in question.data["options"]] == [
        ("таза квинта", 0.5),
        ("үлкен терция", 0.5),
        ("кіші секунда", -0.25),
        ("үлкейтілген кварта", -0.25),
    ]


def test_text_formats(sample):
    assert by_name(sample, "Кілттер").text_format == "html"
    assert by_name(sample, "Кілттер").text.startswith("<p>Нота <b>кілттерін</b>")
    allegro = by_name(sample, "Allegro")
    assert allegro.text_format == "markdown"
    assert allegro.text == "**Allegro** темпі нені білдіреді?"
    assert allegro.data["options"][3]["feedback"] == "Бұл — *Largo* немесе *Grave*."
    assert by_name(sample, "Excel формуласы").text_format == "plain"
    assert by_name(sample, "Тильда").text_format == "plain"  # [moodle]
    assert by_name(sample, "Октава").text_format == "plain"  # no marker


def test_escapes(sample):
    assert by_name(sample, "Сөздік").text == (
        "Python тілінде { } жақшалары қандай деректер түрін жасайды?"
    )
    assert by_name(sample, "Excel формуласы").text.startswith("Excel ұяшығына =A1+B1 деп")
    assert by_name(sample, "Тильда").text == "Linux жүйесінде ~ белгісі нені білдіреді?"
    assert by_name(sample, "Жол").text.startswith("Windows жолы C:\\Users\\student қанша")
    assert by_name(sample, "Нұсқаулық").text == (
        "Келесі сұрақтар Python тілі мен кестелік процессорлар туралы.\n"
        "Әр сұраққа мұқият жауап беріңіз."
    )
    link = by_name(sample, "Сілтеме")
    assert link.data["answers"][0] == {
        "text": "#",
        "fraction": 1.0,
        "feedback": 'Иә, мысалы href="#bolim".',
    }


def test_short_answer_with_partial_credit(sample):
    question = by_name(sample, "Жеті жарғы")
    assert question.qtype == "short"
    assert question.data == {
        "answers": [
            {"text": "Тәуке", "fraction": 1.0, "feedback": ""},
            {"text": "Тәуке хан", "fraction": 1.0, "feedback": ""},
            {"text": "Тауке", "fraction": 0.5, "feedback": "Дұрыс, бірақ қазақша жазылуы — Тәуке."},
        ],
        "case_sensitive": False,
    }


def test_true_false_with_feedback_for_each_answer(sample):
    true = by_name(sample, "Тәуелсіздік")
    assert true.data == {
        "correct": True,
        "feedback_true": "Дұрыс! Бұл күн — Тәуелсіздік күні.",
        "feedback_false": "Қате: тәуелсіздік дәл осы күні жарияланды.",
    }
    assert true.penalty == 1.0
    false = by_name(sample, "Жібек жолы")
    assert false.data["correct"] is False
    # {F#wrong#right}: the first feedback is for the wrong answer ("true").
    assert false.data["feedback_true"].startswith("Қате: Отырар")
    assert false.data["feedback_false"].startswith("Дұрыс, Жібек жолы")
    assert by_name(sample, "Астана").data["correct"] is True


@pytest.mark.parametrize("answer", ["T", "TRUE", "true", "F", "FALSE", "False"])
def test_true_false_spellings(answer):
    assert one(f"Домбыра — ішекті аспап.{{{answer}}}").data["correct"] is answer.upper().startswith(
        "T"
    )


def test_numerical_tolerance_range_and_several_answers(sample):
    assert by_name(sample, "Ля жиілігі").data["answers"] == [
        {"value": 440.0, "tolerance": 0.5, "fraction": 1.0, "feedback": ""}
    ]
    hearing = by_name(sample, "Есту шегі")
    assert hearing.data["answers"][0]["value"] == 18.0
    assert hearing.data["answers"][0]["tolerance"] == 2.0
    assert hearing.general_feedback == "Жасқа қарай бұл шек төмендейді."
    assert by_name(sample, "Пи саны").data["answers"] == [
        {"value": 3.14, "tolerance": 0.005, "fraction": 1.0, "feedback": "Дұрыс."},
        {
            "value": 3.1,
            "tolerance": 0.05,
            "fraction": 0.5,
            "feedback": "Жартылай дұрыс: дәлдік жеткіліксіз.",
        },
    ]
    assert one("Пи?{#3.14:0.01}").data["answers"][0]["tolerance"] == 0.01
    assert one("Теріс?{#-5..-1}").data["answers"][0]["value"] == -3.0


def test_numerical_other_answer_feedback_is_dropped():
    question = one("Октава неше тон?{#=6#Дұрыс ~#Қайта санаңыз}")
    assert question.data["answers"] == [
        {"value": 6.0, "tolerance": 0.0, "fraction": 1.0, "feedback": "Дұрыс"}
    ]


def test_matching_with_a_distractor(sample):
    assert by_name(sample, "Кілттер").data == {
        "pairs": [
            {"id": "1", "prompt": "Скрипка кілті", "answer": "бірінші октаваның «соль» дыбысы"},
            {"id": "2", "prompt": "Бас кілті", "answer": "кіші октаваның «фа» дыбысы"},
            {"id": "3", "prompt": "Альт кілті", "answer": "бірінші октаваның «до» дыбысы"},
        ],
        "distractors": ["екінші октаваның «ля» дыбысы"],
        "shuffle": True,
    }


def test_essay_description_and_missing_word(sample):
    essay = by_name(sample, "Сарыарқа")
    assert essay.qtype == "essay"
    assert essay.data == {
        "response_format": "rich",
        "attachments": 0,
        "min_words": 0,
        "grader_info": "",
    }
    description = by_name(sample, "Нұсқаулық")
    assert description.qtype == "description" and description.default_mark == 0.0
    cloze = by_name(sample, "Хандықтың құрылуы")
    assert cloze.qtype == "cloze"
    assert cloze.text == "Қазақ хандығы {{1}} жылы құрылды."
    (gap,) = cloze.data["gaps"]
    assert gap["kind"] == "single" and gap["mark"] == 1.0
    assert [(o["text"], o["fraction"]) for o in gap["options"]] == [
        ("1456", 0.0),
        ("1465", 1.0),
        ("1511", 0.0),
        ("1598", 0.0),
    ]
    assert gap["options"][1]["feedback"] == "Дұрыс!"


def test_missing_word_short_and_numerical_gaps_and_other_types_keep_a_blank():
    short = one("Қазақстанның астанасы {=Астана =Astana} қаласы.")
    assert short.text == "Қазақстанның астанасы {{1}} қаласы."
    assert short.data["gaps"][0]["kind"] == "short"
    assert short.data["gaps"][0]["answers"][1]["text"] == "Astana"
    number = one("Октавада {#6} тон бар.")
    assert number.data["gaps"][0]["kind"] == "numerical"
    tf = one("Домбырада {T} екі ішек бар.")
    assert tf.qtype == "truefalse" and tf.text == "Домбырада _____ екі ішек бар."


def test_blank_lines_with_spaces_separate_questions_and_comment_blocks_are_skipped():
    text = (
        "// тек түсініктеме\n// [tag:ignored]\n\n"
        "Бірінші?{=а ~ә}\n   \t\n"
        "// [tag:екінші]\nЕкінші?{T}\r\n\r\n"
    )
    result = gift(text)
    assert [q.text for q in result.questions] == ["Бірінші?", "Екінші?"]
    assert [q.line for q in result.questions] == [4, 7]
    assert result.questions[0].tags == () and result.questions[1].tags == ("екінші",)


def test_a_byte_order_mark_and_windows_1251_are_read():
    text = "Как называется постепенное усиление громкости?{=crescendo}"
    assert one(b"\xef\xbb\xbf" + text.encode()).text.startswith("Как называется")
    assert one(text.encode("cp1251")).data["answers"][0]["text"] == "crescendo"


def test_malformed_questions_are_rejected_with_line_numbers_and_reading_goes_on():
    result = parse((SAMPLES / "gift_malformed.gift").read_bytes(), format="gift")
    assert [q.name for q in result.questions] == ["Дұрыс сұрақ", "Соңғы дұрыс"]
    assert [(r.line, str(r.reason)) for r in result.rejected] == [
        (
            3,
            "Unbalanced braces: the answers must be enclosed in { and }; write \\{ and \\} "
            "for braces in the text.",
        ),
        (7, "The question has no correct answer."),
        (9, "“төрт жүз қырық” is not a number."),
        (11, "A matching question needs at least two pairs."),
        (13, "Every answer of a matching question must be written “=item -> match”."),
        (
            15,
            "The positive weights of a multiple-answer question must add up to 100 percent "
            "(they add up to 80).",
        ),
        (
            17,
            "A question can have only one answer block { … }; write \\{ and \\} for braces in "
            "the text, and separate questions with a blank line.",
        ),
        (19, "One of the answers must be worth full marks."),
        (21, "A multiple-choice question needs at least two answers."),
    ]
    assert result.rejected[0].source.startswith("::Жабылмаған жақша::")


def test_a_range_upside_down_and_a_closing_brace_first_are_rejected():
    assert str(gift("Ауқым?{#5..1}").rejected[0].reason) == "The range 5..1 is empty."
    assert gift("Жақша } бірінші {=а}").rejected[0].line == 1


# --- writing -----------------------------------------------------------------------------------


def test_round_trip_of_the_sample(sample):
    again = parse(export_gift(sample.questions).encode(), format="gift")
    assert again.rejected == []
    assert again.questions == sample.questions


@pytest.mark.parametrize(
    "qtype",
    [
        "single",
        "multiple",
        "truefalse",
        "short",
        "numerical",
        "matching",
        "cloze",
        "essay",
        "description",
    ],
)
def test_round_trip_of_each_type(sample, qtype):
    questions = [q for q in sample.questions if q.qtype == qtype]
    assert questions
    again = parse(export_gift(questions).encode(), format="gift").questions
    assert again == questions


def test_the_sample_survives_moodle_xml_too(sample):
    again = parse(export_moodlexml(sample.questions), format="moodlexml")
    assert again.rejected == []
    assert again.questions == sample.questions


def test_special_characters_survive_the_writer():
    question = one("::a\\:b \\{x\\}::Мәтін \\~ \\= \\# \\\\ \\n соңы{=ж\\=1#пікір \\# ~қ}")
    assert question.name == "a:b {x}"
    assert question.text == "Мәтін ~ = # \\ \n соңы"
    assert one(export_gift([question])) == question


def test_types_gift_cannot_express_are_left_out_with_a_comment():
    xml = (SAMPLES / "moodle_ru.xml").read_bytes()
    questions = parse(xml, format="moodlexml").questions
    text = export_gift(questions)
    assert "// Not exported (GIFT has no ordering questions): Порядок диезов" in text
    assert "// Not exported (GIFT has no file questions): Эскиз афиши" in text
    assert "several gaps" in text
    again = gift(text)
    assert again.rejected == []
    assert len(again.questions) == len(questions) - 4


def test_several_numerical_answers_on_one_line_and_a_question_without_text():
    question = one("Пи?{# =3.14:0.01 =%50%3.1:0.1}")
    assert [(a["value"], a["tolerance"], a["fraction"]) for a in question.data["answers"]] == [
        (3.14, 0.01, 1.0),
        (3.1, 0.1, 0.5),
    ]
    result = gift("::Атауы ғана::{=а ~ә}")
    assert [(r.line, str(r.reason)) for r in result.rejected] == [(1, "The question has no text.")]


@pytest.mark.parametrize("text", ["[html] тег емес", "// түсініктеме емес", "$CATEGORY: емес"])
def test_texts_that_look_like_gift_syntax_survive_the_writer(text):
    from qashyq.assessments.formats import ParsedQuestion

    question = ParsedQuestion(qtype="essay", text=text, data=one("x{}").data)
    assert one(export_gift([question])) == question


def test_reasons_are_translated_when_shown_not_when_read():
    from django.utils.functional import Promise

    result = parse((SAMPLES / "gift_malformed.gift").read_bytes(), format="gift")
    assert result.rejected
    assert all(isinstance(r.reason, Promise) for r in result.rejected)
