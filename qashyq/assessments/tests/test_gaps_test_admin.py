"""Issue 4 gaps, items 1 and 2: a tutor reorders a test's sections and its fixed questions (POST
buttons, no JavaScript) until the first attempt, and deletes a test nobody has attempted (a
confirmation page, audit-logged); with attempts both are refused with a clear message and
nothing changes. Only the course's tutors may do either."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qashyq.accounts.tests.factories import UserFactory
from qashyq.assessments.models import (
    Attempt,
    AttemptSlot,
    Question,
    Test,
    TestOverride,
    TestQuestion,
    TestSection,
)
from qashyq.assessments.services import tests_admin
from qashyq.core.errors import Conflict, PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry

from .attempt_world import World, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


@pytest.fixture
def world():
    return World()


def three_sections(world, **fields) -> Test:
    """A published test: section 1 fixed (pool questions 0, 1, 2), section 2 random (2 of the
    pool), section 3 fixed (pool question 3)."""
    fields.setdefault("shuffle_questions", False)
    test = world.test(title="Ретті тест", questions=world.pool_questions[:3], **fields)
    tests_admin.section_add(actor=world.tutor, test=test, category=world.pool, count=2)
    tests_admin.section_add(actor=world.tutor, test=test, questions=[world.pool_questions[3]])
    return test


def section_order(test) -> list[int]:
    return list(
        TestSection.objects.filter(test=test)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )


def question_order(section) -> list[int]:
    return list(
        TestQuestion.objects.filter(section=section)
        .order_by("position", "id")
        .values_list("question_id", flat=True)
    )


def move_section(client, test, section, direction):
    return client.post(
        reverse("assessments:test_section_move", args=[test.pk, section]),
        {"direction": direction},
        follow=True,
    )


def move_question(client, test, section, tq, direction):
    return client.post(
        reverse("assessments:test_question_move", args=[test.pk, section.pk, tq.pk]),
        {"direction": direction},
        follow=True,
    )


# --- reordering -----------------------------------------------------------------------------------


def test_tutor_moves_sections_with_buttons_and_new_attempts_follow_the_order(client, world):
    test = three_sections(world)
    first, second, third = section_order(test)
    client.force_login(world.tutor)
    detail = client.get(reverse("assessments:test_detail", args=[test.pk])).content.decode()
    # no JavaScript: plain forms; the first cannot go up, the last cannot go down
    assert 'aria-label="Move section 1 up"' not in detail
    assert 'aria-label="Move section 1 down"' in detail
    assert 'aria-label="Move section 3 down"' not in detail
    assert detail.count('name="direction"') >= 4

    page = move_section(client, test, third, "up")
    assert page.status_code == 200
    assert "The order of the sections is saved." in page.content.decode()
    assert section_order(test) == [first, third, second]
    assert list(
        TestSection.objects.filter(test=test)
        .order_by("position")
        .values_list("position", flat=True)
    ) == [1, 2, 3]
    move_section(client, test, first, "down")
    assert section_order(test) == [third, first, second]

    # already first: nothing moves, and the page says so
    page = move_section(client, test, third, "up")
    assert "already at that end" in page.content.decode()
    assert section_order(test) == [third, first, second]

    # a student starting now gets section 3's question first, then 1's in their order
    start(client, world.student, test)
    attempt = Attempt.objects.get(test=test, student=world.student)
    shown = list(
        AttemptSlot.objects.filter(attempt=attempt)
        .order_by("number")
        .values_list("question_version__question_id", flat=True)
    )
    pool = [q.pk for q in world.pool_questions]
    assert shown[:4] == [pool[3], pool[0], pool[1], pool[2]]
    assert len(shown) == 6


def test_tutor_moves_fixed_questions_within_a_section(client, world):
    test = three_sections(world)
    section = TestSection.objects.filter(test=test).order_by("position").first()
    q0, q1, q2 = (q.pk for q in world.pool_questions[:3])
    tq2 = TestQuestion.objects.get(section=section, question_id=q2)
    client.force_login(world.tutor)
    detail = client.get(reverse("assessments:test_detail", args=[test.pk])).content.decode()
    assert 'aria-label="Move question 3 of section 1 up"' in detail
    assert 'aria-label="Move question 1 of section 1 up"' not in detail

    page = move_question(client, test, section, tq2, "up")
    assert "The order of the questions is saved." in page.content.decode()
    assert question_order(section) == [q0, q2, q1]
    move_question(client, test, section, tq2, "up")
    assert question_order(section) == [q2, q0, q1]
    page = move_question(client, test, section, tq2, "up")
    assert "already at that end of its section" in page.content.decode()
    assert question_order(section) == [q2, q0, q1]

    # the page lists them in the new order
    html = client.get(reverse("assessments:test_detail", args=[test.pk])).content.decode()
    names = [Question.objects.get(pk=pk).current_version.name for pk in (q2, q0, q1)]
    assert html.index(names[0]) < html.index(names[1]) < html.index(names[2])


def test_a_question_of_another_section_or_test_is_not_found(client, world):
    test = three_sections(world)
    other = three_sections(world)
    first, _second, third = TestSection.objects.filter(test=test).order_by("position")
    tq = TestQuestion.objects.filter(section=first).first()
    client.force_login(world.tutor)
    before = question_order(first)
    # the right question under the wrong section, and a section of another test
    assert (
        client.post(
            reverse("assessments:test_question_move", args=[test.pk, third.pk, tq.pk]),
            {"direction": "down"},
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("assessments:test_section_move", args=[other.pk, first.pk]),
            {"direction": "down"},
        ).status_code
        == 404
    )
    assert question_order(first) == before


def test_a_bad_direction_changes_nothing(client, world):
    test = three_sections(world)
    order = section_order(test)
    client.force_login(world.tutor)
    page = move_section(client, test, order[1], "sideways")
    assert "Move a section or a question up or down." in page.content.decode()
    assert section_order(test) == order
    with pytest.raises(ValidationFailed):
        tests_admin.section_move(
            actor=world.tutor, section=TestSection.objects.get(pk=order[1]), direction=""
        )
    assert section_order(test) == order


def test_after_an_attempt_the_order_is_fixed_with_a_clear_message(client, world):
    test = three_sections(world)
    order = section_order(test)
    first = TestSection.objects.get(pk=order[0])
    questions = question_order(first)
    start(client, world.student, test)

    client.force_login(world.tutor)
    detail = client.get(reverse("assessments:test_detail", args=[test.pk])).content.decode()
    assert 'id="order-locked"' in detail
    assert "Move section" not in detail and "Move question" not in detail

    page = move_section(client, test, order[2], "up")
    assert "attempts keep the order they were shown" in page.content.decode()
    tq = TestQuestion.objects.filter(section=first).order_by("position").last()
    page = move_question(client, test, first, tq, "up")
    assert "attempts keep the order they were shown" in page.content.decode()
    assert section_order(test) == order
    assert question_order(first) == questions

    with pytest.raises(Conflict) as refused:
        tests_admin.section_move(
            actor=world.tutor, section=TestSection.objects.get(pk=order[2]), direction="up"
        )
    assert refused.value.code == "test_has_attempts"


# --- deletion -------------------------------------------------------------------------------------


def test_tutor_deletes_an_unattempted_test_after_confirming(client, world):
    test = three_sections(world)
    tests_admin.override_set(actor=world.tutor, test=test, student=world.student, time_limit=90)
    questions_before = Question.objects.count()
    client.force_login(world.tutor)
    detail = client.get(reverse("assessments:test_detail", args=[test.pk])).content.decode()
    url = reverse("assessments:test_delete", args=[test.pk])
    assert url in detail

    confirm = client.get(url)
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Delete the test “Ретті тест”?" in html
    assert "The test and its 3 sections are deleted for good." in html
    assert "Its 1 override goes with it." in html
    assert "csrfmiddlewaretoken" in html
    assert Test.objects.filter(pk=test.pk).exists()  # looking changes nothing

    done = client.post(url, follow=True)
    assert done.redirect_chain[-1][0] == reverse("assessments:test_list", args=[world.offering.pk])
    assert "The test “Ретті тест” is deleted." in done.content.decode()
    assert not Test.objects.filter(pk=test.pk).exists()
    assert not TestSection.objects.filter(test_id=test.pk).exists()
    assert not TestOverride.objects.filter(test_id=test.pk).exists()
    assert Question.objects.count() == questions_before  # the bank keeps its questions
    entry = AuditLogEntry.objects.get(action="assessments.test_deleted")
    assert entry.actor == world.tutor
    assert entry.object_id == str(test.pk)
    assert entry.old_value["title"] == "Ретті тест"
    assert len(entry.old_value["sections"]) == 3
    assert entry.old_value["overrides"] == 1


def test_a_test_with_attempts_is_not_deleted_and_the_tutor_is_told_to_close_it(client, world):
    test = three_sections(world)
    start(client, world.student, test)
    client.force_login(world.tutor)
    url = reverse("assessments:test_delete", args=[test.pk])
    confirm = client.get(url).content.decode()
    assert "This test cannot be deleted: students have 1 attempt at it" in confirm
    assert "unpublish it" in confirm
    assert 'id="delete-form"' not in confirm

    refused = client.post(url, follow=True)
    assert refused.redirect_chain[-1][0] == reverse("assessments:test_detail", args=[test.pk])
    assert "Unpublish it or set its closing time instead." in refused.content.decode()
    assert Test.objects.filter(pk=test.pk).exists()
    assert TestSection.objects.filter(test=test).count() == 3
    assert Attempt.objects.filter(test=test).count() == 1
    assert not AuditLogEntry.objects.filter(action="assessments.test_deleted").exists()
    with pytest.raises(Conflict):
        tests_admin.test_delete(actor=world.tutor, test=test)


# --- who may: a matrix of roles × actions ---------------------------------------------------------


ACTIONS = ("move_section", "move_question", "delete_page", "delete")


@pytest.mark.parametrize("role", ["student", "outsider", "methodologist", "other_tutor", "anon"])
def test_only_the_courses_tutors_reorder_or_delete(client, world, role):
    test = three_sections(world)
    order = section_order(test)
    first = TestSection.objects.get(pk=order[0])
    tq = TestQuestion.objects.filter(section=first).order_by("position").last()
    questions = question_order(first)
    user = {
        "student": world.student,
        "outsider": world.outsider,
        "methodologist": world.methodologist,
        "other_tutor": World().tutor,
        "anon": None,
    }[role]
    if user is not None:
        client.force_login(user)
    requests = {
        "move_section": lambda: client.post(
            reverse("assessments:test_section_move", args=[test.pk, order[2]]),
            {"direction": "up"},
        ),
        "move_question": lambda: client.post(
            reverse("assessments:test_question_move", args=[test.pk, first.pk, tq.pk]),
            {"direction": "up"},
        ),
        "delete_page": lambda: client.get(reverse("assessments:test_delete", args=[test.pk])),
        "delete": lambda: client.post(reverse("assessments:test_delete", args=[test.pk])),
    }
    for action in ACTIONS:
        response = requests[action]()
        if user is None:
            assert response.status_code == 302 and "/login" in response["Location"], action
        else:
            assert response.status_code in (403, 404), (role, action)
    assert section_order(test) == order
    assert question_order(first) == questions
    assert Test.objects.filter(pk=test.pk).exists()
    assert not AuditLogEntry.objects.filter(action="assessments.test_deleted").exists()


def test_the_services_refuse_anyone_but_a_tutor(world):
    test = three_sections(world)
    section = TestSection.objects.filter(test=test).order_by("position").last()
    tq = TestQuestion.objects.filter(section__test=test).order_by("position").last()
    for user in (world.student, world.methodologist, UserFactory()):
        with pytest.raises(PermissionDenied):
            tests_admin.section_move(actor=user, section=section, direction="up")
        with pytest.raises(PermissionDenied):
            tests_admin.test_question_move(actor=user, test_question=tq, direction="up")
        with pytest.raises(PermissionDenied):
            tests_admin.test_delete(actor=user, test=test)
    assert Test.objects.filter(pk=test.pk).exists()
    assert section_order(test)[-1] == section.pk


def test_detail_page_query_count_does_not_grow_with_sections(
    client, world, django_assert_max_num_queries
):
    small = three_sections(world)
    big = three_sections(world)
    for i in range(6):
        tests_admin.section_add(
            actor=world.tutor, test=big, questions=world.pool_questions[4 + i * 2 : 6 + i * 2]
        )
    client.force_login(world.tutor)
    with django_assert_max_num_queries(16) as small_queries:
        assert client.get(reverse("assessments:test_detail", args=[small.pk])).status_code == 200
    small_count = len(small_queries)
    with django_assert_max_num_queries(small_count):
        page = client.get(reverse("assessments:test_detail", args=[big.pk]))
    assert page.content.decode().count("Move section") == 2 * 9 - 2
