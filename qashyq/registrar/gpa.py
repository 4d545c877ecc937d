"""GPA arithmetic: pure functions over attempts, no database (docs/subsystems/registrar.md).

GPA = Σ(credits × points) / Σ credits over the *latest* attempt of each discipline.

* "Latest" orders attempts by the start of their academic period, then by the kind of attempt:
  regular < retake < summer < fx_resit (``gradebook.models.ATTEMPT_ORDER``). So an F in
  semester 1 followed by a summer retake counts the retake; an FX followed by its re-sit in the
  same period counts the re-sit, also when the FX came from a retake or a summer course of that
  period.
* Per period: the latest attempt of each discipline among the attempts of that period only
  (a semester's GPA keeps its F even after a summer retake: it is what that semester was).
* Cumulative: the latest attempt of each discipline among all attempts (optionally up to and
  including a period).
* FX counts with its points (0.5 on the national scale) when the grading scheme it was graded
  under says so (``GradingScheme.fx_in_gpa``); otherwise an FX attempt is left out of the GPA
  altogether (neither its credits nor its points). F counts with 0 points.
* An attempt without a letter (not graded yet) is not counted.
* Arithmetic is in Decimal, unrounded; ``display`` rounds half up to 2 decimals for people.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from qashyq.gradebook.models import ATTEMPT_ORDER

REGULAR = "regular"
FX_RESIT = "fx_resit"
RETAKE = "retake"
SUMMER = "summer"
FX = "FX"
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Attempt:
    """One result of a discipline, as the GPA needs it."""

    discipline_id: int
    period_id: int
    period_start: datetime.date
    attempt_kind: str
    letter: str
    points: Decimal
    credits: int
    fx_in_gpa: bool = True


def order_key(attempt: Attempt) -> tuple:
    return (attempt.period_start, ATTEMPT_ORDER.get(attempt.attempt_kind, len(ATTEMPT_ORDER)))


def latest_attempts(attempts: Iterable[Attempt]) -> dict[int, Attempt]:
    """The latest attempt of each discipline, by discipline id."""
    latest: dict[int, Attempt] = {}
    for attempt in attempts:
        current = latest.get(attempt.discipline_id)
        if current is None or order_key(attempt) >= order_key(current):
            latest[attempt.discipline_id] = attempt
    return latest


def counts_in_gpa(attempt: Attempt) -> bool:
    if not attempt.letter:
        return False
    return attempt.letter != FX or attempt.fx_in_gpa


def weighted_mean(attempts: Iterable[Attempt]) -> Decimal | None:
    """Σ(credits × points) / Σ credits over the attempts that count; None when none counts."""
    total_credits = 0
    total_points = Decimal(0)
    for attempt in attempts:
        if not counts_in_gpa(attempt) or attempt.credits <= 0:
            continue
        total_credits += attempt.credits
        total_points += Decimal(attempt.credits) * Decimal(attempt.points)
    if total_credits == 0:
        return None
    return total_points / Decimal(total_credits)


def cumulative_gpa(
    attempts: Iterable[Attempt], *, up_to: datetime.date | None = None
) -> Decimal | None:
    """Over the latest attempt of each discipline; ``up_to`` keeps attempts of periods that
    start on or before that date."""
    chosen = [a for a in attempts if up_to is None or a.period_start <= up_to]
    return weighted_mean(latest_attempts(chosen).values())


def period_gpa(attempts: Iterable[Attempt], period_id: int) -> Decimal | None:
    return weighted_mean(latest_attempts(a for a in attempts if a.period_id == period_id).values())


def gpa_by_period(attempts: Iterable[Attempt]) -> list[tuple[int, Decimal | None, Decimal | None]]:
    """``(period_id, period GPA, cumulative GPA up to that period)`` in period order."""
    attempts = list(attempts)
    starts: dict[int, datetime.date] = {}
    for attempt in attempts:
        starts[attempt.period_id] = attempt.period_start
    return [
        (period_id, period_gpa(attempts, period_id), cumulative_gpa(attempts, up_to=start))
        for period_id, start in sorted(starts.items(), key=lambda item: (item[1], item[0]))
    ]


def credits_earned(attempts: Iterable[Attempt]) -> int:
    """Credits of the disciplines whose latest attempt is passed (not F, not FX)."""
    return sum(
        a.credits
        for a in latest_attempts(attempts).values()
        if a.letter and a.letter not in ("F", FX)
    )


def display(value: Decimal | None) -> str:
    """A GPA as people read it: two decimals, half up; an empty string for none."""
    if value is None:
        return ""
    return format(Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP), "f")


def rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
