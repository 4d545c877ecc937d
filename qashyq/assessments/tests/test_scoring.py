"""The scoring engine, type by type, including responses of the wrong shape (they score 0)."""

import math

import pytest

from qashyq.assessments.scoring import (
    comparable,
    longest_ordered_subsequence,
    parse_number,
    score,
)

MALFORMED = [
    1,
    1.5,
    True,
    "x",
    "",
    [],
    ["a", 1],
    {},
    {"a": [1]},
    [[["deep"]]],
    object(),
    float("nan"),
]


def single():
    return {
        "options": [
            {"id": "a", "text": "Абай", "fraction": 1.0, "feedback": ""},
            {"id": "b", "text": "Шәкәрім", "fraction": 0.0, "feedback": ""},
            {"id": "c", "text": "Мағжан", "fraction": 0.5, "feedback": ""},
            {"id": "d", "text": "Жоқ", "fraction": -0.5, "feedback": ""},
        ],
        "shuffle": True,
    }


def multiple():
    return {
        "options": [
            {"id": "a", "text": "до", "fraction": 0.5, "feedback": ""},
            {"id": "b", "text": "ми", "fraction": 0.5, "feedback": ""},
            {"id": "c", "text": "фа♯", "fraction": -0.5, "feedback": ""},
            {"id": "d", "text": "си♭", "fraction": -1.0, "feedback": ""},
            {"id": "e", "text": "ля", "fraction": 0.0, "feedback": ""},
        ],
        "shuffle": True,
    }


def short(*answers, case_sensitive=False):
    return {
        "answers": [{"text": t, "fraction": f, "feedback": ""} for t, f in answers],
        "case_sensitive": case_sensitive,
    }


def numerical(*answers):
    return {
        "answers": [
            {"value": v, "tolerance": tol, "fraction": f, "feedback": ""} for v, tol, f in answers
        ]
    }


def matching():
    return {
        "pairs": [
            {"id": "1", "prompt": "Құрманғазы", "answer": "Адай"},
            {"id": "2", "prompt": "Тәттімбет", "answer": "Сарыжайлау"},
            {"id": "3", "prompt": "Дина", "answer": "Әсем қоңыр"},
            {"id": "4", "prompt": "Қазанғап", "answer": "Адай"},  # two prompts, one answer
            {"id": "5", "prompt": "", "answer": "Көңілашар"},  # a distractor
        ],
        "distractors": ["Балбырауын"],
        "shuffle": True,
    }


def ordering(n=5):
    return {"items": [{"id": str(i), "text": f"item {i}"} for i in range(1, n + 1)]}


def cloze():
    return {
        "gaps": [
            {
                "id": "1",
                "kind": "short",
                "mark": 1.0,
                "answers": [{"text": "Астана", "fraction": 1.0, "feedback": ""}],
                "case_sensitive": False,
            },
            {
                "id": "2",
                "kind": "numerical",
                "mark": 2.0,
                "answers": [{"value": 1997.0, "tolerance": 0.0, "fraction": 1.0, "feedback": ""}],
            },
            {
                "id": "3",
                "kind": "single",
                "mark": 1.0,
                "options": [
                    {"id": "a", "text": "Есіл", "fraction": 1.0, "feedback": ""},
                    {"id": "b", "text": "Ертіс", "fraction": 0.0, "feedback": ""},
                ],
            },
        ]
    }


# --- single --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "expected"),
    [("a", 1.0), ("b", 0.0), ("c", 0.5), ("d", 0.0), ("z", 0.0), ("A", 0.0), (None, 0.0)],
)
def test_single_choice_earns_the_fraction_of_the_chosen_option(response, expected):
    assert score("single", single(), response) == expected


@pytest.mark.parametrize("response", MALFORMED)
def test_single_choice_malformed_response_scores_zero(response):
    assert score("single", single(), response) == 0.0


# --- multiple ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (["a", "b"], 1.0),
        (["b", "a"], 1.0),
        (["a"], 0.5),
        (["a", "b", "e"], 1.0),  # an option worth 0 costs nothing
        (["a", "b", "c"], 0.5),  # a wrong option with a penalty
        (["a", "c"], 0.0),
        (["c", "d"], 0.0),  # negative totals clamp at 0
        (["a", "b", "c", "d", "e"], 0.0),  # ticking everything does not pay
        (["a", "a", "a"], 0.5),  # a repeated id counts once
        (["a", "zzz"], 0.5),  # unknown ids are ignored
        ([], 0.0),
        (None, 0.0),
    ],
)
def test_multiple_choice_partial_credit_and_penalties(response, expected):
    assert score("multiple", multiple(), response) == expected


@pytest.mark.parametrize("response", [*MALFORMED, "a", {"a": True}, ("a", "b")])
def test_multiple_choice_malformed_response_scores_zero(response):
    assert score("multiple", multiple(), response) == 0.0


def test_multiple_choice_thirds_add_up_to_exactly_one():
    data = {
        "options": [
            {"id": i, "text": i, "fraction": 0.3333333, "feedback": ""} for i in ("a", "b", "c")
        ]
    }
    assert score("multiple", data, ["a", "b", "c"]) == 1.0


# --- true/false ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("correct", "response", "expected"),
    [(True, True, 1.0), (True, False, 0.0), (False, False, 1.0), (False, True, 0.0)],
)
def test_truefalse(correct, response, expected):
    assert score("truefalse", {"correct": correct}, response) == expected


@pytest.mark.parametrize("response", ["true", 1, 0, "", [], {}, None])
def test_truefalse_only_a_boolean_counts(response):
    """1 == True in Python; the engine must not be fooled by it."""
    assert score("truefalse", {"correct": True}, response) == 0.0
    assert score("truefalse", {"correct": False}, response) == 0.0


# --- short answer --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("Абай Құнанбайұлы", 1.0),
        ("  абай   құнанбайұлы ", 1.0),  # case and spaces
        ("АБАЙ ҚҰНАНБАЙҰЛЫ", 1.0),  # Kazakh capitals fold: Қ/қ, Ұ/ұ
        ("Абай\u00a0Құнанбайұлы", 1.0),  # a no-break space is a space
        ("Абай\nҚұнанбайұлы", 1.0),
        ("Абай", 0.5),  # a partial answer
        ("абай", 0.5),
        ("Құнанбайұлы", 0.0),
        ("", 0.0),
        ("   ", 0.0),
    ],
)
def test_short_answer_best_fraction_case_and_spaces(response, expected):
    data = short(("Абай Құнанбайұлы", 1.0), ("Абай", 0.5))
    assert score("short", data, response) == expected


def test_short_answer_best_fraction_wins_whatever_the_order():
    data = short(("Абай*", 0.5), ("Абай Құнанбайұлы", 1.0), ("*", 0.0))
    assert score("short", data, "Абай Құнанбайұлы") == 1.0
    assert score("short", data, "Абай ақын") == 0.5
    assert score("short", data, "басқа") == 0.0


@pytest.mark.parametrize(
    ("letters_answer", "letters_response"),
    [
        ("ӘҒҚҢӨҰҮҺІ", "әғқңөұүһі"),
        ("әғқңөұүһі", "ӘҒҚҢӨҰҮҺІ"),
        ("ЁЙЪЭЮЯ", "ёйъэюя"),
        ("Straße", "STRASSE"),  # full Unicode case folding, not just lower()
    ],
)
def test_short_answer_folds_kazakh_and_russian_letters(letters_answer, letters_response):
    assert score("short", short((letters_answer, 1.0)), letters_response) == 1.0


def test_short_answer_case_sensitive():
    data = short(("Алматы", 1.0), case_sensitive=True)
    assert score("short", data, "Алматы") == 1.0
    assert score("short", data, " Алматы ") == 1.0  # spaces are still collapsed
    assert score("short", data, "алматы") == 0.0
    assert score("short", data, "АЛМАТЫ") == 0.0


def test_short_answer_nfc_normalisation():
    """ә typed as a + combining diaeresis (U+0308) on some keyboards' dead keys, й as и + breve."""
    composed = "Әйел"
    decomposed = "\u04d8\u0438\u0306ел"  # Ә, и + combining breve, е, л
    assert decomposed != composed
    assert score("short", short((composed, 1.0)), decomposed) == 1.0
    assert score("short", short((decomposed, 1.0)), composed) == 1.0


def test_short_answer_latin_lookalikes_of_kazakh_letters():
    """Typed without a Kazakh layout: Latin i for і, Latin ə for ә, a Latin c inside a word."""
    data = short(("білім", 1.0), ("Әсет", 1.0), ("сәлем", 1.0))
    assert score("short", data, "бiлiм") == 1.0  # Latin i
    assert score("short", data, "əсет") == 1.0  # Latin schwa
    assert score("short", data, "cәлем") == 1.0  # Latin c
    assert score("short", data, "балам") == 0.0
    # a look-alike does not make a different letter equal: ә is not а
    assert score("short", data, "салем") == 0.0


def test_short_answer_turkic_dotted_capital_i():
    assert score("short", short(("ilim", 1.0)), "İLİM") == 1.0


@pytest.mark.parametrize(
    ("pattern", "response", "expected"),
    [
        ("абай*", "Абай", 1.0),  # * matches nothing too
        ("абай*", "Абай Құнанбайұлы", 1.0),
        ("*ұлы", "Құнанбайұлы", 1.0),
        ("*ұлы", "Құнанбайұлы ақын", 0.0),  # the whole response must match
        ("қ*ң", "қаң", 1.0),
        ("қ*ң", "қ", 0.0),
        ("a*b*c", "aXXbYYc", 1.0),
        ("a*b*c", "acb", 0.0),
        ("a**b", "ab", 1.0),
        (r"5\*3", "5*3", 1.0),  # an escaped star is a star
        (r"5\*3", "523", 0.0),
        ("*", "anything at all", 1.0),
        ("*", "", 0.0),  # an empty response is not an answer
        ("a.b", "aXb", 0.0),  # no regular expressions
        ("(x)", "(x)", 1.0),
    ],
)
def test_short_answer_wildcards(pattern, response, expected):
    assert score("short", short((pattern, 1.0)), response) == expected


def test_short_answer_many_wildcards_on_a_long_response_are_fast():
    """A backtracking regular expression would take ages here; the glob matcher is linear-ish."""
    import time

    data = short(("*a*a*a*a*a*a*a*a*a*a*b", 1.0))
    started = time.perf_counter()
    assert score("short", data, "a" * 1_500) == 0.0
    assert time.perf_counter() - started < 1.0


def test_short_answer_too_long_response_scores_zero():
    assert score("short", short(("*", 1.0)), "x" * 5_000) == 0.0


@pytest.mark.parametrize("response", [1, 1.0, True, ["Абай"], {"text": "Абай"}, b"\xd0\x90"])
def test_short_answer_malformed_response_scores_zero(response):
    assert score("short", short(("*", 1.0)), response) == 0.0


def test_short_answer_negative_fraction_clamps_at_zero():
    assert score("short", short(("Абай", 1.0), ("Абылай", -0.5)), "Абылай") == 0.0


# --- numerical -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("3.14", 1.0),
        ("3,14", 1.0),  # comma decimal
        (" 3.14 ", 1.0),
        ("3.15", 1.0),  # inside the tolerance, despite binary floating point
        ("3.13", 1.0),
        ("3.1", 0.5),
        ("3.16", 0.5),
        ("3.0", 0.0),
        ("+3.14", 1.0),
        ("314e-2", 1.0),
        ("３．１４", 1.0),  # full-width digits and full stop
        (3.14, 1.0),  # a JSON number is fine too
        ("3,14,1", 0.0),
        ("3.14.1", 0.0),
        ("1,000.5", 0.0),  # ambiguous: refused
        ("pi", 0.0),
        ("", 0.0),
        ("nan", 0.0),
        ("inf", 0.0),
        ("1e999", 0.0),
        (None, 0.0),
    ],
)
def test_numerical_tolerance_and_comma_decimals(response, expected):
    data = numerical((3.14, 0.01, 1.0), (3.14, 0.1, 0.5))
    assert score("numerical", data, response) == expected


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("−2", -2.0),  # typographic minus
        ("1 234,5", 1234.5),
        ("1\u00a0234,5", 1234.5),
        ("1\u202f234\u202f567", 1234567.0),
        ("12 34", None),  # not a thousands group
        ("0,5", 0.5),
        (",5", 0.5),
        ("5.", 5.0),
        ("-", None),
        ("1e", None),
        ("0x10", None),
        ("١٢", None),  # Arabic-Indic digits: refused, not guessed
        (True, None),
        ([], None),
        ("9" * 200, None),
    ],
)
def test_parse_number(text, number):
    assert parse_number(text) == number


def test_numerical_exact_answer_and_negative_values():
    data = numerical((-40.0, 0.0, 1.0))
    assert score("numerical", data, "-40") == 1.0
    assert score("numerical", data, "−40,0") == 1.0
    assert score("numerical", data, "40") == 0.0


def test_numerical_best_fraction_wins():
    data = numerical((100.0, 50.0, 0.5), (100.0, 1.0, 1.0))
    assert score("numerical", data, "100.5") == 1.0
    assert score("numerical", data, "130") == 0.5


@pytest.mark.parametrize("response", [[3.14], {"v": "3.14"}, True, False, object()])
def test_numerical_malformed_response_scores_zero(response):
    assert score("numerical", numerical((3.14, 0.01, 1.0)), response) == 0.0


def test_numerical_zero_is_answerable():
    """0 is falsy in Python; a student answering 0 must still score."""
    assert score("numerical", numerical((0.0, 0.0, 1.0)), "0") == 1.0
    assert score("numerical", numerical((0.0, 0.0, 1.0)), 0) == 1.0


# --- matching ------------------------------------------------------------------------------------


def test_matching_fraction_is_correct_pairs_over_pairs():
    data = matching()
    full = {"1": "Адай", "2": "Сарыжайлау", "3": "Әсем қоңыр", "4": "Адай"}
    assert score("matching", data, full) == 1.0
    assert score("matching", data, {**full, "3": "Балбырауын"}) == 0.75
    assert score("matching", data, {"1": "Адай", "2": "Адай"}) == 0.25
    assert score("matching", data, {"1": " Адай "}) == 0.25  # spaces do not matter
    assert score("matching", data, {"1": "адай"}) == 0.0  # answers are chosen, not typed
    assert score("matching", data, {}) == 0.0


def test_matching_the_distractor_pair_is_not_counted():
    data = matching()
    assert score("matching", data, {"5": "Көңілашар"}) == 0.0


@pytest.mark.parametrize(
    "response", [["Адай"], "Адай", {"1": 1, "2": None, "3": ["Әсем қоңыр"]}, 3, True]
)
def test_matching_malformed_response_scores_zero(response):
    assert score("matching", matching(), response) == 0.0


# --- ordering ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (["1", "2", "3", "4", "5"], 1.0),
        (["2", "3", "4", "5", "1"], 0.8),  # one item moved: four still in order
        (["5", "1", "2", "3", "4"], 0.8),  # absolute position would give 0 here
        (["1", "3", "2", "5", "4"], 0.6),
        (["5", "4", "3", "2", "1"], 0.0),  # reversed: no two items in order
        (["2", "1", "4", "3", "5"], 0.6),
    ],
)
def test_ordering_longest_ordered_subsequence(response, expected):
    assert score("ordering", ordering(), response) == expected


def test_ordering_two_items():
    assert score("ordering", ordering(2), ["1", "2"]) == 1.0
    assert score("ordering", ordering(2), ["2", "1"]) == 0.0


@pytest.mark.parametrize(
    "response",
    [
        ["1", "2", "3", "4"],  # an item missing
        ["1", "2", "3", "4", "5", "5"],  # an item twice
        ["1", "2", "3", "4", "6"],  # an unknown item
        ["1", "2", "3", "4", 5],
        "12345",
        {"1": 1},
        None,
        [],
    ],
)
def test_ordering_response_must_arrange_every_item(response):
    assert score("ordering", ordering(), response) == 0.0


def test_longest_ordered_subsequence():
    assert longest_ordered_subsequence([]) == 0
    assert longest_ordered_subsequence([3, 1, 2]) == 2
    assert longest_ordered_subsequence([0, 8, 4, 12, 2, 10, 6, 14, 1, 9]) == 4


# --- cloze ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ({"1": "астана", "2": "1997", "3": "a"}, 1.0),
        ({"1": "Астана", "2": "1997"}, 0.75),  # gaps weighted by their marks: 1 + 2 of 4
        ({"2": "1997,0"}, 0.5),
        ({"1": "Астана"}, 0.25),
        ({"3": "b"}, 0.0),
        ({}, 0.0),
        ({"1": 5, "2": ["1997"], "3": None}, 0.0),
        ({"9": "Астана"}, 0.0),
    ],
)
def test_cloze_weighted_by_gap_marks(response, expected):
    assert score("cloze", cloze(), response) == expected


@pytest.mark.parametrize("response", ["Астана", ["Астана"], 1, True])
def test_cloze_malformed_response_scores_zero(response):
    assert score("cloze", cloze(), response) == 0.0


def test_cloze_gap_with_a_penalty_does_not_take_marks_from_other_gaps():
    data = cloze()
    data["gaps"][2]["options"][1]["fraction"] = -1.0
    assert score("cloze", data, {"1": "Астана", "3": "b"}) == 0.25


# --- hand-graded and ungraded --------------------------------------------------------------------


@pytest.mark.parametrize("qtype", ["essay", "file", "description"])
@pytest.mark.parametrize("response", [None, {"text": "…", "files": [1]}, "x", 5])
def test_hand_graded_and_descriptions_return_none(qtype, response):
    assert score(qtype, {}, response) is None


def test_unknown_type_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown question type"):
        score("hotspot", {}, "a")


# --- robustness ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qtype", "data"),
    [
        ("single", single()),
        ("multiple", multiple()),
        ("truefalse", {"correct": True}),
        ("short", short(("*", 1.0))),
        ("numerical", numerical((1.0, 0.0, 1.0))),
        ("matching", matching()),
        ("ordering", ordering()),
        ("cloze", cloze()),
    ],
)
@pytest.mark.parametrize("response", MALFORMED)
def test_no_response_ever_raises_and_the_result_is_a_fraction(qtype, data, response):
    result = score(qtype, data, response)
    assert isinstance(result, float)
    assert 0.0 <= result <= 1.0
    assert not math.isnan(result)


@pytest.mark.parametrize(
    ("qtype", "data", "response"),
    [
        ("single", {"options": "abc"}, "a"),
        ("single", {"options": [None, 3, {"id": "a", "fraction": "1"}]}, "a"),
        ("multiple", {"options": [{"id": "a", "fraction": None}]}, ["a"]),
        ("short", {"answers": [{"text": None}, {"fraction": 1}]}, "x"),
        ("numerical", {"answers": [{"value": "3"}]}, "3"),
        ("matching", {"pairs": [{"prompt": "p"}]}, {"None": "x"}),
        ("ordering", {"items": [{"id": None}, {"id": "a"}]}, ["a", "b"]),
        ("cloze", {"gaps": [{"id": "1", "kind": "hotspot"}]}, {"1": "x"}),
        ("cloze", {"gaps": "x"}, {"1": "x"}),
        ("single", ["not", "a", "mapping"], "a"),
    ],
)
def test_broken_stored_data_scores_zero_instead_of_raising(qtype, data, response):
    assert score(qtype, data, response) == 0.0


def test_the_engine_does_not_change_its_inputs():
    data, response = cloze(), {"1": "Астана", "2": "1997", "3": "a"}
    before = (repr(data), repr(response))
    score("cloze", data, response)
    assert (repr(data), repr(response)) == before


def test_comparable_form():
    assert comparable("  Ақ   Жол ") == "aқ жoл"  # folded, look-alikes mapped, spaces collapsed
    assert comparable("Ақ Жол", case_sensitive=True) == "Aқ Жoл"
