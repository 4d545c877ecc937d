"""The score distribution of a test as an accessible inline SVG, drawn on the server (no JS).

``distribution_svg(totals)`` returns safe markup: a ``<figure>`` holding the histogram (ten bands
of 10 percentage points, each a ``<rect class="bar">`` with its own ``<title>``), axis labels,
``role="img"`` with a ``<title>`` and a ``<desc>`` that say what the chart shows, and a visually
hidden table with the same numbers for screen readers. The markup is well-formed XML; every
text in it is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qashyq.assessments.analysis import SCORE_BANDS, AttemptTotal, score_bands

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 60
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
BAR_GAP = 4
BAR_COLOUR = "#1f5f99"  # 6.9:1 against white
INK = "#222222"
GRID = "#d0d0d0"


def _nice_ceiling(count: int) -> tuple[int, int]:
    """The top of the count axis and its tick step (1, 2 or 5 × 10ⁿ), at most five steps."""
    if count <= 0:
        return 1, 1
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(count / step) <= 5:
                return step * math.ceil(count / step), step
        magnitude *= 10


def _band_label(index: int) -> str:
    width = 100 // SCORE_BANDS
    return f"{index * width}–{(index + 1) * width}%"


def distribution_svg(
    totals: Iterable[AttemptTotal | float | None], *, id_prefix: str = "score-distribution"
) -> SafeString:
    """A histogram of percent scores; accepts attempt totals or plain percentages.

    Bands include their lower edge and exclude the upper one, except the last (90–100%), which
    holds 100%. Incomplete attempts (a response waits for a grade) are left out, as in the
    analysis.
    """
    percents: list[float | None] = []
    for item in totals:
        if isinstance(item, AttemptTotal):
            if item.complete:
                percents.append(item.percent)
        else:
            percents.append(item)
    counts = score_bands(percents)
    n = sum(counts)
    top, step = _nice_ceiling(max(counts))
    pid = escape(id_prefix)

    title = _("Score distribution")
    if n:
        busiest = max(range(SCORE_BANDS), key=lambda i: counts[i])
        desc = ngettext(
            "Histogram of the percent scores of %(n)d attempt in ten bands of 10 points; "
            "the most common band is %(band)s with %(count)d.",
            "Histogram of the percent scores of %(n)d attempts in ten bands of 10 points; "
            "the most common band is %(band)s with %(count)d.",
            n,
        ) % {"n": n, "band": _band_label(busiest), "count": counts[busiest]}
    else:
        desc = _("No complete attempts yet: the histogram is empty.")

    parts = [
        f'<figure class="score-distribution" id="{pid}">',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-labelledby="{pid}-title {pid}-desc" '
        f'font-family="sans-serif" font-size="12">',
        f'<title id="{pid}-title">{escape(title)}</title>',
        f'<desc id="{pid}-desc">{escape(desc)}</desc>',
    ]
    # Horizontal grid lines and count ticks.
    for value in range(0, top + 1, step):
        y = TOP + PLOT_H - PLOT_H * value / top
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + PLOT_W}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">{value}</text>'
        )
    band_w = PLOT_W / SCORE_BANDS
    for index, count in enumerate(counts):
        h = PLOT_H * count / top
        x = LEFT + index * band_w + BAR_GAP / 2
        y = TOP + PLOT_H - h
        tip = ngettext("%(band)s: %(count)d attempt", "%(band)s: %(count)d attempts", count) % {
            "band": _band_label(index),
            "count": count,
        }
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{band_w - BAR_GAP:.1f}" '
            f'height="{h:.1f}" fill="{BAR_COLOUR}" data-count="{count}">'
            f"<title>{escape(tip)}</title></rect>"
        )
    # Band edges under the x axis.
    for index in range(SCORE_BANDS + 1):
        x = LEFT + index * band_w
        parts.append(
            f'<text x="{x:.1f}" y="{TOP + PLOT_H + 16}" text-anchor="middle" fill="{INK}">'
            f"{index * 100 // SCORE_BANDS}</text>"
        )
    parts += [
        f'<line x1="{LEFT}" y1="{TOP + PLOT_H}" x2="{LEFT + PLOT_W}" y2="{TOP + PLOT_H}" '
        f'stroke="{INK}"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + PLOT_H}" stroke="{INK}"/>',
        f'<text x="{LEFT + PLOT_W / 2:.1f}" y="{HEIGHT - 12}" text-anchor="middle" '
        f'fill="{INK}">{escape(_("Score, %"))}</text>',
        f'<text transform="translate(14 {TOP + PLOT_H / 2:.1f}) rotate(-90)" '
        f'text-anchor="middle" fill="{INK}">{escape(_("Attempts"))}</text>',
        "</svg>",
        '<table class="visually-hidden">',
        f"<caption>{escape(title)}</caption>",
        f'<thead><tr><th scope="col">{escape(_("Score, %"))}</th>'
        f'<th scope="col">{escape(_("Attempts"))}</th></tr></thead>',
        "<tbody>",
    ]
    parts += [
        f'<tr><th scope="row">{escape(_band_label(i))}</th><td>{count}</td></tr>'
        for i, count in enumerate(counts)
    ]
    parts += ["</tbody>", "</table>", "</figure>"]
    return mark_safe("".join(parts))  # noqa: S308 — every dynamic text above is escaped
