"""The grading rules, table-driven, at every boundary (no database)."""

from decimal import Decimal as D

import pytest

from qashyq.gradebook import computation as c
from qashyq.gradebook.computation import Rules, compute, letter_row, round_percent


@pytest.mark.parametrize(
    ("raw", "whole"),
    [
        ("49.5", "50"),
        ("49.49", "49"),
        ("49.4999999", "49"),
        ("50", "50"),
        ("89.5", "90"),
        ("89.49", "89"),
        ("94.5", "95"),
        ("94.49", "94"),
        ("0.5", "1"),
        ("0", "0"),
        ("99.5", "100"),
        ("100", "100"),
        ("24.5", "25"),
        ("54.5", "55"),
    ],
)
def test_round_half_up_to_whole_percent(raw, whole):
    assert round_percent(D(raw)) == D(whole)


def test_round_half_up_to_a_tenth():
    assert round_percent(D("94.45"), c.ROUND_TENTH) == D("94.5")
    assert round_percent(D("94.44"), c.ROUND_TENTH) == D("94.4")


@pytest.mark.parametrize(
    ("percent", "letter", "points"),
    [
        (0, "F", "0"),
        (24, "F", "0"),
        (25, "FX", "0.5"),
        (49, "FX", "0.5"),
        (50, "D", "1.0"),
        (54, "D", "1.0"),
        (55, "D+", "1.33"),
        (59, "D+", "1.33"),
        (60, "C-", "1.67"),
        (64, "C-", "1.67"),
        (65, "C", "2.0"),
        (69, "C", "2.0"),
        (70, "C+", "2.33"),
        (74, "C+", "2.33"),
        (75, "B-", "2.67"),
        (79, "B-", "2.67"),
        (80, "B", "3.0"),
        (84, "B", "3.0"),
        (85, "B+", "3.33"),
        (89, "B+", "3.33"),
        (90, "A-", "3.67"),
        (94, "A-", "3.67"),
        (95, "A", "4.0"),
        (100, "A", "4.0"),
    ],
)
def test_national_scale_at_every_boundary(percent, letter, points):
    row = letter_row(D(percent))
    assert (row.letter, row.points) == (letter, D(points))


def test_a_percent_between_whole_rows_belongs_to_the_lower_row():
    assert letter_row(D("94.5")).letter == "A-"
    assert letter_row(D("49.9")).letter == "FX"
    assert letter_row(D("24.9")).letter == "F"


# (tk1, rk1, tk2, rk2, exam) -> (admission, admitted, final %, letter, points)
CASES = [
    # full marks
    ((100, 100, 100, 100, 100), ("100", True, "100", "A", "4.0")),
    # admission exactly 50 and exam exactly 50: the lowest pass
    ((50, 50, 50, 50, 50), ("50", True, "50", "D", "1.0")),
    # admission 49.99: not admitted -> F whatever the exam
    (("49.99", "49.99", "49.99", "49.99", 100), ("49.99", False, "70", "F", "0")),
    # admitted, exam 49 -> FX (final computed: 60 + 19.6 = 79.6 -> 80, still FX)
    ((100, 100, 100, 100, 49), ("100", True, "80", "FX", "0.5")),
    # exam 50 -> letter of the final %: 60 + 20 = 80 -> B
    ((100, 100, 100, 100, 50), ("100", True, "80", "B", "3.0")),
    # 0.6 x 90 + 0.4 x 88.75 = 89.5 -> 90 -> A-
    ((90, 90, 90, 90, "88.75"), ("90", True, "90", "A-", "3.67")),
    # 0.6 x 90 + 0.4 x 88.74 = 89.496 -> 89 -> B+
    ((90, 90, 90, 90, "88.74"), ("90", True, "89", "B+", "3.33")),
    # 0.6 x 95 + 0.4 x 93.75 = 94.5 -> 95 -> A
    ((95, 95, 95, 95, "93.75"), ("95", True, "95", "A", "4.0")),
    # 0.6 x 95 + 0.4 x 93.74 = 94.496 -> 94 -> A-
    ((95, 95, 95, 95, "93.74"), ("95", True, "94", "A-", "3.67")),
    # 0.6 x 50 + 0.4 x 61.25 = 54.5 -> 55 -> D+
    ((50, 50, 50, 50, "61.25"), ("50", True, "55", "D+", "1.33")),
    # admission from unequal halves: Р1 = 60, Р2 = 40 -> 50: admitted
    ((70, 50, 30, 50, 60), ("50", True, "54", "D", "1.0")),
    # admission 0 -> F
    ((0, 0, 0, 0, 0), ("0", False, "0", "F", "0")),
]


@pytest.mark.parametrize(("marks", "expected"), CASES)
def test_grading_rules(marks, expected):
    admission, admitted, final, letter, points = expected
    result = compute(*marks)
    assert result.admission_rating == D(admission)
    assert result.admitted is admitted
    assert result.final_percent == D(final)
    assert result.letter == letter
    assert result.points == D(points)


def test_no_intermediate_rounding():
    # Р1 = Р2 = (89.99 + 89.98) / 2 = 89.985 exactly; admission 89.985.
    # 0.6 x 89.985 + 0.4 x 88.77 = 53.991 + 35.508 = 89.499 -> 89 (B+). Rounding Р1 and Р2 to
    # 89.99 first would give 89.502 -> 90 (A-).
    result = compute("89.99", "89.98", "89.99", "89.98", "88.77")
    assert result.r1 == D("89.985") and result.r2 == D("89.985")
    assert result.admission_rating == D("89.985")
    assert (result.final_percent, result.letter) == (D("89"), "B+")


def test_r1_r2_are_halves():
    result = compute(80, 61, 71, 90, None)
    assert result.r1 == D("70.5")
    assert result.r2 == D("80.5")
    assert result.admission_rating == D("75.5")


@pytest.mark.parametrize(
    "marks",
    [
        (None, 80, 80, 80, 80),
        (80, None, 80, 80, 80),
        (80, 80, None, 80, 80),
        (80, 80, 80, None, 80),
        (None, None, None, None, None),
    ],
)
def test_a_missing_column_gives_no_admission_rating_not_zero(marks):
    result = compute(*marks)
    assert result.admission_rating is None
    assert result.admitted is None
    assert result.final_percent is None
    assert result.letter is None
    assert result.points is None


def test_missing_half_keeps_the_other_half():
    result = compute(None, 80, 70, 90, None)
    assert result.r1 is None
    assert result.r2 == D(80)


def test_admitted_without_an_exam_has_no_final_yet():
    result = compute(80, 80, 80, 80, None)
    assert result.admitted is True
    assert (result.final_percent, result.letter, result.points) == (None, None, None)


def test_not_admitted_is_f_before_any_exam():
    result = compute(40, 40, 40, 40, None)
    assert result.admitted is False
    assert result.letter == "F"
    assert result.points == D(0)
    assert result.final_percent is None


def test_exam_zero_is_a_mark_not_missing():
    result = compute(100, 100, 100, 100, 0)
    assert result.final_percent == D(60)
    assert result.letter == "FX"


def test_custom_rules():
    rules = Rules(
        admission_weight=D("0.5"),
        exam_weight=D("0.5"),
        admission_threshold=D(60),
        exam_minimum=D(40),
        rounding=c.ROUND_TENTH,
        fx_points=D(0),
    )
    # admission 59.99 < 60 -> F
    assert compute("59.99", "59.99", "59.99", "59.99", 100, rules).letter == "F"
    # admission 60, exam 39 -> FX with the scheme's FX points
    fx = compute(60, 60, 60, 60, 39, rules)
    assert (fx.letter, fx.points) == ("FX", D(0))
    # 0.5 x 95 + 0.5 x 93.9 = 94.45 -> 94.5 (tenths) -> A- (94.5 is below A's 95)
    result = compute(95, 95, 95, 95, "93.9", rules)
    assert (result.final_percent, result.letter) == (D("94.5"), "A-")


def test_mean():
    assert c.mean([]) is None
    assert c.mean([D(80), D(90)]) == D(85)
    assert c.mean([D(70), D(70), D(71)]) == D(211) / D(3)


def test_scale_checks():
    assert c.scale_problems(c.NATIONAL_SCALE) == []
    rows = [row.as_json() for row in c.NATIONAL_SCALE]
    assert c.scale_from_json(rows) == c.NATIONAL_SCALE
    overlap = [dict(r) for r in rows]
    overlap[1]["max"] = "96"  # A- up to 96, A from 95
    assert "overlap" in c.scale_problems(c.scale_from_json(overlap))
    no_zero = [r for r in rows if r["letter"] != "F"]
    assert "coverage" in c.scale_problems(c.scale_from_json(no_zero))
    twice = [dict(r) for r in rows]
    twice[0]["letter"] = "A-"
    assert "letters" in c.scale_problems(c.scale_from_json(twice))
    with pytest.raises(ValueError):
        c.scale_from_json([{"letter": "A"}])
    with pytest.raises(ValueError):
        c.scale_from_json([{"letter": "A", "points": "x", "min": 0, "max": 100}])
