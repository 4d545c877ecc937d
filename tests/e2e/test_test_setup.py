"""A tutor sets up a test in the browser and a student takes it (issue 4, item 4).

The tutor creates a test on the course's test page with every setting a form shows, adds a
section of random questions from a category of the discipline's bank (the demo bank imported
from the Platonus/GIFT files when the demo has one, else a bank made here), and publishes it.
The student finds it in the course's list of tests, takes it on the exam page, finishes, and the
review shows the right answers only because the tutor allowed them right after the attempt.
"""

from __future__ import annotations

import re

import pytest
from django.db.models import Count, F, Q
from django.utils import translation
from playwright.sync_api import Page, expect

from qashyq.academics.models import Enrollment
from qashyq.accounts.models import User
from qashyq.assessments.models import Attempt, AttemptState, QuestionCategory, Test
from qashyq.assessments.services import bank_create, category_ensure_path, question_create

pytestmark = pytest.mark.usefixtures("demo_academy", "no_staff_mfa")

STUDENT = "student"
TITLE = "РК1 · Браузердегі тест"


def tr(message: str) -> str:
    with translation.override("kk"):
        return translation.gettext(message)


def _category_of(discipline):
    """A category of the discipline's banks holding two or more questions, all single choice
    (the page draws them as radio buttons)."""
    return (
        QuestionCategory.objects.filter(bank__discipline=discipline)
        .annotate(
            n=Count(
                "questions",
                filter=Q(questions__archived=False, questions__current_version__qtype="single"),
            ),
            all_n=Count("questions"),
        )
        .filter(n__gte=2, n=F("all_n"))
        .order_by("pk")
        .first()
    )


def course_and_category():
    """The student's course taught by a tutor, and a category of its discipline's bank: the
    demo bank's when the demo has one for a course of the student, else one made here."""
    student = User.objects.get(username=STUDENT)
    enrollments = list(
        Enrollment.objects.filter(student=student, offering__tutors__isnull=False)
        .select_related("offering__discipline")
        .distinct()
        .order_by("offering_id")
    )
    assert enrollments, "the demo student takes no course with a tutor"
    for enrollment in enrollments:
        category = _category_of(enrollment.offering.discipline)
        if category is not None:
            offering = enrollment.offering
            return offering, offering.tutors.order_by("username").first(), category
    offering = enrollments[0].offering
    tutor = offering.tutors.order_by("username").first()
    bank = bank_create(actor=tutor, title="E2E: тест банкі", discipline=offering.discipline)
    category = category_ensure_path(actor=tutor, bank=bank, path=("Браузер",))
    for i in range(3):
        question_create(
            actor=tutor,
            bank=bank,
            category=category,
            qtype="single",
            text=f"Сұрақ {i}",
            data={
                "options": [
                    {"id": "a", "text": f"Дұрыс {i}", "fraction": 1},
                    {"id": "b", "text": f"Қате {i}", "fraction": 0},
                ]
            },
        )
    return offering, tutor, category


def test_a_tutor_sets_up_a_test_and_a_student_takes_it(page: Page, log_in, log_out):
    offering, tutor, category = course_and_category()

    # --- the tutor creates the test ------------------------------------------------------------
    log_in(page, tutor.username)
    page.goto(f"/courses/{offering.pk}/tests/")
    page.get_by_role("link", name=tr("New test")).click()
    page.get_by_label(tr("Title"), exact=True).fill(TITLE)
    page.get_by_label(tr("Kind"), exact=True).select_option("rk1")
    page.get_by_label(tr("Time limit (minutes)")).fill("30")
    page.get_by_label(tr("Attempts allowed")).fill("1")
    page.get_by_label(tr("Gradebook column")).select_option("rk1")
    right_after = tr("Right after the attempt (2 minutes)")
    page.get_by_label(f"{right_after}: {tr('Right answers')}").check()
    page.get_by_label(f"{right_after}: {tr('Own answers')}").check()
    page.get_by_label(f"{right_after}: {tr('Score')}").uncheck()  # checked by default
    page.get_by_role("button", name=tr("Save"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    test = Test.objects.get(title=TITLE)
    assert test.kind == "rk1" and test.time_limit == 30 and test.gradebook_column == "rk1"
    assert test.review_immediately_right_answers and not test.review_later_right_answers
    assert not test.review_immediately_score

    # --- a random section of two questions, then publish ---------------------------------------
    page.get_by_label(tr("Category"), exact=True).select_option(str(category.pk))
    page.get_by_label(tr("Number of questions")).fill("2")
    page.get_by_role("button", name=tr("Add the section")).click()
    expect(page.locator("#test-sections li")).to_have_count(1)
    page.get_by_role("button", name=tr("Publish"), exact=True).click()
    expect(page.locator("#test-state")).to_have_text(
        tr("Published: the students of the course see it.")
    )
    test.refresh_from_db()
    assert test.published
    log_out(page)

    # --- the student takes it -----------------------------------------------------------------
    log_in(page, STUDENT)
    page.goto(f"/courses/{offering.pk}/tests/")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    page.get_by_role("link", name=re.compile(re.escape(TITLE))).click()
    page.get_by_role("button", name=tr("Start the attempt")).click()
    first = page.locator("#attempt-questions input[type=radio]").first
    expect(first).to_be_visible()
    first.check()
    expect(page.locator("#attempt-status")).to_have_text(tr("Saved"))
    page.get_by_role("button", name=tr("Finish the attempt")).click()
    page.get_by_role("button", name=tr("Yes, finish")).click()
    expect(page.locator("#attempt-result")).to_contain_text(tr("The attempt is finished."))
    attempt = Attempt.objects.get(test=test, student__username=STUDENT)
    assert attempt.state == AttemptState.FINISHED
    assert attempt.slots.count() == 2

    # --- the review: own answers and the right answers, as the tutor allowed -------------------
    page.get_by_role("link", name=tr("See the review")).click()
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt.pk}/review/$"))
    expect(page.locator("#review-questions > li")).to_have_count(2)
    expect(page.locator(".review-options").first).to_contain_text(tr("your choice"))
    expect(page.locator(".review-options").first).to_contain_text(tr("right"))
    # the score was not allowed right after the attempt
    expect(page.locator("#review-score")).to_have_count(0)
