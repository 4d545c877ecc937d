"""GIFT, Moodle's question text format: reader and writer.

Follows Moodle's reader (question/format/gift/format.php): questions are separated by blank
lines; ``//`` starts a comment line (``// [tag:name]`` in a comment tags the question);
``$CATEGORY: path`` switches the category; ``::title::``; ``[html]``/``[markdown]``/``[plain]``/
``[moodle]`` before a text sets its format; ``\\~ \\= \\# \\{ \\} \\: \\\\ \\n`` are escapes;
the answer block ``{…}`` decides the type. Where Moodle's own question types would refuse the
question on saving (no answer worth 100%, weights of a multiple-answer question not adding up to
100%…) the question is rejected here, with its line number, and reading goes on.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from .base import (
    ParsedQuestion,
    ParseResult,
    Reject,
    check_choice,
    check_graded_answers,
    check_matching,
    fraction,
    join_category_path,
    lazy_format,
    option_id,
    rejected,
    same,
    split_category_path,
)

__all__ = ["export_gift", "parse_gift"]

# Escaped characters become private-use placeholders while the structure is parsed.
_ESCAPES = {
    "\\": "\ue000",
    ":": "\ue001",
    "#": "\ue002",
    "=": "\ue003",
    "{": "\ue004",
    "}": "\ue005",
    "~": "\ue006",
    "n": "\ue007",
}
_UNESCAPE = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}
_ESCAPE_RE = re.compile(r"\\([\\:#={}~n])")
_GAP = "\ue010"  # where the answer block of a missing-word question stood

_FORMATS = {"html": "html", "markdown": "markdown", "plain": "plain", "moodle": "plain"}
_WEIGHT_RE = re.compile(r"^%\s*(-?\d+(?:[.,]\d*)?)\s*%")
_NUMBER_RE = re.compile(r"^[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?$")
_TAG_RE = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f])+)\]")
_TF = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def _pre(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(1)], text)


def _post(text: str) -> str:
    for placeholder, char in _UNESCAPE.items():
        text = text.replace(placeholder, char)
    return text


def _with_format(text: str, default: str) -> tuple[str, str]:
    """Strip a leading ``[html]``-style format marker; unescape; trim."""
    text = text.strip()
    fmt = default
    if text.startswith("["):
        end = text.find("]")
        name = text[1:end].strip().lower() if end > 0 else ""
        if name in _FORMATS:
            fmt = _FORMATS[name]
            text = text[end + 1 :]
    return _post(text).strip(), fmt


def _weight(answer: str, default: float) -> tuple[float, str]:
    match = _WEIGHT_RE.match(answer)
    if not match:
        return default, answer
    return fraction(float(match.group(1).replace(",", ".")) / 100), answer[match.end() :]


def _feedback(answer: str, fmt: str) -> tuple[str, str]:
    text, _sep, feedback = answer.partition("#")
    return _with_format(text, fmt)[0], _with_format(feedback, fmt)[0]


def _number(text: str) -> float:
    text = _post(text).strip()
    if not _NUMBER_RE.match(text):
        raise Reject(lazy_format(_("“%(value)s” is not a number."), {"value": text[:40]}))
    return float(text.replace(",", "."))


# --- reading ---------------------------------------------------------------------------------


def parse_gift(text: str) -> ParseResult:
    """Parse GIFT text (already decoded)."""
    result = ParseResult()
    category: tuple[str, ...] = ()
    block: list[tuple[int, str]] = []
    for number, raw in enumerate([*text.split("\n"), ""], start=1):
        line = raw.strip()
        if line:
            block.append((number, line))
        elif block:
            category = _read_block(block, category, result)
            block = []
    return result


def _read_block(
    block: list[tuple[int, str]], category: tuple[str, ...], result: ParseResult
) -> tuple[str, ...]:
    comments = "\n".join(line for _n, line in block if line.startswith("//"))
    content = [(n, line) for n, line in block if not line.startswith("//")]
    if not content:
        return category
    source = "\n".join(line for _n, line in block)
    line_number = content[0][0]
    text = _pre("\n".join(line for _n, line in content))
    if text.startswith("$CATEGORY:"):
        first, _sep, rest = text.partition("\n")
        category = split_category_path(_post(first[len("$CATEGORY:") :]).strip())
        if not rest.strip():
            return category
        text = rest.strip()
        line_number = content[1][0]
    tags = tuple(dict.fromkeys(t.replace("\\]", "]").strip() for t in _TAG_RE.findall(comments)))
    try:
        question = _read_question(text, category, tuple(t for t in tags if t), line_number)
    except Reject as exc:
        result.rejected.append(rejected(line_number, exc.reason, source))
    else:
        result.questions.append(question)
    return category


def _read_question(
    text: str, category: tuple[str, ...], tags: tuple[str, ...], line: int
) -> ParsedQuestion:
    name = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end >= 0:
            name = " ".join(_post(text[2:end]).split())
            text = text[end + 2 :].strip()
        else:
            text = text[2:].strip()

    start, finish = text.find("{"), text.find("}")
    description = start < 0 and finish < 0
    missing_word = False
    if description:
        question_text, answers = text, ""
    else:
        if start < 0 or finish < 0 or finish < start:
            raise Reject(
                _(
                    "Unbalanced braces: the answers must be enclosed in { and }; write \\{ and "
                    "\\} for braces in the text."
                )
            )
        if text.find("{", start + 1) >= 0 or text.find("}", finish + 1) >= 0:
            raise Reject(
                _(
                    "A question can have only one answer block { … }; write \\{ and \\} for "
                    "braces in the text, and separate questions with a blank line."
                )
            )
        answers = text[start + 1 : finish].strip()
        if text.endswith("}"):
            question_text = text[:start]
        else:
            missing_word = True
            question_text = text[:start] + _GAP + text[finish + 1 :]

    general = ""
    separator = answers.rfind("####")
    if separator >= 0:
        general = answers[separator + 4 :]
        answers = answers[:separator].strip()

    question_text, fmt = _with_format(question_text, "plain")
    if not question_text.replace(_GAP, "").strip() and not missing_word:
        raise Reject(_("The question has no text."))
    general, _fmt = _with_format(general, fmt)
    common: dict[str, Any] = {
        "name": name,
        "text_format": fmt,
        "general_feedback": general,
        "category": category,
        "tags": tags,
        "line": line,
    }

    def make(qtype: str, data: dict, **extra) -> ParsedQuestion:
        body = question_text.replace(_GAP, "_____")
        return ParsedQuestion(qtype=qtype, text=body, data=data, **{**common, **extra})

    def gap(kind: str, gap_data: dict) -> ParsedQuestion:
        body = question_text.replace(_GAP, "{{1}}")
        data = {"gaps": [{"id": "1", "kind": kind, "mark": 1.0, **gap_data}]}
        return ParsedQuestion(qtype="cloze", text=body, data=data, **common)

    if description:
        return make("description", {}, default_mark=0.0)
    if answers == "":
        return make(
            "essay",
            {"response_format": "rich", "attachments": 0, "min_words": 0, "grader_info": ""},
        )
    if answers.startswith("#"):
        data = {"answers": _numerical_answers(answers[1:], fmt)}
        return gap("numerical", data) if missing_word else make("numerical", data)
    if "~" in answers:
        single = "=" in answers
        options = _choice_options(answers, fmt)
        check_choice(options, single=single)
        data = {"options": options, "shuffle": True}
        if single and missing_word:
            return gap("single", data)
        return make("single" if single else "multiple", data)
    if "=" in answers and "->" in answers:
        return make("matching", _matching(answers, fmt))
    verdict = answers.split("#", 1)[0].strip() if "#" in answers else answers
    if verdict.upper() in _TF:
        _verdict, wrong, right = [*answers.split("#", 2), "", ""][:3]
        wrong, right = _with_format(wrong, fmt)[0], _with_format(right, fmt)[0]
        correct = _TF[verdict.upper()]
        return make(
            "truefalse",
            {
                "correct": correct,
                "feedback_true": right if correct else wrong,
                "feedback_false": wrong if correct else right,
            },
            penalty=1.0,
        )
    data = {"answers": _short_answers(answers, fmt), "case_sensitive": False}
    return gap("short", data) if missing_word else make("short", data)


def _split(answers: str, marker: str) -> list[str]:
    parts = answers.split(marker)
    if parts and not parts[0].strip():
        parts = parts[1:]
    return [part.strip() for part in parts]


def _choice_options(answers: str, fmt: str) -> list[dict]:
    options = []
    for index, answer in enumerate(_split(answers.replace("=", "~="), "~")):
        if answer.startswith("="):
            weight, answer = 1.0, answer[1:]
        else:
            weight, answer = _weight(answer, 0.0)
        text, feedback = _feedback(answer, fmt)
        options.append(
            {"id": option_id(index), "text": text, "fraction": weight, "feedback": feedback}
        )
    return options


def _short_answers(answers: str, fmt: str) -> list[dict]:
    result = []
    for answer in _split(answers, "="):
        weight, answer = _weight(answer, 1.0)
        text, feedback = _feedback(answer, fmt)
        result.append({"text": text, "fraction": weight, "feedback": feedback})
    check_graded_answers(result)
    return result


def _numerical_answers(answers: str, fmt: str) -> list[dict]:
    # "~#feedback" after the answers is Moodle's feedback for any other answer (an answer "*"
    # worth 0); the contract has no place for it, so it is dropped.
    answers = answers.split("~", 1)[0]
    result = []
    for answer in _split(answers, "="):
        weight, answer = _weight(answer, 1.0)
        value_text, _sep, feedback = answer.partition("#")
        feedback = _with_format(feedback, fmt)[0]
        value_text = value_text.strip()
        if value_text == "*":
            continue
        if ".." in value_text[1:]:
            low, high = value_text.split("..", 1)
            low_value, high_value = _number(low), _number(high)
            if high_value < low_value:
                raise Reject(
                    lazy_format(_("The range %(range)s is empty."), {"range": _post(value_text)})
                )
            value = (low_value + high_value) / 2
            tolerance = high_value - value
        elif ":" in value_text[1:]:
            value_part, tolerance_part = value_text.split(":", 1)
            value, tolerance = _number(value_part), abs(_number(tolerance_part))
        else:
            value, tolerance = _number(value_text), 0.0
        result.append(
            {"value": value, "tolerance": tolerance, "fraction": weight, "feedback": feedback}
        )
    check_graded_answers(result, numerical=True)
    return result


def _matching(answers: str, fmt: str) -> dict:
    pairs, distractors = [], []
    for answer in _split(answers, "="):
        if "->" not in answer:
            raise Reject(_("Every answer of a matching question must be written “=item -> match”."))
        prompt, _sep, match = answer.partition("->")
        prompt = _with_format(prompt, fmt)[0]
        match = " ".join(_post(match).split())
        if prompt:
            pairs.append({"id": str(len(pairs) + 1), "prompt": prompt, "answer": match})
        elif match:
            distractors.append(match)
    check_matching(pairs)
    return {"pairs": pairs, "distractors": distractors, "shuffle": True}


# --- writing ---------------------------------------------------------------------------------

_WRITE_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "#": "\\#",
        "=": "\\=",
        "~": "\\~",
        "{": "\\{",
        "}": "\\}",
        ":": "\\:",
        "\n": "\\n",
        "\r": "",
    }
)


def _esc(text: str) -> str:
    return text.translate(_WRITE_ESCAPES)


def _pct(value: float) -> str:
    return f"{round(value * 100, 5):.5f}".rstrip("0").rstrip(".")


def _num(value: float) -> str:
    return repr(float(value))


def export_gift(questions: list[ParsedQuestion]) -> str:
    """Write questions as GIFT. Types GIFT cannot express (ordering, file response, cloze with
    more than one gap) are left out, each with a comment line saying so."""
    out: list[str] = []
    category: tuple[str, ...] = ()
    for question in questions:
        if question.category != category:
            category = question.category
            out.append(f"$CATEGORY: {join_category_path(category)}\n")
        out.append(_write(question))
    return "\n".join(out)


def _write(q: ParsedQuestion) -> str:
    lines = [f"// [tag:{tag.replace(']', '\\]')}]" for tag in q.tags]
    head = f"::{_esc(q.name)}::" if q.name else ""
    prefix = "" if q.text_format == "plain" else f"[{q.text_format}]"
    if not prefix and q.text.startswith("["):
        prefix = "[plain]"  # so a text such as "[html] …" is not read as a format marker
    if not head and (prefix + q.text).startswith("//"):
        head = "::::"  # an empty title, so the line is not read as a comment
    general = f"\t####{_esc(q.general_feedback)}\n" if q.general_feedback else ""
    data = q.data

    def skipped(reason: str) -> str:
        title = " ".join(q.title.split())
        return "\n".join([*lines, f"// Not exported ({reason}): {title}"]) + "\n"

    def body(answer_block: str, text: str | None = None) -> str:
        return "\n".join([*lines, head + prefix + _esc(q.text if text is None else text)]) + (
            answer_block + "\n" if answer_block else "\n"
        )

    if q.qtype == "description":
        return body("")
    if q.qtype == "essay":
        return body("{" + general.strip() + "}")
    if q.qtype == "truefalse":
        correct = bool(data.get("correct"))
        right = data.get("feedback_true" if correct else "feedback_false", "")
        wrong = data.get("feedback_false" if correct else "feedback_true", "")
        block = "{" + ("TRUE" if correct else "FALSE")
        if wrong or right:
            block += "#" + _esc(wrong)
        if right:
            block += "#" + _esc(right)
        return body(block + general.strip() + "}")
    if q.qtype in ("single", "multiple"):
        return body(
            "{\n" + _choice_block(data["options"], single=q.qtype == "single") + general + "}"
        )
    if q.qtype == "short":
        return body("{\n" + _short_block(data["answers"]) + general + "}")
    if q.qtype == "numerical":
        return body("{#\n" + _numerical_block(data["answers"]) + general + "}")
    if q.qtype == "matching":
        rows = [f"\t={_esc(p['prompt'])} -> {_esc(p['answer'])}\n" for p in data["pairs"]]
        rows += [f"\t= -> {_esc(d)}\n" for d in data.get("distractors", [])]
        return body("{\n" + "".join(rows) + general + "}")
    if q.qtype == "cloze":
        gaps = data.get("gaps", [])
        if len(gaps) != 1 or q.text.count("{{1}}") != 1:
            return skipped("a cloze question with several gaps cannot be written in GIFT")
        gap = gaps[0]
        if gap["kind"] == "single":
            block = "{\n" + _choice_block(gap["options"], single=True) + general + "}"
        elif gap["kind"] == "short":
            block = "{\n" + _short_block(gap["answers"]) + general + "}"
        else:
            block = "{#\n" + _numerical_block(gap["answers"]) + general + "}"
        before, after = q.text.split("{{1}}")
        text = head + prefix + _esc(before) + block + _esc(after)
        return "\n".join([*lines, text]) + "\n"
    return skipped(f"GIFT has no {q.qtype} questions")


def _choice_block(options: list[dict], *, single: bool) -> str:
    rows = []
    for option in options:
        weight = option["fraction"]
        if single and same(weight, 1):
            mark = "="
        elif same(weight, 0):
            mark = "~"
        else:
            mark = f"~%{_pct(weight)}%"
        row = f"\t{mark}{_esc(option['text'])}"
        if option.get("feedback"):
            row += "#" + _esc(option["feedback"])
        rows.append(row + "\n")
    return "".join(rows)


def _short_block(answers: list[dict]) -> str:
    rows = []
    for answer in answers:
        weight = "" if same(answer["fraction"], 1) else f"%{_pct(answer['fraction'])}%"
        row = f"\t={weight}{_esc(answer['text'])}"
        if answer.get("feedback"):
            row += "#" + _esc(answer["feedback"])
        rows.append(row + "\n")
    return "".join(rows)


def _numerical_block(answers: list[dict]) -> str:
    rows = []
    for answer in answers:
        weight = "" if same(answer["fraction"], 1) else f"%{_pct(answer['fraction'])}%"
        row = f"\t={weight}{_num(answer['value'])}:{_num(answer['tolerance'])}"
        if answer.get("feedback"):
            row += "#" + _esc(answer["feedback"])
        rows.append(row + "\n")
    return "".join(rows)
