"""Item analysis: statistics checked against hand computations and published figures, the
workbook a tutor downloads, and the score distribution chart."""

import io
import math
import random
import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook

from qashyq.assessments.analysis import (
    AttemptTotal,
    ItemResponse,
    OptionInfo,
    analyse,
    score_bands,
)
from qashyq.assessments.analysis_chart import distribution_svg
from qashyq.assessments.analysis_export import analysis_xlsx

SVG = "{http://www.w3.org/2000/svg}"


def responses_from(matrix, *, max_mark=1.0, qtype="single", chosen=None):
    """One attempt per row ("s01", "s02", …), one slot per column (questions q1, q2, …)."""
    rows = []
    for i, fractions in enumerate(matrix, start=1):
        for j, fraction in enumerate(fractions, start=1):
            rows.append(
                ItemResponse(
                    attempt_id=f"s{i:02d}",
                    slot=j,
                    question_id=f"q{j}",
                    question_label=f"Question {j}",
                    qtype=qtype,
                    fraction=None if fraction is None else float(fraction),
                    max_mark=max_mark,
                    chosen_option_ids=(chosen or {}).get((i, j), ()),
                )
            )
    return rows


# Five students, four right/wrong items in a perfect Guttman pattern.
GUTTMAN = [
    [1, 1, 1, 1],  # total 4
    [1, 1, 1, 0],  # 3
    [1, 1, 0, 0],  # 2
    [1, 0, 0, 0],  # 1
    [0, 0, 0, 0],  # 0
]


def test_facility_alpha_and_sem_match_the_hand_computation():
    # p = 0.8, 0.6, 0.4, 0.2. Sample item variances p(1 − p)·n/(n − 1) = 0.2, 0.3, 0.3, 0.2,
    # sum 1.0. Totals 4, 3, 2, 1, 0: mean 2, sample variance (4+1+0+1+4)/4 = 2.5.
    # alpha = k/(k − 1)·(1 − Σ var_i / var_total) = 4/3 · (1 − 1/2.5) = 0.8 (KR-20 gives the
    # same with population variances: 4/3 · (1 − 0.8/2)). SEM = SD·√(1 − α) = √2.5·√0.2 = √0.5.
    analysis = analyse(responses_from(GUTTMAN))
    summary = analysis.summary

    assert [q.facility for q in analysis.questions] == pytest.approx([80, 60, 40, 20])
    assert summary.attempts == 5
    assert summary.questions == 4
    assert summary.mean == pytest.approx(2.0)
    assert summary.median == pytest.approx(2.0)
    assert summary.sd == pytest.approx(math.sqrt(2.5))
    assert summary.alpha == pytest.approx(0.8)
    assert summary.sem == pytest.approx(math.sqrt(0.5))
    assert summary.error_ratio == pytest.approx(100 * math.sqrt(0.2))
    assert summary.mean_percent == pytest.approx(50.0)
    # Item SD as a percentage of the mark: √0.2 = 44.7%, √0.3 = 54.8%.
    assert analysis.questions[0].sd == pytest.approx(100 * math.sqrt(0.2))
    assert analysis.questions[1].sd == pytest.approx(100 * math.sqrt(0.3))
    assert "few_attempts" in summary.flags


def test_discrimination_measures_match_the_hand_computation():
    # Item 1 = (1, 1, 1, 1, 0), rest of the test = (3, 2, 1, 0, 0): means 0.8 and 1.2;
    # Σ dx·dy = 0.36 + 0.16 − 0.04 − 0.24 + 0.96 = 1.2, Σ dx² = 0.8, Σ dy² = 6.8,
    # r = 1.2 / √(0.8 · 6.8) = 0.5145.
    # Item 2 = (1, 1, 1, 0, 0), rest = (3, 2, 1, 1, 0): Σ dx·dy = 1.8, Σ dx² = 1.2,
    # Σ dy² = 5.2, r = 1.8 / √6.24 = 0.7206.
    # With 5 attempts each 27% group is round(1.35) = 1 attempt: the best (all right) and the
    # worst (all wrong), so D = 1 − 0 = 1 for every item. The pattern is perfectly ordered, so
    # the covariance is the largest these marks allow: efficiency 100%.
    questions = analyse(responses_from(GUTTMAN)).questions

    assert questions[0].point_biserial == pytest.approx(1.2 / math.sqrt(5.44))
    assert questions[1].point_biserial == pytest.approx(1.8 / math.sqrt(6.24))
    assert [q.discrimination_index for q in questions] == pytest.approx([1, 1, 1, 1])
    assert [q.discriminative_efficiency for q in questions] == pytest.approx([100] * 4)
    assert all(q.flags == () for q in questions)


# Ten students, best first. Items 1–4 are keyed right; item 5 is mis-keyed: the key says "a"
# (chosen by the four weakest), while the five strongest choose "b", which is the real answer.
SKILLS = [
    [1, 1, 1, 1],
    [1, 1, 1, 1],
    [1, 1, 1, 0],
    [1, 1, 0, 1],
    [1, 1, 0, 0],
    [1, 0, 1, 0],
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
]
ITEM5_CHOICES = ["b", "b", "b", "b", "b", "c", "a", "a", "a", "a"]
ITEM5_OPTIONS = [
    OptionInfo("a", "Option a", 1.0),
    OptionInfo("b", "Option b", 0.0),
    OptionInfo("c", "Option c", 0.0),
    OptionInfo("d", "Option d", 0.0),
]


def miskeyed_analysis():
    matrix = [
        row + [1 if choice == "a" else 0] for row, choice in zip(SKILLS, ITEM5_CHOICES, strict=True)
    ]
    chosen = {(i, 5): (choice,) for i, choice in enumerate(ITEM5_CHOICES, start=1)}
    return analyse(responses_from(matrix, chosen=chosen), options_by_question={"q5": ITEM5_OPTIONS})


def test_a_miskeyed_item_has_negative_discrimination_and_is_flagged():
    # Item 5 = (0,0,0,0,0,0,1,1,1,1), rest = items 1–4 = (4,4,3,3,2,2,1,1,0,0): means 0.4, 2;
    # Σ dx·dy = −0.4·6 + 0.6·(−6) = −6, Σ dx² = 2.4, Σ dy² = 20, r = −6/√48 = −0.866.
    # Totals (4,4,3,3,2,2,2,2,1,1); the groups are round(2.7) = 3 attempts: the upper three
    # all have 0 on item 5, the lower three (s08–s10) all have 1: D = 0 − 1 = −1.
    analysis = miskeyed_analysis()
    item5 = analysis.questions[4]

    assert item5.facility == pytest.approx(40)
    assert item5.point_biserial == pytest.approx(-6 / math.sqrt(48))
    assert item5.discrimination_index == pytest.approx(-1)
    assert item5.discriminative_efficiency < 0
    assert "negative_discrimination" in item5.flags
    # The properly keyed items discriminate positively and carry no such flag.
    for question in analysis.questions[:4]:
        assert question.point_biserial > 0
        assert question.discrimination_index > 0
        assert "negative_discrimination" not in question.flags


def test_option_analysis_points_at_the_real_answer():
    # Choosing "b" = (1,1,1,1,1,0,0,0,0,0) against the rest (4,4,3,3,2,2,1,1,0,0):
    # Σ dx·dy = 0.5·6 − 0.5·(−6) = 6, Σ dx² = 2.5, Σ dy² = 20, r = 6/√50 = 0.849.
    # Choosing "c" (only s06, whose rest score is the mean 2) is uncorrelated: r = 0.
    options = {o.option_id: o for o in miskeyed_analysis().options_of("q5")}

    assert [options[k].share for k in "abcd"] == pytest.approx([40, 50, 10, 0])
    assert [options[k].chosen for k in "abcd"] == [4, 5, 1, 0]
    assert options["a"].point_biserial == pytest.approx(-6 / math.sqrt(48))
    assert options["b"].point_biserial == pytest.approx(6 / math.sqrt(50))
    assert options["c"].point_biserial == pytest.approx(0, abs=1e-9)
    assert options["d"].point_biserial is None
    assert options["a"].flags == ("key_chosen_by_weaker",)
    assert options["b"].flags == ("distractor_chosen_by_stronger",)
    assert options["c"].flags == ()
    assert options["d"].flags == ("never_chosen",)


def test_upper_and_lower_groups_are_27_percent_of_the_attempts():
    # 11 attempts: groups of round(2.97) = 3. Only the top three and the bottom three count:
    # an item right for s01–s03 and s08 (fourth from the bottom), wrong elsewhere, has D = 1.
    matrix = [[1 if i in (0, 1, 2, 7) else 0] + [1] * (10 - i) + [0] * i for i in range(11)]
    item1 = analyse(responses_from(matrix)).questions[0]
    assert item1.discrimination_index == pytest.approx(1.0)


def test_alpha_equals_the_mean_covariance_formula_with_partial_credit():
    # An independent formula: alpha = k·c̄ / (v̄ + (k − 1)·c̄), with v̄ the mean item variance
    # and c̄ the mean covariance between two different items.
    rng = random.Random(7)
    matrix = []
    for _ in range(40):
        ability = rng.random()
        matrix.append(
            [min(1, max(0, round(ability + rng.uniform(-0.4, 0.4), 1))) for _ in range(6)]
        )
    summary = analyse(responses_from(matrix, max_mark=2.0)).summary

    k, n = 6, len(matrix)
    marks = [[2.0 * f for f in row] for row in matrix]
    means = [sum(row[j] for row in marks) / n for j in range(k)]

    def cov(a, b):
        return sum((row[a] - means[a]) * (row[b] - means[b]) for row in marks) / (n - 1)

    v_bar = sum(cov(j, j) for j in range(k)) / k
    c_bar = sum(cov(a, b) for a in range(k) for b in range(k) if a != b) / (k * (k - 1))
    assert summary.alpha == pytest.approx(k * c_bar / (v_bar + (k - 1) * c_bar))
    assert 0.5 < summary.alpha < 1


def test_skewness_and_kurtosis_match_excels_published_example():
    # Microsoft's SKEW and KURT help pages use the data 3, 4, 5, 2, 3, 4, 5, 6, 4, 7:
    # SKEW = 0.359543, KURT = −0.1518.
    data = [3, 4, 5, 2, 3, 4, 5, 6, 4, 7]
    summary = analyse(responses_from([[x / 10] for x in data], max_mark=10.0)).summary
    assert summary.skewness == pytest.approx(0.359543, abs=1e-6)
    assert summary.kurtosis == pytest.approx(-0.151799637, abs=1e-6)
    assert summary.median == pytest.approx(4.0)
    assert summary.mean == pytest.approx(4.3)
    assert (summary.minimum, summary.maximum) == (2.0, 7.0)


def test_an_answer_waiting_for_a_grade_is_counted_only_once_graded():
    matrix = [row + [essay] for row, essay in zip(GUTTMAN, [1, 0.5, None, 0, 0], strict=True)]
    rows = [r if r.slot != 5 else _as_essay(r) for r in responses_from(matrix)]
    analysis = analyse(rows)
    essay = analysis.questions[4]

    assert (essay.responses, essay.pending) == (4, 1)
    assert essay.facility == pytest.approx(100 * 1.5 / 4)
    # The attempt with the ungraded essay has no final total: the test summary leaves it out.
    assert analysis.summary.attempts == 4
    assert analysis.summary.attempts_pending == 1
    assert analysis.summary.mean == pytest.approx((5 + 3.5 + 1 + 0) / 4)
    incomplete = [t for t in analysis.attempts if not t.complete]
    assert [t.attempt_id for t in incomplete] == ["s03"]

    # Once graded, it counts everywhere.
    matrix[2][4] = 1
    graded = analyse([r if r.slot != 5 else _as_essay(r) for r in responses_from(matrix)])
    assert (graded.questions[4].responses, graded.questions[4].pending) == (5, 0)
    assert graded.summary.attempts == 5


def _as_essay(row):
    return ItemResponse(
        row.attempt_id, row.slot, row.question_id, "Essay", "essay", row.fraction, row.max_mark
    )


def test_random_questions_are_analysed_over_the_attempts_that_drew_them():
    rows = responses_from(GUTTMAN)
    # Slot 4 drew question "x" for the first two students, "y" for the rest.
    rows = [
        r
        if r.slot != 4
        else ItemResponse(
            r.attempt_id,
            4,
            "x" if r.attempt_id in ("s01", "s02") else "y",
            "Drawn",
            "single",
            r.fraction,
            1.0,
        )
        for r in rows
    ]
    questions = {q.question_id: q for q in analyse(rows).questions}
    assert questions["x"].responses == 2
    assert questions["x"].facility == pytest.approx(50)
    assert questions["y"].responses == 3
    assert questions["y"].facility == pytest.approx(0)


def test_empty_input_gives_empty_statistics():
    analysis = analyse([])
    summary = analysis.summary
    assert analysis.questions == () and analysis.options == ()
    assert summary.attempts == 0
    assert summary.mean is summary.sd is summary.alpha is summary.sem is summary.skewness is None


def test_one_attempt_has_a_mean_but_nothing_that_needs_spread():
    analysis = analyse(responses_from([[1, 0, 1]]))
    summary = analysis.summary
    assert summary.mean == 2.0
    assert summary.sd is summary.alpha is summary.sem is summary.skewness is None
    for question in analysis.questions:
        assert question.sd is None
        assert question.point_biserial is None
        assert question.discrimination_index is None
        assert question.discriminative_efficiency is None


def test_everyone_scoring_the_same_gives_none_not_a_division_by_zero():
    analysis = analyse(responses_from([[1, 0, 1]] * 6), options_by_question={"q1": ITEM5_OPTIONS})
    summary = analysis.summary
    assert summary.sd == 0
    assert summary.alpha is None and summary.sem is None
    assert summary.skewness is None and summary.kurtosis is None
    first, second, _third = analysis.questions
    assert first.point_biserial is None and first.discrimination_index is None
    assert first.flags == ("too_easy", "no_variance")
    assert second.flags == ("too_hard", "no_variance")
    assert all(o.point_biserial is None for o in analysis.options)
    assert analysis.options[0].share == 0  # no option recorded as chosen
    assert first.no_option_chosen == 6


def test_descriptions_and_zero_mark_questions_are_left_out():
    rows = responses_from(GUTTMAN)
    rows.append(ItemResponse("s01", 9, "intro", "Read this", "description", None, 0.0))
    analysis = analyse(rows)
    assert [q.question_id for q in analysis.questions] == ["q1", "q2", "q3", "q4"]
    assert analysis.summary.attempts == 5


def test_two_responses_in_one_slot_are_refused():
    rows = responses_from([[1, 0]])
    with pytest.raises(ValueError, match="slot 1"):
        analyse(rows + rows[:1])


def test_score_bands_include_the_lower_edge_and_100_goes_to_the_last_band():
    # 69.9999999999 is 70 spoilt by floating point: it belongs with 70.
    values = [0, 9.999, 10, 69.9999999999, 70, 99.9, 100, None, -5, 120]
    assert score_bands(values) == [3, 1, 0, 0, 0, 0, 0, 2, 0, 3]


# --- the workbook ---------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_workbook_has_the_three_sheets_with_numbers_and_flags():
    data = analysis_xlsx(miskeyed_analysis(), title="РК1 · Өнертануға кіріспе")
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Questions", "Options", "Test"]

    questions = workbook["Questions"]
    headers = [c.value for c in questions[1]]
    assert headers[6] == "Facility, %"
    rows = {row[1]: row for row in questions.iter_rows(min_row=2, values_only=True)}
    item5 = rows["Question 5"]
    assert item5[headers.index("Facility, %")] == pytest.approx(40)
    assert item5[headers.index("Point-biserial (item − rest of test)")] == pytest.approx(
        -0.866, abs=1e-3
    )
    assert item5[headers.index("Discrimination index (upper − lower 27%)")] == pytest.approx(-1)
    assert "negative discrimination — check the key" in item5[headers.index("Flags")]
    assert questions.column_dimensions["B"].width > questions.column_dimensions["A"].width

    options = list(workbook["Options"].iter_rows(min_row=2, values_only=True))
    assert [(o[2], o[4], o[5]) for o in options] == [
        ("Option a", 4, 40),
        ("Option b", 5, 50),
        ("Option c", 1, 10),
        ("Option d", 0, 0),
    ]
    assert "distractor chosen by nobody" in options[3][7]

    test = {row[0]: row[1] for row in workbook["Test"].iter_rows(min_row=2, values_only=True)}
    assert test["Test"] == "РК1 · Өнертануға кіріспе"
    assert test["Complete attempts analysed"] == 10
    assert isinstance(test["Cronbach's alpha"], float)
    assert test["Mean"] == pytest.approx(2.4)  # totals 4, 4, 3, 3, 2, 2, 2, 2, 1, 1
    assert test["80–90%"] == 2  # the two students with 4 of 5
    assert test["90–100%"] == 0


@pytest.mark.usefixtures("english")
def test_workbook_keeps_a_formula_like_label_as_text_and_blank_for_undefined():
    rows = [
        ItemResponse(1, 1, "q", '=HYPERLINK("http://evil.example","x")', "single", 1.0, 1.0),
    ]
    workbook = load_workbook(io.BytesIO(analysis_xlsx(analyse(rows), title="=1+1")))
    cell = workbook["Questions"]["B2"]
    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")
    assert workbook["Test"]["B2"].data_type == "s"
    sd_column = [c.value for c in workbook["Questions"][1]].index("Standard deviation, %") + 1
    assert workbook["Questions"].cell(row=2, column=sd_column).value is None


# --- the chart ------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_chart_is_well_formed_with_ten_bars_and_an_accessible_name():
    totals = [AttemptTotal(i, total, 10.0, True) for i, total in enumerate([1, 5, 5, 6, 10, 7.5])]
    totals.append(AttemptTotal("pending", 0, 10.0, False))  # left out
    markup = str(distribution_svg(totals))
    figure = ET.fromstring(markup)

    svg = figure.find(f"{SVG}svg")
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert len(bars) == 10
    assert [int(b.get("data-count")) for b in bars] == [0, 1, 0, 0, 0, 2, 1, 1, 0, 1]
    heights = [float(b.get("height")) for b in bars]
    assert heights[5] == max(heights) and heights[0] == 0
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == (title_id, "Score distribution")
    assert desc.get("id") == desc_id and "6 attempts" in desc.text and "50–60%" in desc.text
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Score, %" in texts and "Attempts" in texts and "100" in texts

    table = figure.find("table")
    assert table.get("class") == "visually-hidden"
    cells = [
        (tr.find("th").text, tr.find("td").text)
        for tr in table.iter("tr")
        if tr.find("td") is not None
    ]
    assert cells[5] == ("50–60%", "2") and len(cells) == 10


@pytest.mark.usefixtures("english")
def test_chart_escapes_its_id_and_handles_no_attempts():
    markup = str(distribution_svg([], id_prefix='x"><script>'))
    assert "<script>" not in markup
    figure = ET.fromstring(markup)
    bars = [r for r in figure.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert len(bars) == 10 and all(float(b.get("height")) == 0 for b in bars)
    assert "No complete attempts" in figure.find(f"{SVG}svg/{SVG}desc").text
    # Plain percentages work too.
    assert str(distribution_svg([12.5, 100])).count('data-count="1"') == 2
