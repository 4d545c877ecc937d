"""Proves the browser-test infrastructure: Chromium opens the live server's home page in Kazakh."""

from django.conf import settings
from django.utils import translation


def test_home_page_opens_in_kazakh(page):
    response = page.goto("/")

    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == "kk"
    with translation.override("kk"):
        expected_title = f"{translation.gettext('Home')} · {settings.QASHYQ_ACADEMY_NAME}"
    assert page.title() == expected_title
    assert page.get_by_role("main").is_visible()
