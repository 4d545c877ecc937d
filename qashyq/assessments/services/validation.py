"""Validation of a question version: its ``data`` against the contract in
docs/subsystems/questions.md, and its other fields (text, name, mark, penalty, tags).

``validate_question_data(qtype, data)`` returns a cleaned copy (defaults filled in, numbers as
floats); the question services use it, and so does the import service, so a question that an
import accepts is exactly one that the editor accepts. Each refusal is a ``ValidationFailed``
with its own code and a specific, translated message.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NoReturn

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from qashyq.core import files
from qashyq.core.errors import ValidationFailed

from ..models import QType, TextFormat

NAME_MAX = 255
NAME_FROM_TEXT_CHARS = 60
TEXT_MAX = 100_000
TAG_MAX = 100
TAGS_PER_QUESTION = 30
CATEGORY_DEPTH_MAX = 10
ID_MAX = 32
MARK_MAX = Decimal("1000")
CLOZE_GAP_KINDS = ("short", "numerical", "single")
# "accept" of a file question: a group of kinds (Moodle's group names), one kind of
# qashyq.core.files.kinds, or a file extension of one (Moodle's "filetypeslist": ".jpg", "mp3")
FILE_KIND_GROUPS = {
    "image": files.IMAGE,
    "audio": files.AUDIO,
    "video": files.VIDEO,
    "document": files.DOCUMENT,
    "archive": files.ARCHIVE,
    "spreadsheet": frozenset({"xlsx", "ods", "ole", "text"}),
    "presentation": frozenset({"pptx", "odp", "ole"}),
}
_EXTENSION_KINDS = {
    extension: kind.name
    for kind in files.KINDS.values()
    if kind.name in files.ANY_SAFE
    for extension in kind.extensions
}
FILE_MAX_FILES = 10
ESSAY_MAX_ATTACHMENTS = 3
RUBRIC_CRITERIA_MAX = 30
RUBRIC_LEVELS_MAX = 10
RUBRIC_POINTS_MAX = 1000
_GAP_MARKER = re.compile(r"\{\{([^{}]*)\}\}")


# --- validation of a question's data ------------------------------------------------------------


def fail(message, code: str) -> NoReturn:
    raise ValidationFailed(message, code=code)


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _integer(value: Any, default: int, *, low: int, high: int, message, code: str) -> int:
    if value is None:
        return default
    if _is_number(value) and float(value).is_integer() and low <= value <= high:
        return int(value)
    fail(message, code)


def _flag(data: Mapping[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        fail(_("“%(key)s” must be true or false.") % {"key": key}, "flag_invalid")
    return value


def _text(value: Any, default: str = "") -> str | None:
    """A string (None when it is not one)."""
    if value is None:
        return default
    return value if isinstance(value, str) else None


def _fraction(value: Any, what) -> float:
    if value is None:
        return 0.0
    if not _is_number(value) or not -1 <= value <= 1:
        fail(
            _("%(what)s: the fraction must be a number from -1 to 1.") % {"what": what},
            "fraction_invalid",
        )
    return float(value)


def _is_full(fraction: float) -> bool:
    return abs(fraction - 1.0) < 1e-6


def _list(data: Mapping[str, Any], key: str, message, code: str) -> list:
    value = data.get(key)
    if not isinstance(value, list):
        fail(message, code)
    return value


def _ids(entries: list[dict[str, Any]], what) -> None:
    """Give entries without an id the next free one ("a", "b"...; "27"... after "z"); refuse
    ids that are not short strings and duplicates."""
    taken: set[str] = set()
    for entry in entries:
        entry_id = entry.get("id")
        if entry_id in (None, ""):
            continue
        if not isinstance(entry_id, str) or len(entry_id) > ID_MAX or entry_id != entry_id.strip():
            fail(
                _("%(what)s: every id must be a short text without surrounding spaces.")
                % {"what": what},
                "id_invalid",
            )
        if entry_id in taken:
            fail(
                _("%(what)s: the id “%(id)s” is used twice.") % {"what": what, "id": entry_id},
                "id_duplicate",
            )
        taken.add(entry_id)
    candidates = (chr(c) for c in range(ord("a"), ord("z") + 1))
    numbers = (str(n) for n in range(27, 10_000))
    free = (c for source in (candidates, numbers) for c in source if c not in taken)
    for entry in entries:
        if entry.get("id") in (None, ""):
            entry["id"] = next(free)


def _entries(raw: list, what_one, code: str) -> list[dict[str, Any]]:
    entries = []
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping):
            fail(_("%(what)s %(n)s is not valid.") % {"what": what_one, "n": n}, code)
        entries.append(dict(item))
    return entries


def _feedback(entry: dict[str, Any], what) -> str:
    value = _text(entry.get("feedback"))
    if value is None:
        fail(_("%(what)s: the feedback must be text.") % {"what": what}, "feedback_invalid")
    return value


def _clean_options(data: Mapping[str, Any], qtype: str) -> dict[str, Any]:
    if qtype == QType.SINGLE:
        too_few = _("A single-choice question needs at least two options.")
    else:
        too_few = _("A multiple-choice question needs at least two options.")
    raw = _list(data, "options", too_few, "options_missing")
    if len(raw) < 2:
        fail(too_few, "options_too_few")
    options = _entries(raw, _("Option"), "option_invalid")
    for n, option in enumerate(options, start=1):
        what = _("Option %(n)s") % {"n": n}
        text = _text(option.get("text"), "")
        if text is None or not text.strip():
            fail(_("Option %(n)s has no text.") % {"n": n}, "option_text_missing")
        option["text"] = text
        option["fraction"] = _fraction(option.get("fraction"), what)
        option["feedback"] = _feedback(option, what)
    _ids(options, _("Options"))
    fractions = [o["fraction"] for o in options]
    if qtype == QType.SINGLE:
        # Platonus has exactly one; GIFT and Moodle allow several equally right options
        if not any(_is_full(f) for f in fractions):
            fail(
                _("A single-choice question needs a correct option (one worth full marks)."),
                "single_needs_correct",
            )
    else:
        positive = sum(f for f in fractions if f > 0)
        if positive <= 0:
            fail(
                _("A multiple-choice question needs at least one correct option."),
                "multiple_needs_correct",
            )
        if abs(positive - 1.0) > 0.01:
            fail(
                _(
                    "The correct options of a multiple-choice question must add up to 100%% "
                    "(now %(percent)s%%)."
                )
                % {"percent": f"{positive * 100:g}"},
                "multiple_fractions_sum",
            )
    return {**data, "options": options, "shuffle": _flag(data, "shuffle", True)}


def _clean_truefalse(data: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(data.get("correct"), bool):
        fail(
            _("A true/false question needs its correct answer: true or false."),
            "truefalse_needs_answer",
        )
    cleaned = {**data}
    for key in ("feedback_true", "feedback_false"):
        value = _text(data.get(key))
        if value is None:
            fail(_("The feedback must be text."), "feedback_invalid")
        cleaned[key] = value
    return cleaned


def _clean_answers(data: Mapping[str, Any], qtype: str) -> list[dict[str, Any]]:
    if qtype == QType.SHORT:
        missing = _("A short-answer question needs at least one accepted answer.")
    else:
        missing = _("A numerical question needs at least one answer.")
    raw = _list(data, "answers", missing, "answers_missing")
    if not raw:
        fail(missing, "answers_missing")
    answers = _entries(raw, _("Answer"), "answer_invalid")
    for n, answer in enumerate(answers, start=1):
        what = _("Answer %(n)s") % {"n": n}
        if qtype == QType.SHORT:
            text = _text(answer.get("text"), "")
            if text is None or not text.strip():
                fail(_("Answer %(n)s has no text.") % {"n": n}, "answer_text_missing")
            answer["text"] = text
        else:
            if not _is_number(answer.get("value")):
                fail(
                    _("Answer %(n)s needs a number as its value.") % {"n": n},
                    "answer_value_invalid",
                )
            answer["value"] = float(answer["value"])
            tolerance = answer.get("tolerance", 0)
            if not _is_number(tolerance) or tolerance < 0:
                fail(
                    _("The tolerance of answer %(n)s must be zero or a positive number.")
                    % {"n": n},
                    "tolerance_invalid",
                )
            answer["tolerance"] = float(tolerance)
        answer["fraction"] = _fraction(answer.get("fraction"), what)
        answer["feedback"] = _feedback(answer, what)
    if not any(_is_full(a["fraction"]) for a in answers):
        if qtype == QType.SHORT:
            fail(
                _("A short-answer question needs an answer worth full marks."),
                "answers_need_full_marks",
            )
        fail(
            _("A numerical question needs an answer worth full marks."),
            "answers_need_full_marks",
        )
    return answers


def _clean_short(data: Mapping[str, Any]) -> dict[str, Any]:
    answers = _clean_answers(data, QType.SHORT)
    return {**data, "answers": answers, "case_sensitive": _flag(data, "case_sensitive", False)}


def _clean_numerical(data: Mapping[str, Any]) -> dict[str, Any]:
    return {**data, "answers": _clean_answers(data, QType.NUMERICAL)}


def _clean_matching(data: Mapping[str, Any]) -> dict[str, Any]:
    message = _("A matching question needs at least two pairs with a prompt.")
    pairs = _entries(_list(data, "pairs", message, "pairs_missing"), _("Pair"), "pair_invalid")
    for n, pair in enumerate(pairs, start=1):
        prompt = _text(pair.get("prompt"), "")
        answer = _text(pair.get("answer"), "")
        if prompt is None:
            fail(_("The prompt of pair %(n)s must be text.") % {"n": n}, "pair_invalid")
        if answer is None or not answer.strip():
            fail(_("Pair %(n)s has no answer.") % {"n": n}, "pair_answer_missing")
        pair["prompt"], pair["answer"] = prompt, answer
    _ids(pairs, _("Pairs"))
    if sum(1 for p in pairs if p["prompt"].strip()) < 2:
        fail(message, "pairs_too_few")
    distractors = data.get("distractors", [])
    if not isinstance(distractors, list) or not all(
        isinstance(d, str) and d.strip() for d in distractors
    ):
        fail(_("Every extra wrong answer must be a non-empty text."), "distractor_invalid")
    return {
        **data,
        "pairs": pairs,
        "distractors": list(distractors),
        "shuffle": _flag(data, "shuffle", True),
    }


def _clean_ordering(data: Mapping[str, Any]) -> dict[str, Any]:
    message = _("An ordering question needs at least two items.")
    items = _entries(_list(data, "items", message, "items_missing"), _("Item"), "item_invalid")
    if len(items) < 2:
        fail(message, "items_too_few")
    for n, item in enumerate(items, start=1):
        text = _text(item.get("text"), "")
        if text is None or not text.strip():
            fail(_("Item %(n)s has no text.") % {"n": n}, "item_text_missing")
        item["text"] = text
    _ids(items, _("Items"))
    return {**data, "items": items}


def _clean_cloze(data: Mapping[str, Any], text: str | None) -> dict[str, Any]:
    message = _("A cloze question needs at least one gap.")
    raw = _list(data, "gaps", message, "gaps_missing")
    if not raw:
        fail(message, "gaps_missing")
    gaps = []
    seen: set[str] = set()
    for n, gap in enumerate(_entries(raw, _("Gap"), "gap_invalid"), start=1):
        gap_id = gap.get("id")
        if isinstance(gap_id, int) and not isinstance(gap_id, bool):
            gap_id = str(gap_id)
        if not isinstance(gap_id, str) or not gap_id.strip() or len(gap_id) > ID_MAX:
            fail(_("Gap %(n)s needs an id.") % {"n": n}, "gap_id_missing")
        if gap_id in seen:
            fail(_("Two gaps have the id %(gap)s.") % {"gap": gap_id}, "gap_id_duplicate")
        seen.add(gap_id)
        kind = gap.get("kind")
        if kind not in CLOZE_GAP_KINDS:
            fail(
                _("Gap %(gap)s has an unknown kind “%(kind)s”.") % {"gap": gap_id, "kind": kind},
                "gap_kind_invalid",
            )
        mark = gap.get("mark", 1)
        if not _is_number(mark) or mark <= 0:
            fail(
                _("The mark of gap %(gap)s must be a positive number.") % {"gap": gap_id},
                "gap_mark_invalid",
            )
        try:
            cleaned = validate_question_data(kind, gap)
        except ValidationFailed as exc:
            raise ValidationFailed(
                _("Gap %(gap)s: %(error)s") % {"gap": gap_id, "error": exc.message},
                code=exc.code,
            ) from exc
        gaps.append({**cleaned, "id": gap_id, "kind": kind, "mark": float(mark)})
    if text is not None:
        markers = [m.strip() for m in _GAP_MARKER.findall(text)]
        for marker in markers:
            if marker not in seen:
                fail(
                    _("The text has a gap {{%(gap)s}} that is not described.") % {"gap": marker},
                    "gap_marker_unknown",
                )
            if markers.count(marker) > 1:
                fail(
                    _("The gap {{%(gap)s}} appears twice in the text.") % {"gap": marker},
                    "gap_marker_twice",
                )
        for gap in gaps:
            if gap["id"] not in markers:
                fail(
                    _("The text has no place for gap %(gap)s: write {{%(gap)s}} where it goes.")
                    % {"gap": gap["id"]},
                    "gap_marker_missing",
                )
    return {**data, "gaps": gaps}


def _clean_rubric(data: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """The optional rubric of an essay or file question: ``[{"id", "criterion", "levels":
    [{"id", "label", "points"}]}]``; None when there is none. The grader picks one level per
    criterion; the chosen points over the rubric's total (the sum of each criterion's highest
    level) are scaled to the slot's mark (``rubric_points``)."""
    raw = data.get("rubric")
    if raw is None:
        return None
    if not isinstance(raw, list):
        fail(_("The rubric must be a list of criteria."), "rubric_invalid")
    if len(raw) > RUBRIC_CRITERIA_MAX:
        fail(
            _("A rubric can have at most %(max)s criteria.") % {"max": RUBRIC_CRITERIA_MAX},
            "rubric_too_many_criteria",
        )
    criteria = _entries(raw, _("Rubric criterion"), "rubric_criterion_invalid")
    for n, criterion in enumerate(criteria, start=1):
        text = _text(criterion.get("criterion"), "")
        if text is None or not text.strip():
            fail(
                _("Rubric criterion %(n)s has no description.") % {"n": n},
                "rubric_criterion_text_missing",
            )
        criterion["criterion"] = text.strip()
        raw_levels = criterion.get("levels")
        if not isinstance(raw_levels, list) or len(raw_levels) < 2:
            fail(
                _("Rubric criterion %(n)s needs at least two levels to choose from.") % {"n": n},
                "rubric_levels_too_few",
            )
        if len(raw_levels) > RUBRIC_LEVELS_MAX:
            fail(
                _("Rubric criterion %(n)s can have at most %(max)s levels.")
                % {"n": n, "max": RUBRIC_LEVELS_MAX},
                "rubric_levels_too_many",
            )
        levels = _entries(
            raw_levels,
            _("Rubric criterion %(n)s: level") % {"n": n},
            "rubric_level_invalid",
        )
        for m, level in enumerate(levels, start=1):
            label = _text(level.get("label"), "")
            if label is None or not label.strip():
                fail(
                    _("Rubric criterion %(n)s: level %(m)s has no label.") % {"n": n, "m": m},
                    "rubric_level_label_missing",
                )
            level["label"] = label.strip()
            points = level.get("points")
            if not _is_number(points) or not 0 <= points <= RUBRIC_POINTS_MAX:
                fail(
                    _(
                        "Rubric criterion %(n)s: the points of level %(m)s must be a number "
                        "from 0 to %(max)s."
                    )
                    % {"n": n, "m": m, "max": RUBRIC_POINTS_MAX},
                    "rubric_level_points_invalid",
                )
            level["points"] = float(points)
        _ids(levels, _("Rubric criterion %(n)s: levels") % {"n": n})
        criterion["levels"] = levels
    _ids(criteria, _("Rubric criteria"))
    if criteria and rubric_max(criteria) <= 0:
        fail(
            _("The rubric must be worth something: give some level more than 0 points."),
            "rubric_worth_nothing",
        )
    return criteria


def rubric_max(rubric: list[dict[str, Any]]) -> Decimal:
    """The rubric's total: the sum of each criterion's highest level."""
    return sum(
        (
            max((Decimal(str(level["points"])) for level in criterion["levels"]), default=0)
            for criterion in rubric
        ),
        Decimal(0),
    )


def rubric_of(data: Any) -> list[dict[str, Any]] | None:
    """The cleaned rubric of a version's ``data``, or None when it has none (or an empty or
    unusable one: a version saved before rubrics were checked is graded by points)."""
    if not isinstance(data, Mapping) or not data.get("rubric"):
        return None
    try:
        return _clean_rubric(data) or None
    except ValidationFailed:
        return None


def rubric_points(
    rubric: list[dict[str, Any]], chosen: Any, mark: Decimal
) -> tuple[Decimal, dict[str, str]]:
    """The points for one level chosen per criterion (``{criterion id: level id}``): the chosen
    points over ``rubric_max`` times the slot's ``mark``, rounded half up to 0.01. Returns them
    and the choice in the rubric's order; an incomplete or unknown choice is refused."""
    if not isinstance(chosen, Mapping):
        fail(_("Choose a level for every criterion of the rubric."), "rubric_incomplete")
    known = {criterion["id"] for criterion in rubric}
    for criterion_id in chosen:
        if criterion_id not in known:
            fail(
                _("The rubric has no criterion “%(id)s”.") % {"id": criterion_id},
                "rubric_criterion_unknown",
            )
    total = Decimal(0)
    levels: dict[str, str] = {}
    missing = []
    for criterion in rubric:
        level_id = chosen.get(criterion["id"])
        if level_id in (None, ""):
            missing.append(criterion["criterion"])
            continue
        level = next((lv for lv in criterion["levels"] if lv["id"] == level_id), None)
        if level is None:
            fail(
                _("“%(level)s” is not a level of the criterion “%(criterion)s”.")
                % {"level": level_id, "criterion": criterion["criterion"]},
                "rubric_level_unknown",
            )
        total += Decimal(str(level["points"]))
        levels[criterion["id"]] = level_id
    if missing:
        fail(
            _("Choose a level for every criterion of the rubric; not chosen: %(criteria)s.")
            % {"criteria": "; ".join(f"“{text}”" for text in missing)},
            "rubric_incomplete",
        )
    points = (total * Decimal(mark) / rubric_max(rubric)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return points, levels


def _with_rubric(cleaned: dict[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    rubric = _clean_rubric(data)
    if rubric is not None:
        cleaned["rubric"] = rubric
    return cleaned


def _clean_essay(data: Mapping[str, Any]) -> dict[str, Any]:
    response_format = data.get("response_format", "rich")
    if response_format not in ("rich", "plain"):
        fail(_("The response format of an essay is “rich” or “plain”."), "essay_format_invalid")
    grader_info = _text(data.get("grader_info"))
    if grader_info is None:
        fail(_("The information for graders must be text."), "grader_info_invalid")
    return {
        **data,
        "response_format": response_format,
        "attachments": _integer(
            data.get("attachments"),
            0,
            low=0,
            high=ESSAY_MAX_ATTACHMENTS,
            message=_("An essay allows from 0 to %(max)s attached files.")
            % {"max": ESSAY_MAX_ATTACHMENTS},
            code="essay_attachments_invalid",
        ),
        "min_words": _integer(
            data.get("min_words"),
            0,
            low=0,
            high=100_000,
            message=_("The minimum number of words must be zero or more."),
            code="essay_min_words_invalid",
        ),
        "grader_info": grader_info,
    }


def file_accept_kinds(accept: Iterable[str]) -> frozenset[str]:
    """The file kinds (``qashyq.core.files.kinds``) that a file question's ``accept`` allows."""
    kinds: set[str] = set()
    for name in accept:
        if name in FILE_KIND_GROUPS:
            kinds |= FILE_KIND_GROUPS[name]
        elif name in files.ANY_SAFE:
            kinds.add(name)
        elif name in _EXTENSION_KINDS:
            kinds.add(_EXTENSION_KINDS[name])
    return frozenset(kinds)


def _clean_file(data: Mapping[str, Any]) -> dict[str, Any]:
    accept = data.get("accept")
    if not isinstance(accept, list) or not accept or not all(isinstance(a, str) for a in accept):
        fail(
            _("Say which kinds of file the answer may be, e.g. image, audio or pdf."),
            "file_accept_missing",
        )
    accept = [name.strip().lstrip(".").lower() for name in accept]
    for name in accept:
        if not file_accept_kinds([name]):
            fail(_("“%(kind)s” is not a kind of file we accept.") % {"kind": name}, "file_kind")
    max_files = _integer(
        data.get("max_files"),
        1,
        low=1,
        high=FILE_MAX_FILES,
        message=_("A file answer allows from 1 to %(max)s files.") % {"max": FILE_MAX_FILES},
        code="file_max_files_invalid",
    )
    return {**data, "accept": list(dict.fromkeys(accept)), "max_files": max_files}


def validate_question_data(qtype: str, data: Any, *, text: str | None = None) -> dict[str, Any]:
    """Check ``data`` for a question of ``qtype`` and return a cleaned copy.

    The copy has every default of the contract filled in (``feedback: ""``, ``shuffle: true``,
    fractions as floats, missing option ids as ``"a"``, ``"b"``...); keys the contract does not
    name are kept as they are. For a cloze question pass ``text`` to check that it has exactly one
    ``{{id}}`` marker for each gap. Raises ``ValidationFailed`` with a specific message.
    """
    if qtype not in QType.values:
        fail(_("“%(type)s” is not a question type.") % {"type": qtype}, "qtype_invalid")
    if not isinstance(data, Mapping):
        fail(_("The question's data must be a JSON object."), "data_not_object")
    match qtype:
        case QType.SINGLE | QType.MULTIPLE:
            return _clean_options(data, qtype)
        case QType.TRUEFALSE:
            return _clean_truefalse(data)
        case QType.SHORT:
            return _clean_short(data)
        case QType.NUMERICAL:
            return _clean_numerical(data)
        case QType.MATCHING:
            return _clean_matching(data)
        case QType.ORDERING:
            return _clean_ordering(data)
        case QType.CLOZE:
            return _clean_cloze(data, text)
        case QType.ESSAY:
            return _with_rubric(_clean_essay(data), data)
        case QType.FILE:
            return _with_rubric(_clean_file(data), data)
    return dict(data)  # description: text only


# --- the other fields of a version --------------------------------------------------------------


def clean_version_fields(
    *,
    qtype: str,
    name: Any,
    text: Any,
    text_format: Any,
    data: Any,
    general_feedback: Any,
    default_mark: Any,
    penalty: Any,
) -> dict[str, Any]:
    if not isinstance(text, str) or not text.strip():
        fail(_("The question needs a text."), "text_missing")
    if len(text) > TEXT_MAX:
        fail(
            _("The question text is too long (at most %(max)s characters).") % {"max": TEXT_MAX},
            "text_too_long",
        )
    if text_format not in TextFormat.values:
        fail(
            _("“%(format)s” is not a text format: use markdown, html or plain.")
            % {"format": text_format},
            "text_format_invalid",
        )
    cleaned_data = validate_question_data(qtype, data, text=text)
    if name is None:
        name = ""
    if not isinstance(name, str):
        fail(_("The question's name must be text."), "name_invalid")
    name = " ".join(name.split())
    if not name:
        plain = strip_tags(text) if text_format == TextFormat.HTML else text
        plain = _GAP_MARKER.sub("…", " ".join(plain.split()))
        name = plain[:NAME_FROM_TEXT_CHARS].strip() or str(QType(qtype).label)
    if len(name) > NAME_MAX:
        fail(
            _("The question's name is too long (at most %(max)s characters).") % {"max": NAME_MAX},
            "name_too_long",
        )
    if general_feedback is None:
        general_feedback = ""
    if not isinstance(general_feedback, str):
        fail(_("The general feedback must be text."), "feedback_invalid")
    return {
        "qtype": qtype,
        "name": name,
        "text": text.strip(),
        "text_format": text_format,
        "data": cleaned_data,
        "general_feedback": general_feedback.strip(),
        "default_mark": _clean_mark(qtype, default_mark),
        "penalty": _clean_penalty(penalty),
    }


def _clean_mark(qtype: str, value: Any) -> Decimal:
    if qtype == QType.DESCRIPTION:
        return Decimal("0.00")
    try:
        if isinstance(value, bool):
            raise TypeError
        mark = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        mark = None
    if mark is None or not mark.is_finite() or not Decimal(0) <= mark <= MARK_MAX:
        fail(
            _("The mark must be a number from 0 to %(max)s.") % {"max": MARK_MAX},
            "mark_invalid",
        )
    return mark


def _clean_penalty(value: Any) -> float:
    if value is None:
        return 0.0
    if not _is_number(value) or not 0 <= value <= 1:
        fail(_("The penalty must be a number from 0 to 1."), "penalty_invalid")
    return float(value)


def normalise_tag(value: str) -> str:
    """Tags are compared as NFC, spaces collapsed, lower case: "Алгебра " == "алгебра"."""
    return " ".join(unicodedata.normalize("NFC", value).split()).lower()


def clean_tags(tags: Any) -> list[str]:
    if isinstance(tags, str) or not isinstance(tags, Iterable):
        fail(_("Tags must be a list of words."), "tags_invalid")
    cleaned: list[str] = []
    for tag in tags:
        if not isinstance(tag, str):
            fail(_("Tags must be a list of words."), "tags_invalid")
        tag = normalise_tag(tag)
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            fail(
                _("The tag “%(tag)s…” is too long (at most %(max)s characters).")
                % {"tag": tag[:20], "max": TAG_MAX},
                "tag_too_long",
            )
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > TAGS_PER_QUESTION:
        fail(
            _("A question can have at most %(max)s tags.") % {"max": TAGS_PER_QUESTION},
            "tags_too_many",
        )
    return cleaned
