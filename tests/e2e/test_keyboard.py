"""A keyboard-only walk from the home page to the dashboard (WCAG 2.1.1, 2.4.1, 2.4.7)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from qashyq.accounts.models import User

pytestmark = pytest.mark.usefixtures("demo_academy")

MAX_TABS = 40

# How the focused element looks: a focus indicator is an outline or a box-shadow.
FOCUS_STYLE = """el => {
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    text: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 40),
    href: el.getAttribute("href"),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
  };
}"""


def tr(message: str) -> str:
    with translation.override("kk"):
        return translation.gettext(message)


def focused(page: Page) -> Locator:
    return page.locator(":focus")


def focus_info(page: Page) -> dict:
    return focused(page).evaluate(FOCUS_STYLE)


def assert_visible_focus(info: dict) -> None:
    assert info["outline"] or info["shadow"], f"no visible focus indicator on {info}"


def tab_until(page: Page, wanted, seen: list[dict]) -> dict:
    """Press Tab until ``wanted(info)`` holds; every element passed on the way is recorded."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        info = focus_info(page)
        seen.append(info)
        if wanted(info):
            return info
    raise AssertionError(f"not reached with {MAX_TABS} presses of Tab; focus went {seen}")


def test_keyboard_only_walk_through_login(page: Page):
    page.goto("/")
    skip_link = page.get_by_role("link", name=tr("Skip to main content"))
    expect(skip_link).not_to_be_in_viewport()  # hidden until focused

    # The first Tab lands on the skip link, which then shows itself.
    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    seen = [focus_info(page)]

    # Enter skips the header: the main region takes the focus.
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/#main$"))
    expect(page.get_by_role("main")).to_be_focused()

    # Onwards through the main content to its "Log in" link, and in.
    login = tab_until(page, lambda info: (info["href"] or "").startswith("/accounts/login/"), seen)
    assert login["text"] == tr("Log in")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    username = page.get_by_label(tr("Username or e-mail"))
    expect(username).to_be_focused()  # the form is ready for typing
    seen.append(focus_info(page))
    page.keyboard.type("student")
    page.keyboard.press("Tab")
    expect(page.get_by_label(tr("Password"), exact=True)).to_be_focused()
    seen.append(focus_info(page))
    page.keyboard.type("demo")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("Student's dashboard"))

    # On the dashboard, too, every stop of the keyboard up to the user menu shows the focus.
    name = User.objects.get(username="student").full_name
    tab_until(page, lambda info: info["tag"] == "summary" and info["text"] == name, seen)
    for info in seen:
        assert_visible_focus(info)
    assert len(seen) >= 6


def test_header_controls_show_their_focus(page: Page):
    """Each control of the header, reached by Tab, has a focus indicator; none is skipped."""
    page.goto("/")
    seen: list[dict] = []
    last = tab_until(page, lambda info: info["text"] == tr("Log in"), seen)
    assert last["href"].startswith("/accounts/login/")
    texts = [info["text"] for info in seen]
    for expected in (tr("Skip to main content"), tr("Programs"), "Русский", "English"):
        assert expected in texts, texts
    for info in seen:
        assert_visible_focus(info)
