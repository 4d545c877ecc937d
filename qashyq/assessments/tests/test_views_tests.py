"""The tutor's test pages and the student's review page (issue 4, item 4): create, edit,
sections, overrides, publish; bad input changes nothing; only the course's tutors change
anything; students see published tests only; the review page shows what the options allow and
nothing more; list pages cost a bounded number of queries."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from qashyq.academics.tests.factories import StudentProfileFactory
from qashyq.assessments.models import Attempt, AttemptState, Test, TestOverride, TestSection
from qashyq.assessments.services import tests_admin
from qashyq.assessments.services.attempts import attempt_submit, test_final_mark
from qashyq.assessments.views_tests import final_mark

from .attempt_world import KEY, WRONG, World, save, slot_of, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


@pytest.fixture
def world():
    return World()


def local(dt: datetime.datetime) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def settings_form(**overrides) -> dict:
    now = timezone.now()
    data = {
        "title": "РК1 · Музыка тарихы",
        "intro": "Сәттілік!",
        "kind": "rk1",
        "opens_at": local(now - datetime.timedelta(hours=1)),
        "closes_at": local(now + datetime.timedelta(days=1)),
        "time_limit": "40",
        "attempts_allowed": "2",
        "grading_method": "last",
        "navigation": "sequential",
        "shuffle_questions": "on",
        "password": "  күй2026 ",
        "allowed_ip_ranges": "10.1.2.0/24\n192.168.0.7",
        "proctored": "on",
        "gradebook_column": "rk1",
        "review_after_close_right_answers": "on",
        "review_later_feedback": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- create and edit ---------------------------------------------------------------------------


def test_tutor_creates_a_test_with_every_setting(client, world):
    client.force_login(world.tutor)
    url = reverse("assessments:test_create", args=[world.offering.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    # the review grid: 16 checkboxes, each with its own label
    for moment in ("during", "immediately", "later", "after_close"):
        for item in ("score", "responses", "right_answers", "feedback"):
            assert f'for="id_review_{moment}_{item}"' in html

    response = client.post(url, settings_form())
    test = Test.objects.get(offering=world.offering)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:test_detail", args=[test.pk])
    assert test.title == "РК1 · Музыка тарихы"
    assert test.kind == "rk1" and test.time_limit == 40 and test.attempts_allowed == 2
    assert test.grading_method == "last" and test.navigation == "sequential"
    assert test.shuffle_questions and not test.shuffle_options
    assert test.password == "күй2026"
    assert test.allowed_ip_ranges == "10.1.2.0/24\n192.168.0.7"
    assert test.proctored and test.gradebook_column == "rk1"
    assert test.review_after_close_right_answers and test.review_later_feedback
    assert not test.review_immediately_score  # unchecked boxes are off
    assert not test.published
    assert test.closes_at - test.opens_at > datetime.timedelta(hours=24)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "   ", "This field is required."),
        ("allowed_ip_ranges", "10.1.2.0/24\nnot-an-ip", "Line 2 of the allowed IP ranges"),
        ("time_limit", "0", "greater than or equal to 1"),
        ("attempts_allowed", "-1", "greater than or equal to 0"),
        ("grading_method", "median", "Select a valid choice"),
        ("gradebook_column", "final", "Select a valid choice"),
        ("opens_at", "yesterday", "Enter a valid date/time."),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(client, world, field, value, message):
    client.force_login(world.tutor)
    create = client.post(
        reverse("assessments:test_create", args=[world.offering.pk]),
        settings_form(**{field: value}),
    )
    assert create.status_code == 400
    assert message in create.content.decode()
    assert not Test.objects.exists()

    test = world.test(title="Бастапқы")
    before = {f: getattr(test, f) for f in tests_admin.TEST_FIELDS}
    edit = client.post(
        reverse("assessments:test_edit", args=[test.pk]), settings_form(**{field: value})
    )
    assert edit.status_code == 400
    test.refresh_from_db()
    assert {f: getattr(test, f) for f in tests_admin.TEST_FIELDS} == before


def test_closing_before_opening_is_refused(client, world):
    client.force_login(world.tutor)
    now = timezone.now()
    response = client.post(
        reverse("assessments:test_create", args=[world.offering.pk]),
        settings_form(opens_at=local(now), closes_at=local(now - datetime.timedelta(hours=2))),
    )
    assert response.status_code == 400
    assert "The test must close after it opens." in response.content.decode()
    assert not Test.objects.exists()


def test_edit_shows_the_saved_values_and_saves_changes(client, world):
    test = world.test(title="РК1", time_limit=30, password="abc")
    client.force_login(world.tutor)
    url = reverse("assessments:test_edit", args=[test.pk])
    html = client.get(url).content.decode()
    assert 'value="РК1"' in html and 'value="30"' in html and 'value="abc"' in html
    response = client.post(url, settings_form(title="РК1 (жаңа)", time_limit="", password=""))
    assert response.status_code == 302
    test.refresh_from_db()
    assert test.title == "РК1 (жаңа)" and test.time_limit is None and test.password == ""


def test_nobody_but_the_courses_tutors_changes_a_test(client, world):
    test = world.test()
    draft = tests_admin.test_create(actor=world.tutor, offering=world.offering, title="Жоба")
    section = test.sections.get()
    urls_post = [
        reverse("assessments:test_create", args=[world.offering.pk]),
        reverse("assessments:test_edit", args=[test.pk]),
        reverse("assessments:test_publish", args=[draft.pk]),
        reverse("assessments:test_section_add_random", args=[test.pk]),
        reverse("assessments:test_section_remove", args=[test.pk, section.pk]),
        reverse("assessments:test_override_save", args=[test.pk]),
    ]
    for user in (world.student, world.methodologist, world.outsider):
        client.force_login(user)
        for url in urls_post:
            response = client.post(
                url,
                settings_form()
                | {"published": "1", "category": world.pool.pk, "count": "1"}
                | {"target": f"s{world.student.pk}", "time_limit": "90"},
            )
            assert response.status_code in (403, 404), (user, url)
    assert Test.objects.count() == 2
    draft.refresh_from_db()
    assert not draft.published
    assert TestSection.objects.filter(test=test).count() == 1
    assert not TestOverride.objects.exists()
    test.refresh_from_db()
    assert test.title == "РК1"


# --- sections and publishing -------------------------------------------------------------------


def test_random_section_then_publish(client, world):
    client.force_login(world.tutor)
    test = tests_admin.test_create(actor=world.tutor, offering=world.offering, title="РК2")
    detail = client.get(reverse("assessments:test_detail", args=[test.pk])).content.decode()
    assert "Қор (20 questions)" in detail  # the pool category with its size

    # publishing without questions is refused, and says why
    refused = client.post(reverse("assessments:test_publish", args=[test.pk]), {"published": "1"})
    assert refused.status_code == 400
    assert "The test has no questions yet." in refused.content.decode()
    test.refresh_from_db()
    assert not test.published

    add = reverse("assessments:test_section_add_random", args=[test.pk])
    response = client.post(add, {"category": world.pool.pk, "count": "25", "mark": "2"})
    assert response.status_code == 302
    section = test.sections.get()
    assert section.category == world.pool and section.count == 25 and section.mark == 2

    # 25 asked, 20 held: the service refuses to publish
    refused = client.post(reverse("assessments:test_publish", args=[test.pk]), {"published": "1"})
    assert refused.status_code == 400
    assert "Section 1 asks for 25 questions but its category holds 20." in (
        refused.content.decode()
    )
    test.refresh_from_db()
    assert not test.published

    client.post(reverse("assessments:test_section_remove", args=[test.pk, section.pk]))
    assert not test.sections.exists()
    client.post(add, {"category": world.pool.pk, "count": "5"})
    ok = client.post(reverse("assessments:test_publish", args=[test.pk]), {"published": "1"})
    assert ok.status_code == 302
    test.refresh_from_db()
    assert test.published

    client.post(reverse("assessments:test_publish", args=[test.pk]), {"published": "0"})
    test.refresh_from_db()
    assert not test.published


def test_bad_sections_change_nothing(client, world):
    client.force_login(world.tutor)
    test = tests_admin.test_create(actor=world.tutor, offering=world.offering, title="РК2")
    other = World()  # a bank of another discipline
    add = reverse("assessments:test_section_add_random", args=[test.pk])
    for data in (
        {"category": world.pool.pk, "count": "0"},
        {"category": world.pool.pk, "count": "abc"},
        {"category": other.pool.pk, "count": "2"},
        {"category": "", "count": "2"},
        {"category": world.pool.pk, "count": "2", "mark": "-1"},
    ):
        assert client.post(add, data).status_code == 400, data
    fixed = reverse("assessments:test_section_add_fixed", args=[test.pk])
    for data in (
        {"bank": world.bank.pk},
        {"bank": other.bank.pk, "questions": [other.pool_questions[0].pk]},
        {"bank": world.bank.pk, "questions": [other.pool_questions[0].pk]},
    ):
        assert client.post(fixed, data).status_code == 400, data
    assert not TestSection.objects.exists()


def test_fixed_questions_from_a_bank(client, world):
    client.force_login(world.tutor)
    test = tests_admin.test_create(actor=world.tutor, offering=world.offering, title="РК2")
    detail = client.get(
        reverse("assessments:test_detail", args=[test.pk]), {"bank": world.bank.pk}
    ).content.decode()
    chosen = world.pool_questions[:3]
    for q in chosen:
        assert f'value="{q.pk}"' in detail
    ids = re.findall(r'\sid="([^"]+)"', detail)
    assert len(ids) == len(set(ids)), "ids on the page must be unique"
    for target in re.findall(r'<label for="([^"]+)"', detail):
        assert target in ids, target  # every label names a control of the page
    response = client.post(
        reverse("assessments:test_section_add_fixed", args=[test.pk]),
        {"bank": world.bank.pk, "questions": [q.pk for q in chosen]},
    )
    assert response.status_code == 302
    section = test.sections.get()
    assert section.category is None
    assert [tq.question_id for tq in section.fixed_questions.all()] == [q.pk for q in chosen]


def test_overrides_per_student_and_group(client, world):
    test = world.test(time_limit=30)
    client.force_login(world.tutor)
    url = reverse("assessments:test_override_save", args=[test.pk])
    response = client.post(url, {"target": f"s{world.student.pk}", "time_limit": "45"})
    assert response.status_code == 302
    response = client.post(url, {"target": f"g{world.group.pk}", "attempts_allowed": "3"})
    assert response.status_code == 302
    mine = TestOverride.objects.get(test=test, student=world.student)
    assert mine.time_limit == 45 and mine.attempts_allowed is None
    assert TestOverride.objects.get(test=test, group=world.group).attempts_allowed == 3
    html = client.get(reverse("assessments:test_detail", args=[test.pk])).content.decode()
    assert "45" in html and f"Group {world.group}" in html

    # bad input: a student of another course, a group of another course, a bad time
    outsider = StudentProfileFactory()
    for data in (
        {"target": f"s{world.outsider.pk}", "time_limit": "45"},
        {"target": f"g{outsider.group.pk}", "time_limit": "45"},
        {"target": f"s{world.student.pk}", "time_limit": "0"},
        {"target": "x1", "time_limit": "45"},
    ):
        assert client.post(url, data).status_code == 400, data
    assert TestOverride.objects.count() == 2
    mine.refresh_from_db()
    assert mine.time_limit == 45

    client.post(reverse("assessments:test_override_remove", args=[test.pk, mine.pk]))
    assert not TestOverride.objects.filter(student=world.student).exists()


# --- the list ----------------------------------------------------------------------------------


def test_students_see_published_tests_only_with_their_attempts(client, world):
    published = world.test(title="Жарияланған тест")
    tests_admin.test_create(actor=world.tutor, offering=world.offering, title="Жасырын жоба")
    start(client, world.student, published)
    attempt = Attempt.objects.get(student=world.student)
    attempt_submit(actor=world.student, attempt=attempt)

    client.force_login(world.student)
    url = reverse("assessments:test_list", args=[world.offering.pk])
    html = client.get(url).content.decode()
    assert "Жарияланған тест" in html
    assert "Жасырын жоба" not in html
    assert reverse("assessments:attempt_page", args=[published.pk]) in html
    assert reverse("assessments:attempt_review", args=[attempt.pk]) in html

    client.force_login(world.tutor)
    html = client.get(url).content.decode()
    assert "Жарияланған тест" in html and "Жасырын жоба" in html
    assert "1 attempt" in html

    client.force_login(world.outsider)
    assert client.get(url).status_code == 403


def test_list_pages_cost_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    for i in range(6):
        test = world.test(title=f"Тест {i}", count=2, category="pool", attempts_allowed=0)
        for student in world.students:
            start(client, student, test)
            attempt_submit(actor=student, attempt=Attempt.objects.get(test=test, student=student))
    url = reverse("assessments:test_list", args=[world.offering.pk])
    # measured: 8, 9, 7 and 13 queries, the same with 2 tests as with 6
    client.force_login(world.tutor)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    client.force_login(world.student)
    with django_assert_max_num_queries(11):
        assert client.get(url).status_code == 200
    client.force_login(world.tutor)
    with django_assert_max_num_queries(9):
        page = client.get(reverse("assessments:test_attempts", args=[test.pk]))
    assert page.status_code == 200
    assert page.content.decode().count("Finish now") == 0  # all finished
    with django_assert_max_num_queries(15):
        assert client.get(reverse("assessments:test_detail", args=[test.pk])).status_code == 200


# --- attempts and the tutor's view -------------------------------------------------------------


def test_attempts_page_final_mark_and_finish_now(client, world):
    test = world.test(count=3, category="pool", grading_method="average", attempts_allowed=0)
    student, other = world.students[0], world.students[1]
    for _i in range(2):
        start(client, student, test)
        attempt = Attempt.objects.get(test=test, student=student, state="in_progress")
        doc = client.get(f"/api/v1/attempts/{attempt.pk}").json()
        save(client, attempt.pk, doc["slots"][0]["slot"], "a", 1)
        attempt_submit(actor=student, attempt=attempt)
    start(client, other, test)
    running = Attempt.objects.get(test=test, student=other)

    client.force_login(world.tutor)
    url = reverse("assessments:test_attempts", args=[test.pk])
    html = client.get(url).content.decode()
    expected = final_mark(
        [a.score for a in Attempt.objects.filter(test=test, student=student)], "average"
    )
    assert expected == test_final_mark(test, student)
    assert f"{expected:.2f}" in html or f"{expected.normalize()}" in html
    assert "In progress" in html and "Finish now" in html
    assert reverse("assessments:attempt_view", args=[running.pk]) in html

    # nobody but the tutors finishes someone's attempt
    client.force_login(world.students[2])
    finish = reverse("assessments:attempt_finish", args=[running.pk])
    assert client.post(finish).status_code == 403
    running.refresh_from_db()
    assert running.state == AttemptState.IN_PROGRESS

    client.force_login(world.tutor)
    assert client.post(finish).status_code == 302
    running.refresh_from_db()
    assert running.state == AttemptState.FINISHED and running.finished_by == "staff"

    # the methodologist reads, but cannot finish
    client.force_login(world.methodologist)
    assert client.get(url).status_code == 200
    client.force_login(world.students[1])
    assert client.get(url).status_code == 403


def test_staff_view_shows_the_right_answers(client, world):
    test = world.test()  # every type once
    response = start(client, world.student, test)
    doc = response.json()
    attempt = Attempt.objects.get(pk=doc["id"])
    save(client, attempt.pk, slot_of(doc, "short")["slot"], WRONG["short"], 1)
    attempt_submit(actor=world.student, attempt=attempt)
    client.force_login(world.tutor)
    html = client.get(reverse("assessments:attempt_view", args=[attempt.pk])).content.decode()
    assert KEY["short"] in html  # the right answer
    assert WRONG["short"] in html  # the student's answer
    client.force_login(world.students[1])
    assert client.get(reverse("assessments:attempt_view", args=[attempt.pk])).status_code == 404


# --- the student's review ----------------------------------------------------------------------

REVIEW_OFF = {
    f"review_{m}_{i}": False
    for m in ("during", "immediately", "later", "after_close")
    for i in ("score", "responses", "right_answers", "feedback")
}


def finished_attempt(client, world, **fields):
    test = world.test(**fields)
    doc = start(client, world.student, test).json()
    attempt = Attempt.objects.get(pk=doc["id"])
    save(client, attempt.pk, slot_of(doc, "short")["slot"], WRONG["short"], 1)
    save(client, attempt.pk, slot_of(doc, "single")["slot"], "a", 1)
    attempt_submit(actor=world.student, attempt=attempt)
    client.force_login(world.student)
    return attempt


def test_review_with_every_option_off_shows_no_answer_key_score_or_feedback(client, world):
    attempt = finished_attempt(client, world, **REVIEW_OFF)
    response = client.get(reverse("assessments:attempt_review", args=[attempt.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Қазақстанның астанасы?" in html  # the question is shown
    assert KEY["short"] not in html  # the right answer is not
    assert WRONG["short"] not in html  # nor the student's own answer
    assert "SECRET" not in html  # no feedback, accepted answers or grader information
    assert 'id="review-score"' not in html
    assert "The score is not shown yet." in html


def test_review_shows_what_the_options_allow_right_after_the_attempt(client, world):
    options = REVIEW_OFF | {
        "review_immediately_responses": True,
        "review_immediately_score": True,
    }
    attempt = finished_attempt(client, world, **options)
    html = client.get(reverse("assessments:attempt_review", args=[attempt.pk])).content.decode()
    assert WRONG["short"] in html  # own answers: allowed
    assert 'id="review-score"' in html  # the score: allowed
    assert KEY["short"] not in html  # right answers: not allowed
    assert "SECRET" not in html


def test_review_after_close_shows_right_answers_and_feedback(client, world):
    options = REVIEW_OFF | {
        "review_after_close_right_answers": True,
        "review_after_close_feedback": True,
        "review_after_close_responses": True,
    }
    attempt = finished_attempt(client, world, **options)
    Test.objects.filter(pk=attempt.test_id).update(
        opens_at=timezone.now() - datetime.timedelta(days=2),
        closes_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    html = client.get(reverse("assessments:attempt_review", args=[attempt.pk])).content.decode()
    assert KEY["short"] in html
    assert "SECRET-FB-single-a" in html  # the feedback of the chosen option
    assert "SECRET-GENERAL-short" in html


def test_only_the_owner_sees_the_review(client, world):
    attempt = finished_attempt(client, world)
    client.force_login(world.students[1])
    assert client.get(reverse("assessments:attempt_review", args=[attempt.pk])).status_code == 404
    client.force_login(world.tutor)  # staff go to their own view
    response = client.get(reverse("assessments:attempt_review", args=[attempt.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:attempt_view", args=[attempt.pk])


def test_submit_points_to_the_review_page(client, world):
    test = world.test()
    doc = start(client, world.student, test).json()
    response = client.post(f"/api/v1/attempts/{doc['id']}/submit")
    assert response.json()["review_url"] == reverse("assessments:attempt_review", args=[doc["id"]])


def test_review_sanitises_an_essay_and_sends_an_unfinished_attempt_to_the_exam_page(client, world):
    test = world.test()  # responses are shown right after the attempt by default
    doc = start(client, world.student, test).json()
    review = reverse("assessments:attempt_review", args=[doc["id"]])
    client.force_login(world.student)
    response = client.get(review)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:attempt_page", args=[test.pk])

    essay = {"text": "<p>Абай — ақын.</p><script>alert('x')</script>", "files": []}
    assert save(client, doc["id"], slot_of(doc, "essay")["slot"], essay, 1).status_code == 200
    attempt_submit(actor=world.student, attempt=Attempt.objects.get(pk=doc["id"]))
    html = client.get(review).content.decode()
    assert "<p>Абай — ақын.</p>" in html
    assert "alert(" not in html
