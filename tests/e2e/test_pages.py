"""Public pages on a phone, the access-denied page of a group that is not yours, e-mail login."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Page, expect

from qashyq.academics.models import CourseOffering, StudentProfile, StudyGroup
from qashyq.accounts.models import User

pytestmark = pytest.mark.usefixtures("demo_academy")

PUBLIC_PAGES = [
    "/",
    "/programs/",
    "/programs/6B02105/",
    "/calendar/",
    "/documents/",
    "/documents/dlt-regulation/",
    "/documents/grading-policy/",
    "/documents/academic-calendar-order/",
    "/guide/",
    "/accounts/login/",
    "/accounts/password/reset/",
]
LANGUAGES = ("kk", "ru", "en")
GROUP_DENIED = (
    "This group's page is open to its students, its curator and tutors, and the academic staff "
    "responsible for it."
)
PHONE = {"width": 360, "height": 740}

# Widths of the document and of the viewport; a page wider than the phone scrolls sideways.
WIDTHS = """() => ({
  scroll: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
  client: document.documentElement.clientWidth,
  wide: [...document.querySelectorAll("body *")]
    .filter(el => {
      const box = el.getBoundingClientRect();
      return box.width > 0 && box.right > document.documentElement.clientWidth + 1
        && !el.closest(".table-wrap, .visually-hidden, .skip-link");
    })
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : "")),
})"""


def tr(message: str, language: str = "kk") -> str:
    with translation.override(language):
        return translation.gettext(message)


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="kk-KZ",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def sideways_scroll(page: Page) -> dict | None:
    """What sticks out of the phone's width, or None when the page fits."""
    widths = page.evaluate(WIDTHS)
    assert widths["client"] == PHONE["width"]
    return widths if widths["scroll"] > widths["client"] else None


def expect_no_sideways_scroll(page: Page) -> None:
    widths = sideways_scroll(page)
    assert widths is None, f"{page.url} scrolls sideways: {widths}"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_fits_a_phone(phone_page: Page, live_server, path: str):
    """In each language (words differ in length), nothing is wider than a 360 px phone."""
    too_wide = {}
    for language in LANGUAGES:
        phone_page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        response = phone_page.goto(path)
        assert response is not None and response.status == 200
        expect(phone_page.locator("html")).to_have_attribute("lang", language)
        expect(phone_page.get_by_role("heading", level=1)).to_be_in_viewport()
        if widths := sideways_scroll(phone_page):
            too_wide[language] = widths

    # On a phone the header's links fold into the "Menu" toggle, which opens them (English now).
    menu = phone_page.locator("summary.site-menu__toggle")
    expect(menu).to_have_text(tr("Menu", "en"))
    nav = phone_page.get_by_role("navigation", name=tr("Main navigation", "en"))
    expect(nav).to_be_hidden()
    menu.click()
    expect(nav.get_by_role("link", name=tr("Programs", "en"), exact=True)).to_be_visible()
    if (widths := sideways_scroll(phone_page)) and "en" not in too_wide:
        too_wide["en, menu open"] = widths
    assert not too_wide, f"{path} scrolls sideways on a phone: {too_wide}"


def test_student_pages_fit_a_phone(phone_page: Page, log_in):
    log_in(phone_page, "student")
    expect(phone_page).to_have_url(re.compile(r"/dashboard/$"))
    expect_no_sideways_scroll(phone_page)
    group = StudentProfile.objects.get(user__username="student").group
    phone_page.goto(f"/groups/{group.pk}/")
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text(group.code)
    expect_no_sideways_scroll(phone_page)


def test_student_cannot_open_another_groups_page(page: Page, log_in):
    student = User.objects.get(username="student")
    own = StudentProfile.objects.select_related("group").get(user=student).group
    other = StudyGroup.objects.exclude(program=own.program).exclude(language=own.language).first()
    classmates = [
        p.user.full_name for p in StudentProfile.objects.filter(group=own).exclude(user=student)[:5]
    ]
    strangers = [p.user.full_name for p in StudentProfile.objects.filter(group=other)]
    assert classmates and strangers
    log_in(page, "student")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    # Their own group: the classmates are listed (so the check below can tell).
    response = page.goto(f"/groups/{own.pk}/")
    assert response is not None and response.status == 200
    students = page.get_by_role("table", name=tr("Students"))
    for name in classmates:
        expect(students.get_by_role("rowheader", name=name, exact=True)).to_be_visible()

    # Another group: the translated access-denied page, and nobody's name.
    response = page.goto(f"/groups/{other.pk}/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("Access denied"))
    expect(page.get_by_role("alert")).to_contain_text(tr(GROUP_DENIED))
    html = page.content()
    assert not [name for name in strangers if name in html]
    assert other.code not in page.get_by_role("main").inner_text()

    # The same page in Russian after switching the language.
    page.get_by_role("button", name="Русский", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("Access denied", "ru"))
    expect(page.get_by_role("alert")).to_contain_text(tr(GROUP_DENIED, "ru"))
    expect(page.get_by_role("main")).to_contain_text(tr("Nothing has been changed.", "ru"))
    assert not [name for name in strangers if name in page.content()]


def test_student_cannot_open_a_course_of_another_group(page: Page, log_in):
    student = User.objects.get(username="student")
    course = CourseOffering.objects.exclude(enrollments__student=student).first()
    log_in(page, "student")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    response = page.goto(f"/courses/{course.pk}/")

    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("Access denied"))
    expect(page.get_by_role("main")).not_to_contain_text(course.discipline.name_kk)


def test_unknown_group_is_a_translated_not_found(page: Page, log_in):
    log_in(page, "student")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    response = page.goto("/groups/999999/")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("Not found"))
    expect(page.get_by_role("alert")).to_contain_text(tr("There is no such study group."))


def test_student_logs_in_with_the_e_mail_address(page: Page, log_in):
    student = User.objects.get(username="student")
    assert student.email and student.email != student.username

    log_in(page, student.email.upper())

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("Student's dashboard"))
    expect(page.get_by_role("main")).to_contain_text(student.full_name)
