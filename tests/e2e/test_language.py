"""The portal speaks Kazakh by default; the header's switch turns it to Russian or English, and
the choice is remembered per browser (cookie) and per user (preferred_language)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from qashyq.academics.models import CalendarEvent, Program, StudentProfile
from qashyq.accounts.models import User

pytestmark = pytest.mark.usefixtures("demo_academy")

LANGUAGE_BUTTONS = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def tr(message: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def program_names(language: str) -> list[str]:
    """Names of the published programs in ``language``, only those that differ in the others
    (a name spelt alike in two languages proves nothing about the switch)."""
    names = []
    for program in Program.objects.filter(is_published=True):
        mine = getattr(program, f"name_{language}")
        others = {program.name_kk, program.name_ru, program.name_en} - {mine}
        if len(others) == 2:
            names.append(mine)
    assert names, "the demo programs have names in three languages"
    return names


def switch_language(page: Page, language: str) -> None:
    page.get_by_role("button", name=LANGUAGE_BUTTONS[language], exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def expect_page_language(page: Page, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    for code, label in LANGUAGE_BUTTONS.items():
        pressed = "true" if code == language else "false"
        button = page.get_by_role("button", name=label, exact=True)
        expect(button).to_have_attribute("aria-pressed", pressed)
    nav = page.get_by_role("navigation", name=tr("Main navigation", language))
    expect(nav.get_by_role("link", name=tr("Programs", language), exact=True)).to_be_visible()


def expect_program_names(page: Page, language: str) -> None:
    main = page.get_by_role("main")
    for name in program_names(language):
        expect(main.get_by_role("link", name=name, exact=True).first).to_be_visible()
    for other in {"kk", "ru", "en"} - {language}:
        for name in program_names(other):
            expect(main.get_by_role("link", name=name, exact=True)).to_have_count(0)


def test_home_page_is_kazakh_by_default(page: Page):
    # A browser that asks for Russian still gets Kazakh until someone chooses.
    page.set_extra_http_headers({"Accept-Language": "ru-RU,ru;q=0.9"})
    page.goto("/")

    expect_page_language(page, "kk")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name=tr("Browse the programs", "kk"))).to_be_visible()
    # Kazakh letters from the demo catalogue's Kazakh names.
    expect_program_names(page, "kk")
    expect(main).to_contain_text(re.compile("[әғқңөұүһі]"))


def test_switch_to_russian_then_english_is_remembered_by_the_browser(page: Page, new_browser_page):
    page.goto("/programs/")
    expect_page_language(page, "kk")
    expect_program_names(page, "kk")

    switch_language(page, "ru")
    expect(page).to_have_url(re.compile(r"/programs/$"))  # back on the same page
    expect_page_language(page, "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("Educational programs", "ru"))
    expect_program_names(page, "ru")

    switch_language(page, "en")
    expect_page_language(page, "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("Educational programs", "en"))
    expect_program_names(page, "en")

    page.reload()
    expect_page_language(page, "en")
    expect_program_names(page, "en")

    # Another page through the menu: still English, with the calendar's English notes.
    page.get_by_role("navigation", name=tr("Main navigation", "en")).get_by_role(
        "link", name=tr("Calendar", "en"), exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"/calendar/$"))
    expect_page_language(page, "en")
    event = CalendarEvent.objects.filter(year__is_current=True).exclude(note_en="").first()
    expect(page.get_by_role("main").get_by_text(event.note_en).first).to_be_visible()
    expect(page.get_by_role("main").get_by_text(event.note_kk)).to_have_count(0)

    # A new tab of the same browser remembers; another browser starts in Kazakh.
    second_tab = page.context.new_page()
    second_tab.goto("/")
    expect_page_language(second_tab, "en")
    other_browser = new_browser_page()
    other_browser.goto("/")
    expect_page_language(other_browser, "kk")


def test_student_choice_is_remembered_after_logging_in_again(
    page: Page, new_browser_page, log_in, log_out
):
    student = User.objects.get(username="student")
    assert student.preferred_language == "kk"
    program = StudentProfile.objects.select_related("program").get(user=student).program

    log_in(page, "student")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect_page_language(page, "kk")
    studies = page.locator("dl.facts")
    expect(studies.get_by_role("link", name=program.name_kk, exact=True)).to_be_visible()

    switch_language(page, "ru")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("Student's dashboard", "ru"))
    expect(studies.get_by_role("link", name=program.name_ru, exact=True)).to_be_visible()
    log_out(page, "ru")

    # Another browser: no language cookie, so the login page is Kazakh, and after login the
    # student's own choice (saved on the account) applies.
    other = new_browser_page()
    log_in(other, "student")
    expect(other).to_have_url(re.compile(r"/dashboard/$"))
    expect_page_language(other, "ru")
    expect(other.get_by_role("heading", level=1)).to_have_text(tr("Student's dashboard", "ru"))
    expect(other.locator("dl.facts").get_by_role("link", name=program.name_ru)).to_be_visible()
    student.refresh_from_db()
    assert student.preferred_language == "ru"
