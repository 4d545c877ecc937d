"""The course pages in Kazakh, Russian and English, on a phone: each page answers in the chosen
language (its heading is the translated one) and nothing on it is wider than a 360 px screen.

The demo academy gives the data: the approved IAS1104 EUMK with its tasks, consultations and
question bank, the open courses, and the demo learner's certificate.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from qashyq.academics.models import CourseOffering
from qashyq.courses.models import Certificate, Eumk, OpenCourse

pytestmark = pytest.mark.usefixtures("demo_academy", "no_staff_mfa")

LANGUAGES = ("kk", "ru", "en")
PHONE = {"width": 360, "height": 740}
# What sticks out when the page scrolls sideways (an empty list when it fits the phone).
TOO_WIDE = """() => {
  const client = document.documentElement.clientWidth;
  const scroll = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  if (scroll <= client) return [];
  return [...document.querySelectorAll("body *")]
    .filter(el => {
      const box = el.getBoundingClientRect();
      return box.width > 0 && box.right > client + 1
        && !el.closest(".table-wrap, .visually-hidden, .skip-link");
    })
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""))
    .concat([`${scroll} > ${client}`]);
}"""


def tr(message: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def ias1104() -> CourseOffering:
    return CourseOffering.objects.filter(discipline__code="IAS1104").order_by("pk").first()


def check_in_every_language(page: Page, live_server, path: str, heading) -> None:
    """Open ``path`` in kk, ru and en; the h1 must hold ``heading`` translated (or what
    ``heading(language)`` gives), and nothing may scroll sideways."""
    problems = {}
    headings = set()
    for language in LANGUAGES:
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, language)
        expect(page.locator("html")).to_have_attribute("lang", language)
        h1 = page.get_by_role("heading", level=1)
        expected = heading(language) if callable(heading) else tr(heading, language)
        expect(h1).to_contain_text(expected)
        headings.add(h1.inner_text())
        if wide := page.evaluate(TOO_WIDE):
            problems[language] = wide
    assert len(headings) == len(LANGUAGES), f"{path}: the heading is not translated: {headings}"
    assert not problems, f"{path} scrolls sideways on a phone: {problems}"


def test_public_course_pages_in_three_languages(phone: Page, live_server):
    course = OpenCourse.objects.filter(published=True).order_by("pk").first()
    certificate = Certificate.objects.filter(revoked_at__isnull=True).first()
    assert course is not None and certificate is not None

    check_in_every_language(phone, live_server, reverse("courses:open_catalogue"), "Open courses")
    check_in_every_language(
        phone, live_server, reverse("courses:certificate_verify"), "Check a certificate"
    )
    check_in_every_language(
        phone,
        live_server,
        reverse("courses:certificate_verify_code", args=[certificate.code]),
        "Check a certificate",
    )


def test_student_course_pages_in_three_languages(phone: Page, live_server, log_in):
    offering = ias1104()
    log_in(phone, "student")
    expect(phone).to_have_url(re.compile(r"/dashboard/$"))
    check_in_every_language(
        phone, live_server, reverse("courses:materials", args=[offering.pk]), "Course materials"
    )
    check_in_every_language(
        phone,
        live_server,
        reverse("assignments:task_list", args=[offering.pk]),
        "Independent work",
    )
    check_in_every_language(
        phone,
        live_server,
        reverse("courses:consultations", args=[offering.pk]),
        "Consultations",
    )


def test_staff_course_pages_in_three_languages(phone: Page, live_server, log_in):
    log_in(phone, "methodologist")
    expect(phone).to_have_url(re.compile(r"/dashboard/$"))
    check_in_every_language(
        phone, live_server, reverse("courses:review_queue"), "EUMK versions waiting for review"
    )
    check_in_every_language(
        phone, live_server, reverse("courses:completeness"), "Completeness of EUMKs"
    )
    check_in_every_language(phone, live_server, reverse("assessments:bank_list"), "Question banks")
    eumk = Eumk.objects.select_related("discipline").get(discipline__code="IAS1104")

    def eumk_heading(language: str) -> str:
        with translation.override(language):
            return translation.gettext("EUMK: %(name)s") % {"name": eumk.discipline.name}

    check_in_every_language(
        phone, live_server, reverse("courses:eumk_detail", args=[eumk.pk]), eumk_heading
    )
