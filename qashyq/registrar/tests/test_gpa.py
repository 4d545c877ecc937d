"""The GPA arithmetic, without a database."""

import datetime
from decimal import Decimal

import pytest

from qashyq.registrar import gpa
from qashyq.registrar.gpa import Attempt

SEM1 = (1, datetime.date(2026, 9, 1))
SEM2 = (2, datetime.date(2027, 1, 20))
SUMMER = (3, datetime.date(2027, 6, 15))


def attempt(discipline, period, letter, points, credits=5, kind="regular", fx_in_gpa=True):
    period_id, start = period
    return Attempt(
        discipline_id=discipline,
        period_id=period_id,
        period_start=start,
        attempt_kind=kind,
        letter=letter,
        points=Decimal(points),
        credits=credits,
        fx_in_gpa=fx_in_gpa,
    )


def test_weighted_by_credits():
    attempts = [attempt(1, SEM1, "A", "4.0", credits=6), attempt(2, SEM1, "C", "2.0", credits=4)]
    # (6 × 4 + 4 × 2) / 10 = 3.2
    assert gpa.cumulative_gpa(attempts) == Decimal("3.2")


def test_f_then_summer_retake_counts_the_retake():
    attempts = [
        attempt(1, SEM1, "A", "4.0"),
        attempt(2, SEM1, "F", "0"),
        attempt(2, SUMMER, "B", "3.0", kind="summer"),
    ]
    assert gpa.cumulative_gpa(attempts) == Decimal("3.5")
    # the first semester's own GPA keeps its F
    assert gpa.period_gpa(attempts, 1) == Decimal("2")
    assert gpa.period_gpa(attempts, 3) == Decimal("3")


def test_the_order_of_input_does_not_matter():
    attempts = [
        attempt(2, SUMMER, "B", "3.0", kind="summer"),
        attempt(2, SEM1, "F", "0"),
    ]
    assert gpa.latest_attempts(attempts)[2].letter == "B"
    assert gpa.latest_attempts(reversed(attempts))[2].letter == "B"


def test_fx_resit_in_the_same_period_replaces_the_fx():
    attempts = [
        attempt(1, SEM1, "FX", "0.5"),
        attempt(1, SEM1, "C+", "2.33", kind="fx_resit"),
    ]
    assert gpa.cumulative_gpa(attempts) == Decimal("2.33")
    assert gpa.period_gpa(attempts, 1) == Decimal("2.33")


@pytest.mark.parametrize("kind", ["summer", "retake"])
def test_fx_of_a_summer_or_retake_course_is_replaced_by_its_re_sit_in_the_same_period(kind):
    attempts = [
        attempt(1, SEM1, "F", "0"),
        attempt(1, SUMMER, "FX", "0.5", kind=kind),
        attempt(1, SUMMER, "B", "3.0", kind="fx_resit"),
    ]
    assert gpa.latest_attempts(attempts)[1].letter == "B"
    assert gpa.latest_attempts(reversed(attempts))[1].letter == "B"
    assert gpa.period_gpa(attempts, 3) == Decimal("3")


@pytest.mark.parametrize(
    ("fx_in_gpa", "expected"),
    [(True, Decimal("2.25")), (False, Decimal("4"))],
)
def test_fx_counts_with_its_points_only_when_the_scheme_says_so(fx_in_gpa, expected):
    attempts = [attempt(1, SEM1, "A", "4.0"), attempt(2, SEM1, "FX", "0.5", fx_in_gpa=fx_in_gpa)]
    assert gpa.cumulative_gpa(attempts) == expected


def test_only_fx_left_out_gives_no_gpa():
    assert gpa.cumulative_gpa([attempt(1, SEM1, "FX", "0.5", fx_in_gpa=False)]) is None
    assert gpa.cumulative_gpa([]) is None


def test_per_period_and_cumulative():
    attempts = [
        attempt(1, SEM1, "A", "4.0"),
        attempt(2, SEM1, "C", "2.0"),
        attempt(3, SEM2, "B", "3.0", credits=10),
    ]
    rows = gpa.gpa_by_period(attempts)
    assert rows == [
        (1, Decimal("3"), Decimal("3")),
        (2, Decimal("3"), Decimal("3")),
    ]
    attempts.append(attempt(4, SEM2, "D", "1.0", credits=10))
    rows = gpa.gpa_by_period(attempts)
    assert rows[1][1] == Decimal("2")  # (10×3 + 10×1) / 20
    assert rows[1][2] == Decimal("70") / Decimal("30")  # (5×4 + 5×2 + 10×3 + 10×1) / 30


def test_no_intermediate_rounding_and_display_rounds_half_up():
    attempts = [
        attempt(1, SEM1, "A-", "3.67", credits=5),
        attempt(2, SEM1, "B+", "3.33", credits=1),
    ]
    value = gpa.cumulative_gpa(attempts)
    assert value == (Decimal("18.35") + Decimal("3.33")) / 6  # 3.61333…
    assert gpa.display(value) == "3.61"
    assert gpa.display(Decimal("3.605")) == "3.61"
    assert gpa.display(None) == ""


def test_ungraded_attempts_do_not_count():
    assert gpa.cumulative_gpa([attempt(1, SEM1, "", "0"), attempt(2, SEM1, "B", "3")]) == 3


def test_credits_earned_counts_passed_latest_attempts():
    attempts = [
        attempt(1, SEM1, "F", "0"),
        attempt(1, SUMMER, "C", "2", kind="summer"),
        attempt(2, SEM1, "FX", "0.5"),
        attempt(3, SEM1, "A", "4", credits=3),
    ]
    assert gpa.credits_earned(attempts) == 8
