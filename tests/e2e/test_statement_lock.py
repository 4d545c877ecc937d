"""The statement flow in the browser (issue 5, statements): the tutor prepares the statement
from a filled journal and signs it, the registrar opens it and locks it; the page then says
"locked", the final grades are recorded once per student and the lock button is gone. On the
demo academy, in Kazakh.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from qashyq.academics.models import CourseOffering, Enrollment
from qashyq.accounts.models import User
from qashyq.gradebook import services
from qashyq.gradebook.models import FinalGrade, Statement, StatementStatus

pytestmark = pytest.mark.usefixtures("no_staff_mfa")


def tr(message: str) -> str:
    with translation.override("kk"):
        return translation.gettext(message)


@pytest.fixture
def offering(demo_academy):
    tutor = User.objects.get(username="tutor")
    offering = (
        CourseOffering.objects.filter(tutors=tutor, enrollments__isnull=False)
        .distinct()
        .order_by("pk")
        .first()
    )
    for enrollment in Enrollment.objects.filter(offering=offering):
        services.marks_set(
            actor=tutor,
            offering=offering,
            student=enrollment.student_id,
            values={"tk1": 80, "rk1": 85, "tk2": 90, "rk2": 75, "exam": 70},
        )
    return offering


def test_registrar_locks_the_statement_the_tutor_signed(page: Page, log_in, log_out, offering):
    log_in(page, "tutor")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"/courses/{offering.pk}/statements/")
    page.locator("#statement-generate button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/statements/\d+/$"))
    statement = Statement.objects.get(offering=offering)
    expect(page.locator("#statement-lines tbody tr")).to_have_count(
        Enrollment.objects.filter(offering=offering).count()
    )
    # 0.6 x 82.5 + 0.4 x 70 = 77.5 -> 78: B-
    expect(page.locator("#statement-lines td.letter").first).to_have_text("B-")
    expect(page.locator("#statement-lock")).to_have_count(0)
    page.locator("#statement-sign").click()
    expect(page.locator("#statement-status")).to_have_text(tr("signed"))
    log_out(page)

    log_in(page, "registrar")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"/courses/{offering.pk}/statements/")
    page.get_by_role("link", name=statement.number).click()
    page.locator("#statement-lock").click()
    expect(page.locator("#statement-status")).to_have_text(tr("locked"))
    expect(page.locator("#statement-lock")).to_have_count(0)
    expect(page.locator("#statement-correct")).to_be_visible()

    statement.refresh_from_db()
    assert statement.status == StatementStatus.LOCKED
    assert statement.locked_by.username == "registrar"
    grades = FinalGrade.objects.filter(offering=offering)
    assert grades.count() == Enrollment.objects.filter(offering=offering).count()
    assert set(grades.values_list("letter", flat=True)) == {"B-"}
