"""Reading banks: who sees which bank, and the question list's filters and query count."""

from __future__ import annotations

import pytest

from qashyq.assessments import policies, selectors, services
from qashyq.assessments.models import QuestionBank
from qashyq.core.errors import NotFound

from .test_models_services import EDIT_MATRIX, build_bank_world, make_question, single_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def bank_world(db):
    return build_bank_world()


@pytest.mark.parametrize("actor_name", sorted(EDIT_MATRIX))
def test_the_bank_list_shows_exactly_the_banks_the_policy_allows(bank_world, actor_name):
    w = bank_world
    actor = w.actors[actor_name]
    listed = set(selectors.visible_banks(actor))
    allowed = {b for b in QuestionBank.objects.all() if policies.can_view_bank(actor, b)}
    assert listed == allowed
    assert (w.bank in listed, w.department_bank in listed, w.other_bank in listed) == (
        EDIT_MATRIX[actor_name]
    )


def test_bank_for_refuses_a_bank_the_user_may_not_see(bank_world):
    w = bank_world
    assert selectors.bank_for(w.tutor, w.bank.pk) == w.bank
    with pytest.raises(NotFound):
        selectors.bank_for(w.tutor, w.other_bank.pk)
    with pytest.raises(NotFound):
        selectors.bank_for(w.tutor, 999_999)


def test_bank_list_counts_questions_that_are_not_archived(bank_world):
    w = bank_world
    make_question(w)
    archived = make_question(w)
    services.question_archive(actor=w.tutor, question=archived)
    counts = {b.pk: b.question_count for b in selectors.visible_banks(w.tutor)}
    assert counts[w.bank.pk] == 1
    assert counts[w.department_bank.pk] == 0


def test_bank_list_and_its_policies_cost_a_fixed_number_of_queries(
    bank_world, django_assert_max_num_queries
):
    w = bank_world
    for n in range(5):
        services.bank_create(actor=w.admin, title=f"Банк {n}", discipline=w.discipline)
    tutor = w.actors["tutor"]
    with django_assert_max_num_queries(5):
        banks = list(selectors.visible_banks(tutor))
        assert all(policies.can_edit_bank(tutor, bank) for bank in banks)
    assert len(banks) == 7


@pytest.fixture
def filled(bank_world):
    w = bank_world
    path = services.category_ensure_path
    algebra = path(actor=w.tutor, bank=w.bank, path=("Алгебра",))
    equations = path(actor=w.tutor, bank=w.bank, path=("Алгебра", "Теңдеулер"))
    geometry = path(actor=w.tutor, bank=w.bank, path=("Геометрия",))
    q = {
        "top": make_question(w, name="Жоғарыда", tags=["Тарих"]),
        "algebra": make_question(w, category=algebra, name="Алгебра 1", tags=["difficulty:easy"]),
        "equation": make_question(
            w,
            category=equations,
            qtype="truefalse",
            data={"correct": True},
            text="x + 1 = 2 болса, x = 1.",
            name="Теңдеу",
            tags=["Difficulty:Easy", "outcome:LO2"],
        ),
        "geometry": make_question(w, category=geometry, name="Үшбұрыш", tags=["outcome:lo2"]),
        "elsewhere": make_question(w, bank=w.department_bank, name="Кафедра сұрағы"),
    }
    return w, {"algebra": algebra, "equations": equations, "geometry": geometry}, q


def names(questions):
    return sorted(question.current_version.name for question in questions)


def test_filter_by_category_with_and_without_its_subtree(filled):
    w, cat, q = filled
    assert names(selectors.bank_questions(w.bank, category=cat["algebra"])) == [
        "Алгебра 1",
        "Теңдеу",
    ]
    assert names(
        selectors.bank_questions(w.bank, category=cat["algebra"], include_subcategories=False)
    ) == ["Алгебра 1"]
    assert names(selectors.bank_questions(w.bank, top_only=True)) == ["Жоғарыда"]
    assert len(selectors.bank_questions(w.bank)) == 4


def test_filter_by_tags_is_normalised_and_combines_with_and(filled):
    w, _cat, _q = filled
    assert names(selectors.bank_questions(w.bank, tags=["DIFFICULTY:EASY"])) == [
        "Алгебра 1",
        "Теңдеу",
    ]
    assert names(selectors.bank_questions(w.bank, tags=["outcome:lo2"])) == ["Теңдеу", "Үшбұрыш"]
    assert names(selectors.bank_questions(w.bank, tags=["outcome:lo2", "difficulty:easy"])) == [
        "Теңдеу"
    ]
    assert names(selectors.bank_questions(w.bank, tags=["ТАРИХ"])) == ["Жоғарыда"]
    assert names(selectors.bank_questions(w.bank, tags=["жоқ"])) == []


def test_filter_by_type_search_and_archived(filled):
    w, _cat, q = filled
    assert names(selectors.bank_questions(w.bank, qtype="truefalse")) == ["Теңдеу"]
    assert names(selectors.bank_questions(w.bank, search="x + 1")) == ["Теңдеу"]
    services.question_archive(actor=w.tutor, question=q["geometry"])
    assert "Үшбұрыш" not in names(selectors.bank_questions(w.bank))
    assert names(selectors.bank_questions(w.bank, archived=True)) == ["Үшбұрыш"]


def test_bank_tags_and_category_tree(filled):
    w, cat, _q = filled
    assert selectors.bank_tags(w.bank) == [
        ("difficulty:easy", 2),
        ("outcome:lo2", 2),
        ("тарих", 1),
    ]
    tree = selectors.category_tree(w.bank)
    assert [(n.path, n.depth) for n in tree] == [
        (("Алгебра",), 0),
        (("Алгебра", "Теңдеулер"), 1),
        (("Геометрия",), 0),
    ]


def test_question_list_costs_a_fixed_number_of_queries(filled, django_assert_max_num_queries):
    w, cat, _q = filled
    for n in range(10):
        make_question(w, category=cat["equations"], name=f"Қосымша {n}", tags=[f"t{n}", "x"])
    with django_assert_max_num_queries(4):
        rows = [
            (
                q.current_version.name,
                q.category.name if q.category else "",
                [t.name for t in q.tags.all()],
            )
            for q in selectors.bank_questions(w.bank, category=cat["algebra"], tags=["x"])
        ]
    assert len(rows) == 10


def test_versions_newest_first(bank_world):
    w = bank_world
    question = make_question(w)
    services.question_update(actor=w.tutor, question=question, data=single_data(correct="b"))
    assert [v.number for v in selectors.question_versions(question)] == [2, 1]
