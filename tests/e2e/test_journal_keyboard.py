"""The tutor fills the e-journal from the keyboard (issue 5): typing starts editing, Tab and
Enter save and move, arrows move between cells, Esc puts the old value back, a refused value
shows the server's message next to the cell and keeps the old one; the final % and the letter
follow from the saved marks, and a reload shows what was saved. On the demo academy, in Kazakh.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from qashyq.academics.models import CourseOffering, Enrollment
from qashyq.accounts.models import User
from qashyq.gradebook.models import JournalRow

pytestmark = pytest.mark.usefixtures("no_staff_mfa")


def tr(message: str) -> str:
    with translation.override("kk"):
        return translation.gettext(message)


@pytest.fixture
def offering(demo_academy):
    tutor = User.objects.get(username="tutor")
    return (
        CourseOffering.objects.filter(tutors=tutor, enrollments__isnull=False)
        .distinct()
        .order_by("pk")
        .first()
    )


def cell(page: Page, row: int, column: str):
    return page.locator("#journal-grid tbody tr").nth(row).locator(f'td[data-column="{column}"]')


def computed(page: Page, row: int, key: str):
    return (
        page.locator("#journal-grid tbody tr").nth(row).locator(f'td[data-computed="{key}"] output')
    )


def test_tutor_fills_the_journal_by_keyboard(page: Page, log_in, offering):
    log_in(page, "tutor")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"/courses/{offering.pk}/journal/")
    expect(page.locator("#journal-grid[data-ready]")).to_have_count(1)
    first = page.locator("#journal-grid tbody tr").first
    student_id = int(first.get_attribute("data-student"))
    # The script takes over the rows' "Save" buttons.
    expect(first.locator("td.row-save")).to_be_hidden()

    cell(page, 0, "tk1").locator("input").click()
    for value in ("90", "90", "90", "90"):
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("name", "exam")
    page.keyboard.type("88.75")
    page.keyboard.press("Enter")
    # Enter saved and went down to the next student's exam.
    expect(cell(page, 1, "exam").locator("input")).to_be_focused()
    # R1 = R2 = 90, admission 90, final = round(0.6 x 90 + 0.4 x 88.75 = 89.5) = 90: A-.
    expect(computed(page, 0, "r1")).to_have_text("90")
    expect(computed(page, 0, "admission_rating")).to_have_text("90")
    expect(computed(page, 0, "final_percent")).to_have_text("90")
    expect(computed(page, 0, "letter")).to_have_text("A-")
    expect(cell(page, 0, "exam").locator("abbr.src")).to_have_attribute(
        "title", tr("entered by hand")
    )

    # Arrows move without editing: up to the first student's exam, left to РК2.
    page.keyboard.press("ArrowUp")
    expect(cell(page, 0, "exam").locator("input")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    rk2 = cell(page, 0, "rk2").locator("input")
    expect(rk2).to_be_focused()
    # Esc puts the old value back, nothing is sent.
    page.keyboard.type("12")
    page.keyboard.press("Escape")
    expect(rk2).to_have_value("90")
    # A value the server refuses: its message next to the cell, the old value kept.
    page.keyboard.type("150")
    page.keyboard.press("Enter")
    error = cell(page, 0, "rk2").locator(".cell-error")
    expect(error).to_have_text(tr("A mark must be from 0 to 100."))
    expect(rk2).to_have_value("90")
    expect(rk2).to_have_attribute("aria-invalid", "true")
    expect(computed(page, 0, "letter")).to_have_text("A-")
    # Lower the exam below 50: FX, whatever the admission rating.
    page.keyboard.press("ArrowUp")  # from the second row's РК2 back to the first
    expect(rk2).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.type("40")
    page.keyboard.press("Enter")
    expect(computed(page, 0, "letter")).to_have_text("FX")
    expect(computed(page, 0, "final_percent")).to_have_text("70")  # 54 + 16

    page.reload()
    expect(cell(page, 0, "tk1").locator("input")).to_have_value("90")
    expect(cell(page, 0, "exam").locator("input")).to_have_value("40")
    expect(computed(page, 0, "letter")).to_have_text("FX")
    row = JournalRow.objects.get(journal__offering=offering, student_id=student_id)
    assert (row.tk1, row.rk1, row.tk2, row.rk2, row.exam) == (
        Decimal(90),
        Decimal(90),
        Decimal(90),
        Decimal(90),
        Decimal(40),
    )
    assert Enrollment.objects.filter(offering=offering, student_id=student_id).exists()
