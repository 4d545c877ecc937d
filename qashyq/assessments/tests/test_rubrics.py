"""Rubrics of essay and file questions: the contract's validation, grading by rubric in the
manual queue (points scaled to the slot's mark, the choice kept and audited, preselected when
the answer is graded again), refusals that change nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from qashyq.academics.tests.factories import CourseOfferingFactory
from qashyq.accounts.tests.factories import UserFactory
from qashyq.assessments import services as bank_services
from qashyq.assessments.models import Answer
from qashyq.assessments.services import attempts as svc
from qashyq.assessments.services.validation import (
    rubric_max,
    rubric_points,
    validate_question_data,
)
from qashyq.core.errors import PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry

from .attempt_world import World, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# the rubric's total is 4 + 2 = 6 points
RUBRIC = [
    {
        "id": "content",
        "criterion": "Мазмұны: Абайдың шығармашылығы",
        "levels": [
            {"id": "none", "label": "Жоқ", "points": 0},
            {"id": "some", "label": "Жартылай", "points": 2},
            {"id": "full", "label": "Толық ашылған", "points": 4},
        ],
    },
    {
        "id": "language",
        "criterion": "Тіл сауаттылығы",
        "levels": [
            {"id": "poor", "label": "Қателер көп", "points": 0},
            {"id": "fair", "label": "Аздаған қате", "points": 1},
            {"id": "good", "label": "Қатесіз", "points": 2},
        ],
    },
]


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


@pytest.fixture
def world(db):
    return World()


def rubric_essay(world, *, mark=10, qtype="essay"):
    data = (
        {"response_format": "rich", "rubric": RUBRIC}
        if qtype == "essay"
        else {"accept": ["image"], "rubric": RUBRIC}
    )
    return bank_services.question_create(
        actor=world.tutor,
        bank=world.bank,
        category=world.types,
        qtype=qtype,
        text="Абай туралы эссе (бағалау критерийлері бар)",
        data=data,
        default_mark=mark,
    )


def graded_world(world, *, mark=10):
    """A published test with one rubric essay, and the essay answer of a finished attempt."""
    test = world.test(questions=[rubric_essay(world, mark=mark)])
    attempt, _ = svc.attempt_start_or_resume(actor=world.student, test=test)
    slot = attempt.slots.get()
    svc.answer_save(
        actor=world.student, attempt=attempt, slot=slot.number, response={"text": "Эссе"}, seq=1
    )
    svc.attempt_submit(actor=world.student, attempt=attempt)
    return test, Answer.objects.get(slot=slot)


def queue_url(test, **params):
    url = reverse("assessments:grading_queue", args=[test.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def grade_url(test, answer):
    return reverse("assessments:grading_answer", args=[test.pk, answer.pk])


def graded_entries():
    return AuditLogEntry.objects.filter(action="assessments.answer_graded")


# --- validation -----------------------------------------------------------------------------


def test_a_valid_rubric_is_cleaned_ids_given_points_as_numbers():
    data = validate_question_data(
        "essay",
        {
            "rubric": [
                {
                    "criterion": "  Мазмұны ",
                    "levels": [{"label": "Жоқ", "points": 0}, {"label": "Бар", "points": 3}],
                },
                {
                    "id": "lang",
                    "criterion": "Тіл",
                    "levels": [{"label": "Нашар", "points": 0}, {"label": "Жақсы", "points": 1.5}],
                },
            ]
        },
    )
    first, second = data["rubric"]
    assert first["id"] == "a" and second["id"] == "lang"
    assert first["criterion"] == "Мазмұны"
    assert [level["id"] for level in first["levels"]] == ["a", "b"]
    assert second["levels"][1]["points"] == 1.5
    assert rubric_max(data["rubric"]) == Decimal("4.5")
    # a file question may carry one too; no rubric and an empty one are both fine
    assert validate_question_data("file", {"accept": ["image"], "rubric": RUBRIC})["rubric"]
    assert "rubric" not in validate_question_data("essay", {})
    assert validate_question_data("essay", {"rubric": []})["rubric"] == []


def _with(criterion_changes=None, levels=None):
    criterion = {
        "criterion": "Мазмұны",
        "levels": levels
        if levels is not None
        else [{"label": "Жоқ", "points": 0}, {"label": "Бар", "points": 2}],
    }
    criterion.update(criterion_changes or {})
    return {"rubric": [criterion]}


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        ({"rubric": "жақсы"}, "rubric_invalid", "The rubric must be a list of criteria."),
        ({"rubric": ["x"]}, "rubric_criterion_invalid", "Rubric criterion 1 is not valid."),
        (
            _with({"criterion": "  "}),
            "rubric_criterion_text_missing",
            "Rubric criterion 1 has no description.",
        ),
        (
            _with(levels=[{"label": "Жалғыз", "points": 1}]),
            "rubric_levels_too_few",
            "Rubric criterion 1 needs at least two levels to choose from.",
        ),
        (
            _with(levels=[{"label": "Жоқ", "points": 0}, {"label": "", "points": 1}]),
            "rubric_level_label_missing",
            "Rubric criterion 1: level 2 has no label.",
        ),
        (
            _with(levels=[{"label": "Жоқ", "points": -1}, {"label": "Бар", "points": 1}]),
            "rubric_level_points_invalid",
            "Rubric criterion 1: the points of level 1 must be a number from 0 to 1000.",
        ),
        (
            _with(levels=[{"label": "Жоқ", "points": "2"}, {"label": "Бар", "points": 1}]),
            "rubric_level_points_invalid",
            "Rubric criterion 1: the points of level 1 must be a number from 0 to 1000.",
        ),
        (
            _with(levels=[{"label": "Жоқ", "points": 0}, {"label": "Бар", "points": 0}]),
            "rubric_worth_nothing",
            "The rubric must be worth something: give some level more than 0 points.",
        ),
        (
            _with(
                levels=[
                    {"id": "x", "label": "Жоқ", "points": 0},
                    {"id": "x", "label": "Бар", "points": 1},
                ]
            ),
            "id_duplicate",
            "Rubric criterion 1: levels: the id “x” is used twice.",
        ),
    ],
)
def test_a_bad_rubric_is_refused_with_a_specific_message(data, code, message):
    with pytest.raises(ValidationFailed) as caught:
        validate_question_data("essay", {"response_format": "plain", **data})
    assert caught.value.code == code
    assert str(caught.value.message) == message


def test_the_question_services_refuse_a_bad_rubric_and_keep_a_good_one(world):
    with pytest.raises(ValidationFailed):
        bank_services.question_create(
            actor=world.tutor,
            bank=world.bank,
            category=world.types,
            qtype="file",
            text="Сурет",
            data={"accept": ["image"], "rubric": [{"criterion": "Композиция", "levels": []}]},
        )
    question = rubric_essay(world, qtype="file")
    assert question.current_version.data["rubric"][0]["levels"][2]["points"] == 4.0


# --- the arithmetic ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "language", "mark", "points"),
    [
        ("full", "good", Decimal("10"), Decimal("10.00")),
        ("none", "poor", Decimal("10"), Decimal("0.00")),
        ("full", "fair", Decimal("10"), Decimal("8.33")),  # 5/6 × 10
        ("some", "fair", Decimal("10"), Decimal("5.00")),  # 3/6 × 10
        ("some", "good", Decimal("1"), Decimal("0.67")),  # 4/6 × 1, half up
        ("some", "none_of_these", Decimal("1"), None),
    ],
)
def test_rubric_points_are_the_chosen_share_of_the_slots_mark(content, language, mark, points):
    rubric = validate_question_data("essay", {"rubric": RUBRIC})["rubric"]
    chosen = {"content": content, "language": language}
    if points is None:
        with pytest.raises(ValidationFailed) as caught:
            rubric_points(rubric, chosen, mark)
        assert caught.value.code == "rubric_level_unknown"
        return
    assert rubric_points(rubric, chosen, mark) == (points, chosen)


# --- grading in the queue ---------------------------------------------------------------------


def test_the_queue_shows_one_radio_group_per_criterion_instead_of_the_points(client, world):
    test, _answer = graded_world(world)
    client.force_login(world.tutor)
    page = client.get(queue_url(test)).content.decode()
    assert page.count('<fieldset class="rubric-criterion"') == 2
    assert "<legend>Тіл сауаттылығы</legend>" in page
    assert 'name="rubric-content" value="full" required>' in page
    assert "Толық ашылған" in page and "(points: 4)" in page
    assert "out of 6" in page and "mark, 10." in page
    assert 'name="points"' not in page
    assert "checked" not in page


def test_grading_by_rubric_scales_to_the_mark_keeps_the_choice_and_is_audited(client, world):
    test, answer = graded_world(world)
    client.force_login(world.tutor)
    response = client.post(
        grade_url(test, answer),
        {"rubric-content": "full", "rubric-language": "fair", "comment": "Жақсы"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Saved: 8.33 points" in response.content.decode()
    answer.refresh_from_db()
    assert answer.manual_points == Decimal("8.33")
    assert answer.rubric_levels == {"content": "full", "language": "fair"}
    assert answer.comment == "Жақсы"
    attempt = answer.slot.attempt
    attempt.refresh_from_db()
    assert attempt.score == Decimal("8.33") and not attempt.needs_grading
    entry = graded_entries().get()
    assert entry.actor == world.tutor
    assert entry.new_value["manual_points"] == "8.3300"
    assert entry.new_value["rubric_levels"] == {"content": "full", "language": "fair"}
    assert [(r["criterion"], r["level"], r["points"]) for r in entry.new_value["rubric"]] == [
        ("content", "full", 4.0),
        ("language", "fair", 1.0),
    ]
    assert entry.old_value["rubric_levels"] == {}


def test_an_incomplete_rubric_is_refused_and_changes_nothing(client, world):
    test, answer = graded_world(world)
    client.force_login(world.tutor)
    response = client.post(
        grade_url(test, answer), {"rubric-content": "some", "points": "10", "comment": "x"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Choose a level for every criterion of the rubric; not chosen: “Тіл сауаттылығы”." in page
    )
    # the form comes back with what was chosen
    assert 'name="rubric-content" value="some" required checked>' in page
    # an unknown level and a made-up criterion are refused too
    unknown = {"rubric-content": "some", "rubric-language": "brilliant"}
    response = client.post(grade_url(test, answer), unknown)
    assert response.status_code == 400
    assert "“brilliant” is not a level of the criterion “Тіл сауаттылығы”." in (
        response.content.decode()
    )
    answer.refresh_from_db()
    assert answer.manual_points is None and answer.rubric_levels == {}
    assert not graded_entries().exists()
    extra = {"rubric-content": "some", "rubric-language": "good", "rubric-extra": "x"}
    assert client.post(grade_url(test, answer), extra).status_code == 302
    answer.refresh_from_db()
    # "rubric-extra" is not a criterion, so the page ignores it: that post graded the answer
    assert answer.rubric_levels == {"content": "some", "language": "good"}
    assert graded_entries().count() == 1


def test_an_incomplete_rubric_through_the_service_changes_nothing(world):
    _test, answer = graded_world(world)
    for levels, code in (
        ({"content": "full"}, "rubric_incomplete"),
        ({"content": "full", "language": "brilliant"}, "rubric_level_unknown"),
        ({"content": "full", "language": "good", "style": "a"}, "rubric_criterion_unknown"),
        ("full", "rubric_incomplete"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            svc.answer_grade_manually(actor=world.tutor, answer=answer, rubric_levels=levels)
        assert caught.value.code == code
    with pytest.raises(ValidationFailed) as caught:
        svc.answer_grade_manually(
            actor=world.tutor,
            answer=answer,
            points=3,
            rubric_levels={"content": "full", "language": "good"},
        )
    assert caught.value.code == "points_and_rubric"
    answer.refresh_from_db()
    assert answer.manual_points is None and answer.rubric_levels == {}
    assert answer.graded_by is None
    assert not graded_entries().exists()


def test_a_non_tutor_is_refused_and_nothing_changes(client, world):
    test, answer = graded_world(world)
    other_tutor = UserFactory()
    CourseOfferingFactory(tutors=[other_tutor])
    levels = {"content": "full", "language": "good"}
    for user in (world.student, world.outsider, world.methodologist, other_tutor):
        with pytest.raises(PermissionDenied):
            svc.answer_grade_manually(actor=user, answer=answer, rubric_levels=levels)
        client.force_login(user)
        response = client.post(
            grade_url(test, answer), {"rubric-content": "full", "rubric-language": "good"}
        )
        assert response.status_code == 404
    answer.refresh_from_db()
    assert answer.manual_points is None and answer.rubric_levels == {}
    assert not graded_entries().exists()


def test_grading_again_shows_the_earlier_choice_and_replaces_it(client, world):
    test, answer = graded_world(world)
    svc.answer_grade_manually(
        actor=world.tutor, answer=answer, rubric_levels={"content": "some", "language": "good"}
    )
    client.force_login(world.tutor)
    assert client.get(queue_url(test)).content.decode().count("grading-item") == 0
    page = client.get(queue_url(test, show="all")).content.decode()
    assert 'name="rubric-content" value="some" required checked>' in page
    assert 'name="rubric-language" value="good" required checked>' in page
    assert page.count(" checked>") == 2
    assert "Points now: 6.67." in page
    response = client.post(
        grade_url(test, answer) + "?show=all",
        {"rubric-content": "full", "rubric-language": "good"},
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.manual_points == Decimal("10.00")
    last = graded_entries().order_by("-pk").first()
    assert last.old_value["rubric_levels"] == {"content": "some", "language": "good"}
    assert last.old_value["manual_points"] == "6.6700"
    assert last.new_value["rubric_levels"] == {"content": "full", "language": "good"}


def test_points_without_the_rubric_still_work_and_clear_the_earlier_choice(world):
    _test, answer = graded_world(world, mark=5)
    svc.answer_grade_manually(
        actor=world.tutor, answer=answer, rubric_levels={"content": "full", "language": "poor"}
    )
    answer.refresh_from_db()
    assert answer.manual_points == Decimal("3.33")  # 4/6 × 5
    svc.answer_grade_manually(actor=world.tutor, answer=answer, points="4.5")
    answer.refresh_from_db()
    assert answer.manual_points == Decimal("4.5") and answer.rubric_levels == {}


def test_rubric_levels_for_a_question_without_a_rubric_are_refused(world):
    test = world.test(questions=[world.questions["essay"]])
    attempt, _ = svc.attempt_start_or_resume(actor=world.student, test=test)
    attempt = svc.attempt_submit(actor=world.student, attempt=attempt)
    answer, _ = Answer.objects.get_or_create(slot=attempt.slots.get())
    with pytest.raises(ValidationFailed) as caught:
        svc.answer_grade_manually(actor=world.tutor, answer=answer, rubric_levels={"a": "b"})
    assert caught.value.code == "no_rubric"


def test_the_student_never_receives_the_rubric_during_the_attempt(client, world):
    test = world.test(questions=[rubric_essay(world)])
    response = start(client, world.student, test)
    assert response.status_code in (200, 201)
    raw = json.dumps(response.json(), ensure_ascii=False)
    assert "Тіл сауаттылығы" not in raw and "rubric" not in raw


def test_the_queue_with_rubrics_costs_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
):
    test, _answer = graded_world(world)
    client.force_login(world.tutor)
    with django_assert_max_num_queries(10):
        response = client.get(queue_url(test))
    assert response.content.decode().count('class="panel grading-item"') == 1


@pytest.mark.parametrize("feedback_allowed", [True, False])
def test_the_student_sees_the_rubric_levels_only_when_the_review_shows_feedback(
    client, world, feedback_allowed
):
    test = world.test(questions=[rubric_essay(world)], review_immediately_feedback=feedback_allowed)
    attempt, _ = svc.attempt_start_or_resume(actor=world.student, test=test)
    slot = attempt.slots.get()
    svc.answer_save(
        actor=world.student, attempt=attempt, slot=slot.number, response={"text": "Эссе"}, seq=1
    )
    svc.attempt_submit(actor=world.student, attempt=attempt)
    answer = Answer.objects.get(slot=slot)
    svc.answer_grade_manually(
        actor=world.tutor, answer=answer, rubric_levels={"content": "full", "language": "fair"}
    )
    client.force_login(world.student)
    html = client.get(reverse("assessments:attempt_review", args=[attempt.pk])).content.decode()
    assert ("Толық ашылған" in html and "Аздаған қате" in html) is feedback_allowed
    assert "Тіл сауаттылығы" in html if feedback_allowed else "Тіл сауаттылығы" not in html
