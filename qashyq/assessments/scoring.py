"""The scoring engine: how much of a question's mark a response earns.

``score(qtype, data, response)`` returns a fraction in [0, 1] for the automatically scored types
and ``None`` for the types graded by hand (essay, file) and for descriptions, which carry no
mark. ``data`` is a question version's data in the shape of docs/subsystems/questions.md (the
services validate it before it is stored); ``response`` is whatever the attempt page sent. A
response of the wrong shape or type scores 0 and never raises: an exam must not fail because a
client sent nonsense. The rules per type are documented in docs/subsystems/assessments.md.

Everything here is a pure function without Django: the same engine scores an attempt, regrades
every attempt after a key is corrected, and runs in the benchmarks.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

logger = logging.getLogger(__name__)

MANUAL_TYPES = frozenset({"essay", "file"})
UNSCORED_TYPES = frozenset({"description"})
# A longer free-text response is not compared at all (it cannot be a short answer).
MAX_RESPONSE_CHARS = 2_000
# Moodle keeps fractions with 7 decimals (1/3 is 0.3333333); results are rounded to 6, so three
# such thirds make exactly 1.
_DIGITS = 6


# --- text ---------------------------------------------------------------------------------------

# Letters that look the same in the Latin and the Cyrillic alphabet, and Kazakh letters that are
# often typed with a look-alike from another block when a keyboard lacks the Kazakh layout. Both
# the accepted answer and the response are folded, so the table can only make more responses
# equal, never fewer.
_LOOKALIKES = str.maketrans(
    {
        # Cyrillic -> Latin look-alikes
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "і": "i",
        "һ": "h",
        "А": "A",
        "В": "B",
        "Е": "E",
        "К": "K",
        "М": "M",
        "Н": "H",
        "О": "O",
        "Р": "P",
        "С": "C",
        "Т": "T",
        "Х": "X",
        "І": "I",
        # Kazakh letters and their look-alikes outside the Cyrillic block
        "ə": "ә",  # Latin small schwa
        "Ə": "Ә",  # Latin capital schwa
        "ɵ": "ө",  # Latin barred o
        "Ɵ": "Ө",
        "ӊ": "ң",  # Cyrillic en with tail (Khanty), often offered for ң
        "Ӊ": "Ң",
        "ҥ": "ң",  # Cyrillic en-ghe ligature (Yakut)
        "Ҥ": "Ң",
    }
)


def normalise_text(value: str) -> str:
    """NFC, every run of whitespace (also no-break spaces and line breaks) one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def fold_case(value: str) -> str:
    """Unicode case folding (ә/Ә, ғ/Ғ, қ/Қ, ң/Ң, ө/Ө, ұ/Ұ, ү/Ү, һ/Һ, і/І, ё/Ё... all fold), with
    the Turkic dotted capital İ folded to a plain i instead of i + combining dot."""
    return unicodedata.normalize("NFC", value.casefold().replace("i\u0307", "i"))


def comparable(value: str, *, case_sensitive: bool = False) -> str:
    """The form in which a short answer and a response are compared."""
    value = normalise_text(value)
    if not case_sensitive:
        value = fold_case(value)
    return value.translate(_LOOKALIKES)


_STAR = None  # a wildcard token among the characters of a pattern


@lru_cache(maxsize=4096)
def _pattern(answer: str, case_sensitive: bool) -> tuple[str | None, ...]:
    """An accepted answer as tokens: characters, and ``None`` for each ``*`` (``\\*`` is a
    literal asterisk). Consecutive wildcards are one."""
    text = comparable(answer, case_sensitive=case_sensitive)
    tokens: list[str | None] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and text[i + 1 : i + 2] == "*":
            tokens.append("*")
            i += 2
            continue
        if ch == "*":
            if not tokens or tokens[-1] is not _STAR:
                tokens.append(_STAR)
        else:
            tokens.append(ch)
        i += 1
    return tuple(tokens)


def _wildcard_match(tokens: Sequence[str | None], text: str) -> bool:
    """Whole-string match where ``None`` matches any run of characters (also none).

    The classic two-pointer glob match: time O(len(tokens) * len(text)) at worst, unlike a
    backtracking regular expression, whose time grows with the power of the number of stars.
    """
    t = s = 0
    star = -1
    resume = 0
    while s < len(text):
        if t < len(tokens) and tokens[t] is _STAR:
            star, resume = t, s
            t += 1
        elif t < len(tokens) and tokens[t] == text[s]:
            t += 1
            s += 1
        elif star >= 0:
            t = star + 1
            resume += 1
            s = resume
        else:
            return False
    while t < len(tokens) and tokens[t] is _STAR:
        t += 1
    return t == len(tokens)


# --- numbers ------------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
# a space between digit groups of three ("1 234,5", also no-break and thin spaces after NFKC)
_GROUP_SPACE = re.compile(r"(?<=\d) (?=\d{3}(?:\D|$))", re.ASCII)


def parse_number(value: Any) -> float | None:
    """A number typed by a student: ``3.14``, ``3,14``, ``-2``, ``1 234,5``, ``6.02e23``, with a
    typographic minus or full-width digits. None when it is not one number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) else None
    if not isinstance(value, str) or len(value) > 100:
        return None
    text = unicodedata.normalize("NFKC", value).replace("\u2212", "-").strip()
    text = _GROUP_SPACE.sub("", " ".join(text.split()))
    if "," in text:
        if "." in text or text.count(",") > 1:
            return None
        text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text):
        return None
    try:
        number = float(text)
    except (ValueError, OverflowError):  # pragma: no cover - the pattern admits only floats
        return None
    return number if math.isfinite(number) else None


def _number(value: Any, default: float = 0.0) -> float:
    """A number from stored data (validated, but read defensively)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    value = float(value)
    return value if math.isfinite(value) else default


# --- the types ----------------------------------------------------------------------------------


def _items(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _score_single(data: Mapping[str, Any], response: Any) -> float:
    if not isinstance(response, str):
        return 0.0
    for option in _items(data, "options"):
        if option.get("id") == response:
            return _number(option.get("fraction"))
    return 0.0


def _score_multiple(data: Mapping[str, Any], response: Any) -> float:
    """Sum of the fractions of the chosen options (wrong ones may be negative), clamped later."""
    if not isinstance(response, list) or not all(isinstance(r, str) for r in response):
        return 0.0
    chosen = set(response)
    return sum(
        _number(option.get("fraction"))
        for option in _items(data, "options")
        if option.get("id") in chosen
    )


def _score_truefalse(data: Mapping[str, Any], response: Any) -> float:
    if not isinstance(response, bool):
        return 0.0
    return 1.0 if response is data.get("correct") else 0.0


def _score_short(data: Mapping[str, Any], response: Any) -> float:
    """The best fraction among the accepted answers that the response matches."""
    if not isinstance(response, str) or len(response) > MAX_RESPONSE_CHARS:
        return 0.0
    case_sensitive = data.get("case_sensitive") is True
    given = comparable(response, case_sensitive=case_sensitive)
    if not given:
        return 0.0
    best: float | None = None
    for answer in _items(data, "answers"):
        text = answer.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        if _wildcard_match(_pattern(text, case_sensitive), given):
            fraction = _number(answer.get("fraction"))
            best = fraction if best is None else max(best, fraction)
    return best or 0.0


def _score_numerical(data: Mapping[str, Any], response: Any) -> float:
    """The best fraction among the answers whose value ± tolerance holds the number."""
    number = parse_number(response)
    if number is None:
        return 0.0
    best: float | None = None
    for answer in _items(data, "answers"):
        value = _number(answer.get("value"), math.nan)
        if math.isnan(value):
            continue
        tolerance = abs(_number(answer.get("tolerance")))
        # a hair of slack for binary floating point: 3.15 is within 3.14 ± 0.01
        slack = 1e-9 * max(1.0, abs(value), tolerance)
        if abs(number - value) <= tolerance + slack:
            fraction = _number(answer.get("fraction"))
            best = fraction if best is None else max(best, fraction)
    return best or 0.0


def _score_matching(data: Mapping[str, Any], response: Any) -> float:
    """Correctly matched pairs / pairs (pairs with an empty prompt are distractors)."""
    if not isinstance(response, Mapping):
        return 0.0
    pairs = [
        pair
        for pair in _items(data, "pairs")
        if isinstance(pair.get("prompt"), str) and pair["prompt"].strip()
    ]
    if not pairs:
        return 0.0
    right = 0
    for pair in pairs:
        given, answer = response.get(pair.get("id")), pair.get("answer")
        if isinstance(given, str) and isinstance(answer, str):
            right += normalise_text(given) == normalise_text(answer)
    return right / len(pairs)


def longest_ordered_subsequence(positions: Sequence[int]) -> int:
    """Length of the longest strictly increasing subsequence (patience sorting, O(n log n))."""
    tails: list[int] = []
    for position in positions:
        i = bisect_left(tails, position)
        if i == len(tails):
            tails.append(position)
        else:
            tails[i] = position
    return len(tails)


def _score_ordering(data: Mapping[str, Any], response: Any) -> float:
    """Items in the longest subsequence that keeps the correct order, divided by all items;
    a "subsequence" of one item is no order at all and earns nothing (Moodle's "longest ordered
    subset"). The response must be an arrangement of all the items."""
    ids = [item.get("id") for item in _items(data, "items")]
    if len(ids) < 2 or not isinstance(response, list):
        return 0.0
    if not all(isinstance(r, str) for r in response) or sorted(response) != sorted(ids):
        return 0.0
    correct_position = {item_id: i for i, item_id in enumerate(ids)}
    length = longest_ordered_subsequence([correct_position[r] for r in response])
    return length / len(ids) if length >= 2 else 0.0


_GAP_SCORERS: dict[str, Callable[[Mapping[str, Any], Any], float]] = {
    "short": _score_short,
    "numerical": _score_numerical,
    "single": _score_single,
}


def _clamp(value: float) -> float:
    return round(min(1.0, max(0.0, value)), _DIGITS)


def _score_cloze(data: Mapping[str, Any], response: Any) -> float:
    """Each gap scored as its kind, weighted by the gap's mark."""
    if not isinstance(response, Mapping):
        return 0.0
    earned = total = 0.0
    for gap in _items(data, "gaps"):
        mark = max(0.0, _number(gap.get("mark"), 1.0))
        total += mark
        scorer = _GAP_SCORERS.get(gap.get("kind"))  # type: ignore[arg-type]
        if scorer is None:
            continue
        earned += mark * _clamp(scorer(gap, response.get(str(gap.get("id")))))
    return earned / total if total > 0 else 0.0


_SCORERS: dict[str, Callable[[Mapping[str, Any], Any], float]] = {
    "single": _score_single,
    "multiple": _score_multiple,
    "truefalse": _score_truefalse,
    "short": _score_short,
    "numerical": _score_numerical,
    "matching": _score_matching,
    "ordering": _score_ordering,
    "cloze": _score_cloze,
}


def is_auto_scored(qtype: str) -> bool:
    return qtype in _SCORERS


def score(qtype: str, data: Mapping[str, Any], response: Any) -> float | None:
    """The fraction of the mark a response earns, in [0, 1]; ``None`` when a person grades it
    (essay, file) or there is nothing to grade (description). ``None`` as the response (or a
    missing key) means "not answered" and scores 0.

    Raises ``ValueError`` only for a question type the contract does not know.
    """
    if qtype in MANUAL_TYPES or qtype in UNSCORED_TYPES:
        return None
    scorer = _SCORERS.get(qtype)
    if scorer is None:
        raise ValueError(f"Unknown question type: {qtype!r}")
    if response is None or not isinstance(data, Mapping):
        return 0.0
    try:
        return _clamp(scorer(data, response))
    except (TypeError, ValueError, AttributeError, KeyError, RecursionError):
        # the stored data broke the engine (it is validated before it is stored, so this is a
        # bug or a hand-edited row); an exam must go on, and the log tells us
        logger.exception("Scoring a %s question failed", qtype)
        return 0.0
