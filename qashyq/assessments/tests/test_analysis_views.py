"""The item-analysis page and its XLSX: what goes in (all attempts or each student's first,
unanswered = 0, ungraded essays left out), what the page shows, bounded queries, who may see."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from qashyq.academics.models import Enrollment
from qashyq.academics.tests.factories import CourseOfferingFactory, StudentProfileFactory
from qashyq.accounts.tests.factories import UserFactory
from qashyq.assessments import selectors
from qashyq.assessments.models import Answer
from qashyq.assessments.services import attempts as svc

from .attempt_world import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


@pytest.fixture
def world(db):
    return World()


def finished(test, student, responses):
    attempt, _ = svc.attempt_start_or_resume(actor=student, test=test)
    for qtype, response in responses.items():
        slot = attempt.slots.get(question_version__qtype=qtype)
        svc.answer_save(actor=student, attempt=attempt, slot=slot.number, response=response, seq=1)
    return svc.attempt_submit(actor=student, attempt=attempt)


def url(test, **params):
    base = reverse("assessments:test_analysis", args=[test.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_the_selector_turns_attempts_into_responses(world):
    test = world.test(
        questions=[world.questions[q] for q in ("single", "multiple", "truefalse", "essay")],
        attempts_allowed=2,
    )
    first = finished(test, world.student, {"single": "b", "multiple": ["a", "b"]})
    second = finished(test, world.student, {"single": "a", "essay": {"text": "Эссе"}})
    essay = Answer.objects.get(slot__attempt=second, slot__question_version__qtype="essay")
    svc.answer_grade_manually(actor=world.tutor, answer=essay, points="0.25")
    responses, options, attempts = selectors.analysis_input(test)
    assert attempts == 2
    by = {(r.attempt_id, r.qtype): r for r in responses}
    assert by[first.pk, "single"].fraction == 0.0 and by[first.pk, "single"].chosen_option_ids == (
        "b",
    )
    assert by[first.pk, "multiple"].fraction == 1.0
    assert by[first.pk, "multiple"].chosen_option_ids == ("a", "b")
    assert by[first.pk, "truefalse"].fraction == 0.0  # unanswered, scored automatically: 0
    assert by[first.pk, "essay"].fraction is None  # waits for a tutor
    assert by[second.pk, "essay"].fraction == 0.25  # graded by hand: 0.25 of 1
    assert by[second.pk, "single"].chosen_option_ids == ("a",)
    single = world.questions["single"].pk
    assert [(o.option_id, o.fraction) for o in options[single]] == [
        ("a", 1.0),
        ("b", 0.0),
        ("c", 0.0),
    ]
    assert set(options) == {single, world.questions["multiple"].pk}
    _responses, _options, attempts = selectors.analysis_input(test, which="first")
    assert attempts == 1 and {r.attempt_id for r in _responses} == {first.pk}


def test_the_page_shows_the_summary_questions_options_chart_and_flags(client, world):
    test = world.test(
        questions=[world.questions[q] for q in ("single", "truefalse", "essay")],
        gradebook_column="rk1",
    )
    finished(test, world.students[0], {"single": "a", "truefalse": True})
    finished(test, world.students[1], {"single": "b", "truefalse": True})
    finished(test, world.students[2], {"single": "b", "truefalse": False})
    for answer in Answer.objects.filter(slot__question_version__qtype="essay")[:2]:
        svc.answer_grade_manually(actor=world.tutor, answer=answer, points=1)
    client.force_login(world.tutor)
    response = client.get(url(test))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Every finished attempt." in page
    assert "2 complete attempts analysed" in page
    assert "1 attempt awaits grading and is left out" in page
    assert 'id="analysis-questions"' in page and 'id="analysis-options"' in page
    assert "Домбыраның неше ішегі бар?" in page  # the question's label
    assert "Төрт" in page  # an option
    assert "distractor chosen by nobody" in page.lower() or "chosen by nobody" in page.lower()
    assert "<svg" in page and 'role="img"' in page
    assert "fewer than 30" in page.lower()  # the test-level flag
    assert 'value="first"' in page and "Download XLSX" in page
    assert "Send the marks to the e-journal column MT1" in page
    assert "cannot be sent while 1 answer awaits manual grading" in page


def test_first_attempt_per_student_is_a_choice_of_the_page(client, world):
    test = world.test(
        questions=[world.questions["single"], world.questions["truefalse"]], attempts_allowed=3
    )
    for _ in range(3):
        finished(test, world.student, {"single": "a", "truefalse": True})
    finished(test, world.students[1], {"single": "b"})
    client.force_login(world.tutor)
    assert "4 complete attempts analysed" in client.get(url(test)).content.decode()
    page = client.get(url(test, attempts="first")).content.decode()
    assert (
        "2 complete attempts analysed" in page and "Each student's first finished attempt." in page
    )
    assert '<option value="first" selected>' in page
    # a value the page does not know falls back to every attempt
    assert "4 complete attempts analysed" in client.get(url(test, attempts="x")).content.decode()


def test_the_xlsx_has_the_questions_options_and_test_sheets(client, world):
    test = world.test(questions=[world.questions["single"], world.questions["truefalse"]])
    finished(test, world.students[0], {"single": "a", "truefalse": True})
    finished(test, world.students[1], {"single": "b", "truefalse": True})
    client.force_login(world.tutor)
    response = client.get(
        reverse("assessments:test_analysis_xlsx", args=[test.pk]) + "?attempts=first"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert (
        "attachment" in response["Content-Disposition"]
        and ".xlsx" in response["Content-Disposition"]
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 3
    cells = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    assert "Домбыраның неше ішегі бар?" in cells or any(
        isinstance(c, str) and "Домбыра" in c for c in cells
    )


def test_an_empty_test_says_there_is_nothing_to_analyse(client, world):
    test = world.test(questions=[world.questions["single"]])
    client.force_login(world.tutor)
    page = client.get(url(test)).content.decode()
    assert "No finished attempt yet" in page


def test_who_may_see_the_analysis(client, world):
    test = world.test(questions=[world.questions["single"]], gradebook_column="rk1")
    finished(test, world.student, {"single": "a"})
    other_tutor = UserFactory()
    CourseOfferingFactory(tutors=[other_tutor])
    xlsx = reverse("assessments:test_analysis_xlsx", args=[test.pk])
    for user in (world.student, world.outsider, other_tutor):
        client.force_login(user)
        assert client.get(url(test)).status_code == 404
        assert client.get(xlsx).status_code == 404
    # the methodologist of the faculty oversees: reads, but gets no button
    client.force_login(world.methodologist)
    page = client.get(url(test)).content.decode()
    assert "1 complete attempt analysed" in page
    assert "Send the marks" not in page and "Grading by hand" not in page
    client.logout()
    assert client.get(url(test)).status_code == 302


@pytest.mark.parametrize("count", [5, 30])
def test_the_page_costs_the_same_queries_for_5_and_30_attempts(
    client, world, count, django_assert_max_num_queries
):
    test = world.test(questions=[world.questions[q] for q in ("single", "multiple", "truefalse")])
    for i in range(count):
        user = StudentProfileFactory(group=world.group).user
        Enrollment.objects.get_or_create(
            offering=world.offering, student=user, defaults={"group": world.group}
        )
        finished(
            test,
            user,
            {"single": "ab"[i % 2], "multiple": ["a"] if i % 3 else ["c"], "truefalse": i % 2 == 0},
        )
    client.force_login(world.tutor)
    with django_assert_max_num_queries(10):
        response = client.get(url(test))
    assert f"{count} complete attempts analysed" in response.content.decode()
    with django_assert_max_num_queries(8):
        assert (
            client.get(reverse("assessments:test_analysis_xlsx", args=[test.pk])).status_code == 200
        )
