"""Item analysis of a test: how hard each question was, how well it told stronger students from
weaker ones, which options drew whom, and how reliable the test was as a whole.

Everything here works on plain data, without the ORM: a selector turns a test's attempts into
``ItemResponse`` rows (one per attempt and slot) and ``OptionInfo`` lists, ``analyse`` computes
the statistics, ``analysis_export.analysis_xlsx`` writes them to a workbook and
``analysis_chart.distribution_svg`` draws the score distribution. The formulas, their thresholds
and what they mean for a tutor are in docs/subsystems/item-analysis.md; the per-question
measures follow Moodle's quiz statistics (facility, item–rest correlation, discriminative
efficiency) plus the classical upper/lower 27% discrimination index.

Rules worth knowing before wiring:

- ``fraction`` is the share of the question's mark earned, ``None`` while a hand-graded answer
  waits for its grade. An unanswered automatically scored question must be passed as 0.0.
- A response waiting for a grade is not counted: a question's facility and SD come from its
  graded responses; everything that needs an attempt's total (discrimination, correlations, the
  test summary, alpha) uses only *complete* attempts, whose every response is graded.
- Questions without a mark (descriptions, ``max_mark`` 0) are left out.
- Which attempts to pass (all, or each student's first or graded one) is the caller's choice.
- No statistic divides by zero: where one is undefined (too few attempts, no spread) it is
  ``None``, which the page and the workbook show as an empty cell.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

# --- thresholds (docs/subsystems/item-analysis.md explains them) --------------------------------

TOO_EASY_ABOVE = 90.0  # facility, %
TOO_HARD_BELOW = 20.0  # facility, %
WEAK_DISCRIMINATION_BELOW = 0.20  # item–rest correlation (or D when it cannot be computed)
LOW_ALPHA_BELOW = 0.70
FEW_ATTEMPTS_BELOW = 30
# Kelley's rule: the upper and lower groups are each 27% of the attempts, ranked by total score.
GROUP_SHARE = 0.27
SCORE_BANDS = 10

FLAG_LABELS = {
    "too_easy": gettext_lazy("too easy (facility above 90%)"),
    "too_hard": gettext_lazy("too hard (facility below 20%)"),
    "no_variance": gettext_lazy("everyone scored the same: it tells nothing about who knows more"),
    "negative_discrimination": gettext_lazy("negative discrimination — check the key"),
    "weak_discrimination": gettext_lazy("weak discrimination (below 0.20) — revise the question"),
    "never_chosen": gettext_lazy("distractor chosen by nobody — replace it"),
    "key_chosen_by_weaker": gettext_lazy(
        "a right option chosen more by weaker students — check the key"
    ),
    "distractor_chosen_by_stronger": gettext_lazy(
        "a wrong option chosen more by stronger students — is it also right?"
    ),
    "few_attempts": gettext_lazy("fewer than 30 complete attempts: the figures are rough"),
    "low_reliability": gettext_lazy("low reliability (Cronbach's alpha below 0.70)"),
}

_EPSILON = 1e-12


# --- input --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemResponse:
    """One attempt's response in one slot."""

    attempt_id: Hashable
    slot: int
    question_id: Hashable
    question_label: str
    qtype: str
    fraction: float | None  # None: waiting for a hand grade
    max_mark: float
    chosen_option_ids: tuple[str, ...] = ()

    @property
    def mark(self) -> float | None:
        return None if self.fraction is None else self.fraction * self.max_mark


@dataclass(frozen=True, slots=True)
class OptionInfo:
    """An option of a choice question and the share of the mark it carries (1 = the key)."""

    option_id: str
    label: str
    fraction: float


# --- output -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttemptTotal:
    attempt_id: Hashable
    total: float  # marks earned in graded responses
    max_mark: float
    complete: bool  # every response graded

    @property
    def percent(self) -> float | None:
        if self.max_mark <= 0:
            return None
        return round(self.total * 100 / self.max_mark, 6)


@dataclass(frozen=True, slots=True)
class QuestionStats:
    question_id: Hashable
    label: str
    qtype: str
    slots: tuple[int, ...]
    max_mark: float
    responses: int  # graded responses
    pending: int  # responses waiting for a hand grade
    facility: float | None  # mean fraction, %
    sd: float | None  # sample SD of the fraction, %
    discrimination_index: float | None  # upper 27% mean fraction − lower 27% mean fraction
    point_biserial: float | None  # corrected: item mark vs rest-of-test score (Pearson)
    discriminative_efficiency: float | None  # % of the highest covariance these marks allow
    no_option_chosen: int | None  # for questions with options: responses choosing none
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OptionStats:
    question_id: Hashable
    option_id: str
    label: str
    fraction: float
    chosen: int
    share: float | None  # % of the question's responses that chose it
    point_biserial: float | None  # chose it (1/0) vs rest-of-test score
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TestSummary:
    attempts: int  # complete attempts analysed
    attempts_pending: int  # attempts left out: a response still waits for a grade
    questions: int
    max_mark: float | None
    mean: float | None
    median: float | None
    sd: float | None
    minimum: float | None
    maximum: float | None
    mean_percent: float | None
    median_percent: float | None
    skewness: float | None
    kurtosis: float | None  # excess kurtosis: 0 for a normal distribution
    alpha: float | None  # Cronbach's alpha over the slots (KR-20 for right/wrong items)
    sem: float | None  # standard error of measurement, marks
    error_ratio: float | None  # SEM / SD, %
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TestAnalysis:
    summary: TestSummary
    questions: tuple[QuestionStats, ...]
    options: tuple[OptionStats, ...]
    attempts: tuple[AttemptTotal, ...] = field(default=())

    def options_of(self, question_id: Hashable) -> tuple[OptionStats, ...]:
        return tuple(o for o in self.options if o.question_id == question_id)


def flag_label(code: str) -> str:
    return str(FLAG_LABELS.get(code, code))


# --- small statistics, all safe on degenerate input ---------------------------------------------


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _sum_sq_dev(values: Sequence[float], mean: float) -> float:
    return math.fsum((v - mean) ** 2 for v in values)


def _variance(values: Sequence[float]) -> float | None:
    """Sample variance (n − 1), None below two values."""
    if len(values) < 2:
        return None
    if max(values) == min(values):
        return 0.0
    return _sum_sq_dev(values, math.fsum(values) / len(values)) / (len(values) - 1)


def _sd(values: Sequence[float]) -> float | None:
    variance = _variance(values)
    return None if variance is None else math.sqrt(variance)


def _median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _covariance_sum(xs: Sequence[float], ys: Sequence[float]) -> float:
    mx, my = math.fsum(xs) / len(xs), math.fsum(ys) / len(ys)
    return math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None below two pairs or when either side has no spread."""
    if len(xs) < 2 or max(xs) == min(xs) or max(ys) == min(ys):
        return None
    sxx = _sum_sq_dev(xs, math.fsum(xs) / len(xs))
    syy = _sum_sq_dev(ys, math.fsum(ys) / len(ys))
    if sxx <= _EPSILON or syy <= _EPSILON:
        return None
    # Rounded so that a correlation of exactly 0 does not come out as ±1e-17 and raise a flag.
    r = round(_covariance_sum(xs, ys) / math.sqrt(sxx * syy), 12)
    return max(-1.0, min(1.0, r))


def _efficiency(marks: Sequence[float], rests: Sequence[float]) -> float | None:
    """Covariance of item and rest score as % of the largest one the same values allow.

    The largest covariance comes from pairing the values in the same order (the best student on
    the rest of the test also best on this item), as Moodle's "discriminative efficiency" does.
    """
    if len(marks) < 2:
        return None
    best = _covariance_sum(sorted(marks), sorted(rests))
    if best <= _EPSILON:
        return None
    return round(100 * _covariance_sum(marks, rests) / best, 10)


def _shape(values: Sequence[float]) -> tuple[float | None, float | None]:
    """Sample skewness G1 and excess kurtosis G2 (the k-statistics, as Excel's SKEW and KURT)."""
    n = len(values)
    if n < 3 or max(values) == min(values):
        return None, None
    mean = math.fsum(values) / n
    m2 = math.fsum((v - mean) ** 2 for v in values) / n
    m3 = math.fsum((v - mean) ** 3 for v in values) / n
    m4 = math.fsum((v - mean) ** 4 for v in values) / n
    k2 = n * m2 / (n - 1)
    if k2 <= _EPSILON:
        return None, None
    k3 = n * n * m3 / ((n - 1) * (n - 2))
    skewness = k3 / k2**1.5
    if n < 4:
        return skewness, None
    k4 = n * n * ((n + 1) * m4 - 3 * (n - 1) * m2 * m2) / ((n - 1) * (n - 2) * (n - 3))
    return skewness, k4 / (k2 * k2)


def _upper_lower(pairs: Sequence[tuple[float, float, str]]) -> float | None:
    """Upper-27% mean fraction minus lower-27% mean fraction; pairs are (fraction, total, key).

    Attempts are ranked by total score (ties by attempt id, so the result is repeatable); each
    group holds round(0.27 × N) attempts, at least one. None below two attempts or when every
    attempt has the same total (there is no upper or lower group then).
    """
    n = len(pairs)
    if n < 2 or max(p[1] for p in pairs) == min(p[1] for p in pairs):
        return None
    size = max(1, math.floor(GROUP_SHARE * n + 0.5))
    ranked = sorted(pairs, key=lambda p: (-p[1], p[2]))
    upper = [p[0] for p in ranked[:size]]
    lower = [p[0] for p in ranked[-size:]]
    return math.fsum(upper) / size - math.fsum(lower) / size


def score_bands(percents: Iterable[float | None], bands: int = SCORE_BANDS) -> list[int]:
    """How many scores fall in each band of 100/bands points: [0, 10), …, [90, 100]."""
    counts = [0] * bands
    width = 100 / bands
    for value in percents:
        if value is None or math.isnan(value):
            continue
        index = int(min(max(round(value, 6), 0.0), 100.0) // width)
        counts[min(index, bands - 1)] += 1
    return counts


# --- the analysis -------------------------------------------------------------------------------


def analyse(
    responses: Iterable[ItemResponse],
    *,
    options_by_question: Mapping[Hashable, Sequence[OptionInfo]] | None = None,
) -> TestAnalysis:
    """The item analysis of one test from its responses (see the module docstring)."""
    options_by_question = options_by_question or {}
    rows = [r for r in responses if r.max_mark > 0 and r.qtype != "description"]

    by_attempt: dict[Hashable, dict[int, ItemResponse]] = defaultdict(dict)
    for row in rows:
        if row.slot in by_attempt[row.attempt_id]:
            raise ValueError(f"attempt {row.attempt_id!r} has two responses in slot {row.slot}")
        by_attempt[row.attempt_id][row.slot] = row

    totals: dict[Hashable, AttemptTotal] = {}
    for attempt_id, slots in by_attempt.items():
        totals[attempt_id] = AttemptTotal(
            attempt_id=attempt_id,
            total=math.fsum(r.mark for r in slots.values() if r.mark is not None),
            max_mark=math.fsum(r.max_mark for r in slots.values()),
            complete=all(r.fraction is not None for r in slots.values()),
        )
    complete = {a for a, t in totals.items() if t.complete}

    by_question: dict[Hashable, list[ItemResponse]] = defaultdict(list)
    for row in rows:
        by_question[row.question_id].append(row)

    questions: list[QuestionStats] = []
    options: list[OptionStats] = []
    for question_id, answers in by_question.items():
        questions.append(
            _question_stats(question_id, answers, totals, complete, options_by_question)
        )
        if question_id in options_by_question:
            options.extend(
                _option_stats(question_id, answers, options_by_question[question_id], totals)
            )
    questions.sort(key=lambda q: (min(q.slots), q.label))
    order = {q.question_id: i for i, q in enumerate(questions)}
    options.sort(key=lambda o: order[o.question_id])

    summary = _summary(by_attempt, totals, complete, len(questions))
    attempts = tuple(sorted(totals.values(), key=lambda t: str(t.attempt_id)))
    return TestAnalysis(summary, tuple(questions), tuple(options), attempts)


def _question_stats(question_id, answers, totals, complete, options_by_question) -> QuestionStats:
    first = answers[0]
    graded = [r for r in answers if r.fraction is not None]
    fractions = [r.fraction for r in graded]
    in_complete = [r for r in graded if r.attempt_id in complete]
    marks = [r.mark for r in in_complete]
    rests = [totals[r.attempt_id].total - r.mark for r in in_complete]
    facility = _mean(fractions)
    sd = _sd(fractions)
    upper_lower = _upper_lower(
        [(r.fraction, totals[r.attempt_id].total, str(r.attempt_id)) for r in in_complete]
    )
    r_pb = _pearson(marks, rests)
    no_option = None
    if question_id in options_by_question:
        no_option = sum(1 for r in answers if not r.chosen_option_ids)

    facility_pct = None if facility is None else facility * 100
    flags = []
    if facility_pct is not None and facility_pct > TOO_EASY_ABOVE:
        flags.append("too_easy")
    if facility_pct is not None and facility_pct < TOO_HARD_BELOW:
        flags.append("too_hard")
    if sd is not None and sd == 0:
        flags.append("no_variance")
    if (r_pb is not None and r_pb < 0) or (upper_lower is not None and upper_lower < 0):
        flags.append("negative_discrimination")
    else:
        measure = r_pb if r_pb is not None else upper_lower
        if measure is not None and measure < WEAK_DISCRIMINATION_BELOW:
            flags.append("weak_discrimination")

    return QuestionStats(
        question_id=question_id,
        label=first.question_label,
        qtype=first.qtype,
        slots=tuple(sorted({r.slot for r in answers})),
        max_mark=max(r.max_mark for r in answers),
        responses=len(graded),
        pending=len(answers) - len(graded),
        facility=facility_pct,
        sd=None if sd is None else sd * 100,
        discrimination_index=upper_lower,
        point_biserial=r_pb,
        discriminative_efficiency=_efficiency(marks, rests),
        no_option_chosen=no_option,
        flags=tuple(flags),
    )


def _option_stats(question_id, answers, option_infos, totals) -> list[OptionStats]:
    result = []
    in_complete = [r for r in answers if r.fraction is not None and totals[r.attempt_id].complete]
    rests = [totals[r.attempt_id].total - r.mark for r in in_complete]
    for info in option_infos:
        chosen = sum(1 for r in answers if info.option_id in r.chosen_option_ids)
        picks = [1.0 if info.option_id in r.chosen_option_ids else 0.0 for r in in_complete]
        r_pb = _pearson(picks, rests)
        flags = []
        if info.fraction > 0 and r_pb is not None and r_pb < 0:
            flags.append("key_chosen_by_weaker")
        if info.fraction <= 0 and answers and chosen == 0:
            flags.append("never_chosen")
        if info.fraction <= 0 and r_pb is not None and r_pb > 0:
            flags.append("distractor_chosen_by_stronger")
        result.append(
            OptionStats(
                question_id=question_id,
                option_id=info.option_id,
                label=info.label,
                fraction=info.fraction,
                chosen=chosen,
                share=chosen * 100 / len(answers) if answers else None,
                point_biserial=r_pb,
                flags=tuple(flags),
            )
        )
    return result


def _summary(by_attempt, totals, complete, question_count) -> TestSummary:
    scores = [totals[a].total for a in complete]
    percents = [p for a in complete if (p := totals[a].percent) is not None]
    sd = _sd(scores)
    skewness, kurtosis = _shape(scores)

    alpha = None
    # Cronbach's alpha over the slots every complete attempt has (normally all of them).
    common = set.intersection(*(set(by_attempt[a]) for a in complete)) if complete else set()
    if len(common) >= 2 and len(complete) >= 2:
        slots = sorted(common)
        ids = sorted(complete, key=str)
        item_variances = [_variance([by_attempt[a][s].mark for a in ids]) for s in slots]
        total_variance = _variance([math.fsum(by_attempt[a][s].mark for s in slots) for a in ids])
        if total_variance and total_variance > _EPSILON:
            k = len(slots)
            alpha = k / (k - 1) * (1 - math.fsum(item_variances) / total_variance)

    sem = error_ratio = None
    if alpha is not None and alpha >= 0 and sd is not None:
        error_ratio = 100 * math.sqrt(1 - alpha)
        sem = sd * math.sqrt(1 - alpha)

    flags = []
    if len(complete) < FEW_ATTEMPTS_BELOW:
        flags.append("few_attempts")
    if alpha is not None and alpha < LOW_ALPHA_BELOW:
        flags.append("low_reliability")
    max_marks = [totals[a].max_mark for a in complete]
    return TestSummary(
        attempts=len(complete),
        attempts_pending=len(totals) - len(complete),
        questions=question_count,
        max_mark=max(max_marks) if max_marks else None,
        mean=_mean(scores),
        median=_median(scores),
        sd=sd,
        minimum=min(scores) if scores else None,
        maximum=max(scores) if scores else None,
        mean_percent=_mean(percents),
        median_percent=_median(percents),
        skewness=skewness,
        kurtosis=kurtosis,
        alpha=alpha,
        sem=sem,
        error_ratio=error_ratio,
        flags=tuple(flags),
    )


# --- the workbook -------------------------------------------------------------------------------
