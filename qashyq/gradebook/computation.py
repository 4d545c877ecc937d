"""The grading rules of the e-journal as pure functions (no database, no Django).

With no intermediate rounding (every step is an exact ``Decimal``; a mean of weekly marks keeps
the 28 significant digits of the default context)::

    Р1 = (ТК1 + РК1) / 2
    Р2 = (ТК2 + РК2) / 2
    admission rating = (Р1 + Р2) / 2
    admitted = admission rating >= admission threshold (50)
    final % = round half up (0.6 × admission rating + 0.4 × exam)

Letter and points:

* not admitted -> F (the discipline must be studied again), whatever the exam;
* admitted and exam < exam minimum (50) -> FX (the exam may be re-sat without re-study);
* otherwise the letter of the final % by the scale.

A missing input gives ``None`` for everything that depends on it, never zero: a journal in the
middle of the semester has no admission rating yet. An F from a known admission rating below the
threshold needs no exam, so ``letter`` is "F" while ``final_percent`` stays ``None`` until an
exam mark exists.

The scale is a tuple of rows (letter, points, min %, max %); a final % belongs to the row with the
greatest ``min_percent`` not above it, so a scale of whole percents also places 94.5 (with
rounding to tenths) in A- and never falls into a gap. docs/subsystems/gradebook.md has the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

HUNDRED = Decimal(100)
ZERO = Decimal(0)
TWO = Decimal(2)

# Rounding rules a scheme may choose (the final % only; nothing before it is rounded).
ROUND_WHOLE = "whole"
ROUND_TENTH = "tenth"
ROUNDING_QUANTUM = {ROUND_WHOLE: Decimal("1"), ROUND_TENTH: Decimal("0.1")}

LETTER_F = "F"
LETTER_FX = "FX"


@dataclass(frozen=True)
class ScaleRow:
    letter: str
    points: Decimal
    min_percent: Decimal
    max_percent: Decimal

    def as_json(self) -> dict:
        return {
            "letter": self.letter,
            "points": str(self.points),
            "min": str(self.min_percent),
            "max": str(self.max_percent),
        }


def _row(letter: str, points: str, low: int, high: int) -> ScaleRow:
    return ScaleRow(letter, Decimal(points), Decimal(low), Decimal(high))


# The national letter-rating scale (credit technology of education), highest first.
NATIONAL_SCALE: tuple[ScaleRow, ...] = (
    _row("A", "4.0", 95, 100),
    _row("A-", "3.67", 90, 94),
    _row("B+", "3.33", 85, 89),
    _row("B", "3.0", 80, 84),
    _row("B-", "2.67", 75, 79),
    _row("C+", "2.33", 70, 74),
    _row("C", "2.0", 65, 69),
    _row("C-", "1.67", 60, 64),
    _row("D+", "1.33", 55, 59),
    _row("D", "1.0", 50, 54),
    _row("FX", "0.5", 25, 49),
    _row("F", "0", 0, 24),
)


@dataclass(frozen=True)
class Rules:
    """The parameters of one grading scheme version (``GradingScheme.rules()`` builds it)."""

    admission_weight: Decimal = Decimal("0.6")
    exam_weight: Decimal = Decimal("0.4")
    admission_threshold: Decimal = Decimal(50)
    exam_minimum: Decimal = Decimal(50)
    rounding: str = ROUND_WHOLE
    fx_points: Decimal = Decimal("0.5")
    scale: tuple[ScaleRow, ...] = NATIONAL_SCALE


DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Result:
    r1: Decimal | None
    r2: Decimal | None
    admission_rating: Decimal | None
    admitted: bool | None
    final_percent: Decimal | None
    letter: str | None
    points: Decimal | None


def to_decimal(value) -> Decimal | None:
    """``None`` stays ``None``; ints, strings and Decimals become Decimals (floats via str)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("A mark is a number, not a boolean.")
    return Decimal(str(value))


def half(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None or b is None:
        return None
    return (a + b) / TWO


def mean(values: Iterable[Decimal]) -> Decimal | None:
    """The arithmetic mean, or ``None`` for no values."""
    items = list(values)
    if not items:
        return None
    return sum(items, ZERO) / Decimal(len(items))


def round_percent(value: Decimal, rounding: str = ROUND_WHOLE) -> Decimal:
    """Round half up (away from zero at .5) to the scheme's precision."""
    return value.quantize(ROUNDING_QUANTUM[rounding], rounding=ROUND_HALF_UP)


def letter_row(percent: Decimal, scale: Sequence[ScaleRow] = NATIONAL_SCALE) -> ScaleRow:
    """The scale row of a (rounded) final %: the greatest ``min_percent`` not above it."""
    best: ScaleRow | None = None
    for row in scale:
        if row.min_percent <= percent and (best is None or row.min_percent > best.min_percent):
            best = row
    if best is None:  # below every row (a scale that does not start at 0): the lowest row
        best = min(scale, key=lambda r: r.min_percent)
    return best


def _points_of(letter: str, scale: Sequence[ScaleRow], default: Decimal) -> Decimal:
    for row in scale:
        if row.letter == letter:
            return row.points
    return default


def compute(tk1, rk1, tk2, rk2, exam, rules: Rules = DEFAULT_RULES) -> Result:
    """All computed columns of one journal row."""
    tk1, rk1, tk2, rk2, exam = (to_decimal(v) for v in (tk1, rk1, tk2, rk2, exam))
    r1 = half(tk1, rk1)
    r2 = half(tk2, rk2)
    admission = half(r1, r2)
    if admission is None:
        return Result(r1, r2, None, None, None, None, None)
    admitted = admission >= rules.admission_threshold
    final = None
    if exam is not None:
        final = round_percent(
            rules.admission_weight * admission + rules.exam_weight * exam, rules.rounding
        )
    if not admitted:
        letter, points = LETTER_F, _points_of(LETTER_F, rules.scale, ZERO)
    elif exam is None:
        letter, points = None, None
    elif exam < rules.exam_minimum:
        letter, points = LETTER_FX, rules.fx_points
    else:
        row = letter_row(final, rules.scale)
        letter = row.letter
        points = rules.fx_points if letter == LETTER_FX else row.points
    return Result(r1, r2, admission, admitted, final, letter, points)


# --- scale and value checks (the services turn the messages into translated errors) ------------


def scale_from_json(rows: Iterable[dict]) -> tuple[ScaleRow, ...]:
    """Rows of ``{"letter", "points", "min", "max"}``, highest first. Raises ValueError."""
    result = []
    try:
        for raw in rows:
            result.append(
                ScaleRow(
                    str(raw["letter"]).strip(),
                    Decimal(str(raw["points"])),
                    Decimal(str(raw["min"])),
                    Decimal(str(raw["max"])),
                )
            )
    except (KeyError, TypeError, InvalidOperation) as exc:
        raise ValueError("malformed") from exc
    return tuple(sorted(result, key=lambda r: r.min_percent, reverse=True))


def scale_problems(scale: Sequence[ScaleRow]) -> list[str]:
    """Codes of what is wrong with a scale (empty when it is usable)."""
    problems = []
    if not scale:
        return ["empty"]
    letters = [row.letter for row in scale]
    if any(not letter for letter in letters) or len(set(letters)) != len(letters):
        problems.append("letters")
    ordered = sorted(scale, key=lambda r: r.min_percent)
    if ordered[0].min_percent != ZERO or ordered[-1].max_percent != HUNDRED:
        problems.append("coverage")
    for row in ordered:
        if row.min_percent > row.max_percent or row.points < ZERO:
            problems.append("row")
            break
    for low, high in zip(ordered, ordered[1:], strict=False):
        if high.min_percent <= low.max_percent:
            problems.append("overlap")
            break
    return problems
