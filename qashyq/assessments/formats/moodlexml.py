"""Moodle XML question files: reader and writer.

Reads ``<quiz>`` with ``<question type="…">`` of the types category, multichoice, truefalse,
shortanswer, numerical, matching, ordering, essay, description and cloze (Moodle's embedded
answers); any other type is rejected with a reason. The XML is parsed with a DTD refused
outright (see ``base.parse_xml``), so entity bombs and external entities never load.
"""

from __future__ import annotations

import html
import re
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from django.utils.translation import gettext_lazy as _

from .base import (
    DEFAULT_PENALTY,
    ParsedQuestion,
    ParseResult,
    Reject,
    check_choice,
    check_graded_answers,
    check_matching,
    element_line,
    fraction,
    join_category_path,
    lazy_format,
    option_id,
    parse_xml,
    rejected,
    same,
    split_category_path,
    unreadable,
)

__all__ = ["export_moodlexml", "parse_cloze", "parse_moodlexml", "write_cloze"]

_FORMAT_IN = {
    "html": "html",
    "moodle_auto_format": "plain",
    "plain_text": "plain",
    "markdown": "markdown",
}
_FORMAT_OUT = {"html": "html", "plain": "plain_text", "markdown": "markdown"}
_FILE_GROUPS = {"image", "audio", "video", "document", "archive", "spreadsheet", "presentation"}
# Moodle's narrower file type groups, read as the contract's groups.
_FILE_ALIASES = {
    "web_image": "image",
    "web_audio": "audio",
    "html_audio": "audio",
    "web_video": "video",
    "html_video": "video",
    "media_source": "video",
}
_MAX_ATTACHMENTS = 3  # essay: attachments 0..3
_MAX_FILES = 10  # file response: max_files 1..10


# --- reading ---------------------------------------------------------------------------------


def _text(elem: Element | None) -> str:
    if elem is None:
        return ""
    inner = elem.find("text")
    return (inner.text or "").strip() if inner is not None else ""


def _value(elem: Element, tag: str, default: str = "") -> str:
    found = elem.find(tag)
    if found is None or found.text is None:
        return default
    return found.text.strip()


def _float(text: str, default: float) -> float:
    if text == "":
        return default
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise Reject(lazy_format(_("“%(value)s” is not a number."), {"value": text[:40]})) from None


def _bool(text: str, default: bool) -> bool:
    if text == "":
        return default
    return text.strip().lower() in ("1", "true", "yes")


def _fraction(elem: Element) -> float:
    return fraction(_float(elem.get("fraction", "0"), 0.0) / 100)


def parse_moodlexml(data: bytes) -> ParseResult:
    root = parse_xml(data)
    if root.tag != "quiz":
        raise unreadable(
            _("This is not a Moodle XML question file: its root element must be <quiz>.")
        )
    result = ParseResult()
    category: tuple[str, ...] = ()
    for elem in root:
        if elem.tag != "question":
            continue
        qtype = elem.get("type", "").strip()
        line = element_line(elem)
        if qtype == "category":
            category = split_category_path(_text(elem.find("category")))
            continue
        try:
            question = _read_question(elem, qtype, category, line)
        except Reject as exc:
            source = f'<question type="{qtype}"> {_text(elem.find("name"))}'
            result.rejected.append(rejected(exc.line or line, exc.reason, source))
        else:
            result.questions.append(question)
    return result


def _read_question(
    elem: Element, qtype: str, category: tuple[str, ...], line: int
) -> ParsedQuestion:
    reader = _READERS.get(qtype)
    if reader is None:
        raise Reject(
            lazy_format(_("The question type “%(type)s” is not supported."), {"type": qtype or "?"})
        )
    text_elem = elem.find("questiontext")
    text_format = _FORMAT_IN.get(
        text_elem.get("format", "html") if text_elem is not None else "html", "html"
    )
    tags = tuple(dict.fromkeys(t for t in (_text(tag) for tag in elem.findall("tags/tag")) if t))
    fields: dict[str, Any] = {
        "name": " ".join(_text(elem.find("name")).split()),
        "text": _text(text_elem),
        "text_format": text_format,
        "general_feedback": _text(elem.find("generalfeedback")),
        "default_mark": fraction(_float(_value(elem, "defaultgrade"), 1.0)),
        "penalty": fraction(_float(_value(elem, "penalty"), DEFAULT_PENALTY)),
        "category": category,
        "tags": tags,
        "line": line,
    }
    if not fields["text"]:
        raise Reject(_("The question has no text."))
    qtype, data, extra = reader(elem, fields)
    return ParsedQuestion(qtype=qtype, data=data, **{**fields, **extra})


def _read_multichoice(elem: Element, fields: dict):
    single = _bool(_value(elem, "single"), True)
    options = [
        {
            "id": option_id(index),
            "text": _text(answer),
            "fraction": _fraction(answer),
            "feedback": _text(answer.find("feedback")),
        }
        for index, answer in enumerate(elem.findall("answer"))
    ]
    check_choice(options, single=single)
    shuffle = _bool(_value(elem, "shuffleanswers"), True)
    return ("single" if single else "multiple"), {"options": options, "shuffle": shuffle}, {}


def _read_truefalse(elem: Element, fields: dict):
    answers = {_text(a).lower(): a for a in elem.findall("answer")}
    true, false = answers.get("true"), answers.get("false")
    if true is None or false is None:
        raise Reject(_("A true/false question needs the answers “true” and “false”."))
    correct = same(_fraction(true), 1)
    if correct == same(_fraction(false), 1):
        raise Reject(_("Exactly one of “true” and “false” must be the correct answer."))
    data = {
        "correct": correct,
        "feedback_true": _text(true.find("feedback")),
        "feedback_false": _text(false.find("feedback")),
    }
    return "truefalse", data, {}


def _read_shortanswer(elem: Element, fields: dict):
    answers = [
        {
            "text": _text(answer),
            "fraction": _fraction(answer),
            "feedback": _text(answer.find("feedback")),
        }
        for answer in elem.findall("answer")
    ]
    check_graded_answers(answers)
    case_sensitive = _bool(_value(elem, "usecase"), False)
    return "short", {"answers": answers, "case_sensitive": case_sensitive}, {}


def _read_numerical(elem: Element, fields: dict):
    answers = []
    for answer in elem.findall("answer"):
        value = _text(answer)
        if value == "*":  # "any other answer": only carries feedback, dropped
            continue
        if value == "":
            raise Reject(_("A numerical question needs at least one numeric answer."))
        answers.append(
            {
                "value": _float(value, 0.0),
                "tolerance": abs(_float(_value(answer, "tolerance"), 0.0)),
                "fraction": _fraction(answer),
                "feedback": _text(answer.find("feedback")),
            }
        )
    check_graded_answers(answers, numerical=True)
    return "numerical", {"answers": answers}, {}


def _read_matching(elem: Element, fields: dict):
    pairs, distractors = [], []
    for sub in elem.findall("subquestion"):
        prompt = _text(sub)
        answer = " ".join(_text(sub.find("answer")).split())
        if prompt:
            pairs.append({"id": str(len(pairs) + 1), "prompt": prompt, "answer": answer})
        elif answer:
            distractors.append(answer)
    check_matching(pairs)
    shuffle = _bool(_value(elem, "shuffleanswers"), True)
    return "matching", {"pairs": pairs, "distractors": distractors, "shuffle": shuffle}, {}


def _read_ordering(elem: Element, fields: dict):
    items = [
        {"id": str(index + 1), "text": _text(answer)}
        for index, answer in enumerate(elem.findall("answer"))
    ]
    if len(items) < 2 or any(not item["text"] for item in items):
        raise Reject(_("An ordering question needs at least two items, none of them empty."))
    return "ordering", {"items": items}, {}


def _read_essay(elem: Element, fields: dict):
    response_format = _value(elem, "responseformat", "editor")
    allowed = int(_float(_value(elem, "attachments"), 0.0))  # -1: unlimited
    if response_format == "noinline":
        if allowed == 0:
            raise Reject(_("An essay without an answer box must allow attached files."))
        kinds = [
            _FILE_ALIASES.get(name, name)
            for name in (
                kind.strip().lstrip(".").lower()
                for kind in re.split(r"[,;\s]+", _value(elem, "filetypeslist"))
            )
            if name
        ]
        max_files = _MAX_FILES if allowed < 0 else min(allowed, _MAX_FILES)
        data = {"accept": list(dict.fromkeys(kinds)) or ["image", "audio", "pdf"]}
        return "file", {**data, "max_files": max_files}, {}
    attachments = _MAX_ATTACHMENTS if allowed < 0 else min(allowed, _MAX_ATTACHMENTS)
    data = {
        "response_format": "plain" if response_format in ("plain", "monospaced") else "rich",
        "attachments": attachments,
        "min_words": max(0, int(_float(_value(elem, "minwordlimit"), 0.0))),
        "grader_info": _text(elem.find("graderinfo")),
    }
    return "essay", data, {}


def _read_description(elem: Element, fields: dict):
    return "description", {}, {"default_mark": 0.0}


def _read_cloze(elem: Element, fields: dict):
    text, gaps = parse_cloze(fields["text"])
    mark = fraction(sum(gap["mark"] for gap in gaps))
    return "cloze", {"gaps": gaps}, {"text": text, "default_mark": mark}


_READERS = {
    "multichoice": _read_multichoice,
    "truefalse": _read_truefalse,
    "shortanswer": _read_shortanswer,
    "numerical": _read_numerical,
    "matching": _read_matching,
    "match": _read_matching,
    "ordering": _read_ordering,
    "essay": _read_essay,
    "description": _read_description,
    "cloze": _read_cloze,
    "multianswer": _read_cloze,
}


# --- cloze (embedded answers) ----------------------------------------------------------------

_GAP_START_RE = re.compile(r"\{(\d*):([A-Za-z_]+):")
_KINDS = {
    **dict.fromkeys(["NUMERICAL", "NM"], ("numerical", {})),
    **dict.fromkeys(["SHORTANSWER", "SA", "MW"], ("short", {"case_sensitive": False})),
    **dict.fromkeys(["SHORTANSWER_C", "SAC", "MWC"], ("short", {"case_sensitive": True})),
    **dict.fromkeys(
        ["MULTICHOICE", "MC", "MULTICHOICE_V", "MCV", "MULTICHOICE_H", "MCH"],
        ("single", {"shuffle": False}),
    ),
    **dict.fromkeys(
        ["MULTICHOICE_S", "MCS", "MULTICHOICE_VS", "MCVS", "MULTICHOICE_HS", "MCHS"],
        ("single", {"shuffle": True}),
    ),
}
_MULTIRESPONSE = {"MULTIRESPONSE", "MR", "MULTIRESPONSE_H", "MRH", "MULTIRESPONSE_S", "MRS"}
_MULTIRESPONSE |= {"MULTIRESPONSE_HS", "MRHS"}
_CLOZE_NUMBER_RE = re.compile(
    r"^(-?(?:\d+[.,]?\d*|[.,]\d+)(?:[eE][-+]?\d+)?)(?::(-?(?:\d+[.,]?\d*|[.,]\d+)(?:[eE][-+]?\d+)?))?$"
)
_CLOZE_WEIGHT_RE = re.compile(r"^(=|%(-?\d+(?:[.,]\d*)?)%)")


def _split_unescaped(text: str, char: str, maxsplit: int = -1) -> list[str]:
    parts, current, index = [], [], 0
    while index < len(text):
        ch = text[index]
        if ch == "\\" and index + 1 < len(text):
            current.append(text[index : index + 2])
            index += 2
            continue
        if ch == char and (maxsplit < 0 or len(parts) < maxsplit):
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        index += 1
    parts.append("".join(current))
    return parts


def _unescape_cloze(text: str) -> str:
    text = re.sub(r"\\([}#~/\"\\])", r"\1", text)
    return html.unescape(text).strip()


def parse_cloze(text: str) -> tuple[str, list[dict]]:
    """Moodle's embedded answers (``{1:SHORTANSWER:=answer#feedback~%50%other}``) in ``text``.

    Returns the text with ``{{1}}``, ``{{2}}``… in place of the gaps, and the gaps.
    Raises ``Reject`` for a gap that cannot be read.
    """
    out: list[str] = []
    gaps: list[dict] = []
    position = 0
    for match in _GAP_START_RE.finditer(text):
        if match.start() < position:
            continue
        # The gap ends at the first "}" not escaped with a backslash.
        index, end = match.end(), -1
        while index < len(text):
            if text[index] == "\\":
                index += 2
                continue
            if text[index] == "}":
                end = index
                break
            index += 1
        number = len(gaps) + 1
        if end < 0:
            raise Reject(
                lazy_format(_("Gap %(number)s is not closed with “}”."), {"number": number})
            )
        kind_name = match.group(2).upper()
        if kind_name in _MULTIRESPONSE:
            raise Reject(
                lazy_format(
                    _("Gap %(number)s: multiple-response gaps (%(type)s) are not supported."),
                    {"number": number, "type": match.group(2)},
                )
            )
        if kind_name not in _KINDS:
            raise Reject(
                lazy_format(
                    _("Gap %(number)s: unknown gap type “%(type)s”."),
                    {"number": number, "type": match.group(2)},
                )
            )
        kind, extra = _KINDS[kind_name]
        gap = _read_gap(text[match.end() : end], kind, number)
        mark = float(match.group(1)) if match.group(1) else 1.0
        gaps.append({"id": str(number), "kind": kind, "mark": mark, **gap, **extra})
        out.append(text[position : match.start()])
        out.append("{{" + str(number) + "}}")
        position = end + 1
    out.append(text[position:])
    if not gaps:
        raise Reject(_("A cloze question needs at least one gap such as {1:SHORTANSWER:=answer}."))
    return "".join(out), gaps


def _read_gap(body: str, kind: str, number: int) -> dict:
    answers = []
    for alternative in _split_unescaped(body, "~"):
        alternative = alternative.strip()
        if not alternative:
            continue
        weight_match = _CLOZE_WEIGHT_RE.match(alternative)
        if weight_match is None:
            weight = 0.0
        elif weight_match.group(1) == "=":
            weight = 1.0
        else:
            weight = fraction(float(weight_match.group(2).replace(",", ".")) / 100)
        rest = alternative[weight_match.end() :] if weight_match else alternative
        answer, *feedback = _split_unescaped(rest, "#", 1)
        answers.append(
            {
                "text": answer.strip(),
                "fraction": weight,
                "feedback": _unescape_cloze(feedback[0]) if feedback else "",
            }
        )
    try:
        if kind == "single":
            options = [
                {
                    "id": option_id(index),
                    "text": _unescape_cloze(a["text"]),
                    "fraction": a["fraction"],
                    "feedback": a["feedback"],
                }
                for index, a in enumerate(answers)
            ]
            check_choice(options, single=True)
            return {"options": options}
        if kind == "short":
            result = [{**a, "text": _unescape_cloze(a["text"])} for a in answers]
            check_graded_answers(result)
            return {"answers": result}
        numbers = []
        for a in answers:
            if a["text"] == "*":
                continue
            found = _CLOZE_NUMBER_RE.match(a["text"])
            if not found:
                raise Reject(
                    lazy_format(_("“%(value)s” is not a number."), {"value": a["text"][:40]})
                )
            numbers.append(
                {
                    "value": float(found.group(1).replace(",", ".")),
                    "tolerance": abs(float((found.group(2) or "0").replace(",", "."))),
                    "fraction": a["fraction"],
                    "feedback": a["feedback"],
                }
            )
        check_graded_answers(numbers, numerical=True)
        return {"answers": numbers}
    except Reject as exc:
        raise Reject(
            lazy_format(_("Gap %(number)s: %(reason)s"), {"number": number, "reason": exc.reason})
        ) from None


def _esc_cloze(text: str) -> str:
    return re.sub(r"([\\}#~])", r"\\\1", text)


def _pct(value: float) -> str:
    return f"{round(value * 100, 5):.5f}".rstrip("0").rstrip(".")


def _weight(value: float) -> str:
    if same(value, 1):
        return "="
    if same(value, 0):
        return ""
    return f"%{_pct(value)}%"


def write_cloze(text: str, gaps: list[dict]) -> str:
    """The inverse of ``parse_cloze``: ``{{n}}`` markers back into embedded answers."""
    for gap in gaps:
        mark = max(1, round(float(gap.get("mark", 1))))
        alternatives = []
        if gap["kind"] == "single":
            kind = "MULTICHOICE_S" if gap.get("shuffle") else "MULTICHOICE"
            items = [(o["text"], o["fraction"], o.get("feedback", "")) for o in gap["options"]]
        elif gap["kind"] == "short":
            kind = "SHORTANSWER_C" if gap.get("case_sensitive") else "SHORTANSWER"
            items = [(a["text"], a["fraction"], a.get("feedback", "")) for a in gap["answers"]]
        else:
            kind = "NUMERICAL"
            items = [
                (f"{float(a['value'])!r}:{float(a['tolerance'])!r}", a["fraction"], a["feedback"])
                for a in gap["answers"]
            ]
        for answer, weight, feedback in items:
            alternative = _weight(weight) + _esc_cloze(answer)
            if feedback:
                alternative += "#" + _esc_cloze(feedback)
            alternatives.append(alternative)
        embedded = "{" + f"{mark}:{kind}:" + "~".join(alternatives) + "}"
        text = text.replace("{{" + str(gap["id"]) + "}}", embedded, 1)
    return text


# --- writing ---------------------------------------------------------------------------------


def _add_text(parent: Element, tag: str, text: str, fmt: str | None = None) -> Element:
    elem = SubElement(parent, tag)
    if fmt is not None:
        elem.set("format", fmt)
    SubElement(elem, "text").text = text
    return elem


def _add_value(parent: Element, tag: str, value: Any) -> None:
    SubElement(parent, tag).text = str(value)


def _answer(parent: Element, text: str, weight: float, feedback: str, fmt: str) -> Element:
    elem = SubElement(parent, "answer", {"fraction": _pct(weight), "format": fmt})
    SubElement(elem, "text").text = text
    _add_text(elem, "feedback", feedback, fmt)
    return elem


def export_moodlexml(questions: list[ParsedQuestion]) -> bytes:
    """Write questions as Moodle XML (UTF-8), with a category entry wherever it changes."""
    quiz = Element("quiz")
    category: tuple[str, ...] | None = None
    for q in questions:
        if q.category != category:
            category = q.category
            entry = SubElement(quiz, "question", {"type": "category"})
            _add_text(entry, "category", join_category_path(category))
        _write(quiz, q)
    body = tostring(quiz, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


_QTYPE_OUT = {
    "single": "multichoice",
    "multiple": "multichoice",
    "truefalse": "truefalse",
    "short": "shortanswer",
    "numerical": "numerical",
    "matching": "matching",
    "ordering": "ordering",
    "cloze": "cloze",
    "essay": "essay",
    "file": "essay",
    "description": "description",
}


def _write(quiz: Element, q: ParsedQuestion) -> None:
    fmt = _FORMAT_OUT.get(q.text_format, "html")
    elem = SubElement(quiz, "question", {"type": _QTYPE_OUT.get(q.qtype, q.qtype)})
    _add_text(elem, "name", q.name)
    text = write_cloze(q.text, q.data.get("gaps", [])) if q.qtype == "cloze" else q.text
    _add_text(elem, "questiontext", text, fmt)
    _add_text(elem, "generalfeedback", q.general_feedback, fmt)
    _add_value(elem, "defaultgrade", f"{q.default_mark:.7f}")
    _add_value(elem, "penalty", f"{q.penalty:.7f}")
    _add_value(elem, "hidden", 0)
    data = q.data
    if q.qtype in ("single", "multiple"):
        _add_value(elem, "single", "true" if q.qtype == "single" else "false")
        _add_value(elem, "shuffleanswers", "true" if data.get("shuffle", True) else "false")
        _add_value(elem, "answernumbering", "abc")
        for option in data["options"]:
            _answer(elem, option["text"], option["fraction"], option.get("feedback", ""), fmt)
    elif q.qtype == "truefalse":
        correct = bool(data.get("correct"))
        _answer(elem, "true", 1 if correct else 0, data.get("feedback_true", ""), fmt)
        _answer(elem, "false", 0 if correct else 1, data.get("feedback_false", ""), fmt)
    elif q.qtype == "short":
        _add_value(elem, "usecase", 1 if data.get("case_sensitive") else 0)
        for answer in data["answers"]:
            _answer(elem, answer["text"], answer["fraction"], answer.get("feedback", ""), fmt)
    elif q.qtype == "numerical":
        for answer in data["answers"]:
            node = _answer(
                elem, repr(float(answer["value"])), answer["fraction"], answer["feedback"], fmt
            )
            _add_value(node, "tolerance", repr(float(answer["tolerance"])))
    elif q.qtype == "matching":
        _add_value(elem, "shuffleanswers", "true" if data.get("shuffle", True) else "false")
        rows = [(p["prompt"], p["answer"]) for p in data["pairs"]]
        rows += [("", d) for d in data.get("distractors", [])]
        for prompt, answer in rows:
            sub = _add_text(elem, "subquestion", prompt, fmt)
            _add_text(sub, "answer", answer)
    elif q.qtype == "ordering":
        _add_value(elem, "layouttype", "VERTICAL")
        _add_value(elem, "selecttype", "ALL")
        _add_value(elem, "selectcount", 0)
        _add_value(elem, "gradingtype", "ABSOLUTE_POSITION")
        for item in data["items"]:
            _answer(elem, item["text"], 1, "", fmt)
    elif q.qtype == "essay":
        _add_value(
            elem, "responseformat", "plain" if data.get("response_format") == "plain" else "editor"
        )
        _add_value(elem, "responserequired", 1)
        _add_value(elem, "responsefieldlines", 15)
        _add_value(elem, "minwordlimit", data.get("min_words", 0) or "")
        _add_value(elem, "attachments", data.get("attachments", 0))
        _add_value(elem, "attachmentsrequired", 0)
        _add_text(elem, "graderinfo", data.get("grader_info", ""), fmt)
        _add_text(elem, "responsetemplate", "", fmt)
    elif q.qtype == "file":
        kinds = [k if k in _FILE_GROUPS else f".{k}" for k in data.get("accept", [])]
        _add_value(elem, "responseformat", "noinline")
        _add_value(elem, "responserequired", 0)
        _add_value(elem, "responsefieldlines", 0)
        _add_value(elem, "attachments", data.get("max_files", 1))
        _add_value(elem, "attachmentsrequired", 1)
        _add_value(elem, "filetypeslist", ",".join(kinds))
        _add_text(elem, "graderinfo", "", fmt)
        _add_text(elem, "responsetemplate", "", fmt)
    if q.tags:
        tags = SubElement(elem, "tags")
        for tag in q.tags:
            _add_text(tags, "tag", tag)
