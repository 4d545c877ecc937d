"""An anonymous visitor registers on an open course, completes it, downloads the certificate and
checks it on the public verification page."""

from __future__ import annotations

import re

import pytest

from qashyq.assignments.textextract import extract_text
from qashyq.courses.models import Certificate
from qashyq.courses.tests.open_fixtures import make_world


@pytest.fixture
def world(transactional_db):
    return make_world()


def test_anonymous_visitor_registers_completes_and_verifies_the_certificate(page, world):
    page.goto("/open/")
    page.locator(f'a[href="/open/{world.course.slug}/"]').click()
    page.wait_for_url(re.compile(rf"/open/{world.course.slug}/$"))

    form = page.locator("#register-form")
    form.locator("#id_last_name").fill("Жұмабаева")
    form.locator("#id_first_name").fill("Ақбөпе")
    form.locator("#id_email").fill("akbope@example.kz")
    form.locator("#id_password1").fill("qazaq-Tili-2026")
    form.locator("#id_password2").fill("qazaq-Tili-2026")
    form.locator("button[type=submit]").click()

    # signed in and enrolled: the progress bar and the materials are there
    page.wait_for_selector("#progress-bar")
    assert page.locator("#progress-bar").get_attribute("value") == "0"
    for material in world.materials:
        page.locator(f"#material-{material.pk} .material__done button").click()
        page.wait_for_selector(f'#material-{material.pk} button[aria-pressed="true"]')
    assert page.locator("#progress-bar").get_attribute("value") == "100"

    page.locator(f'form[action="/open/{world.course.slug}/certificate/"] button').click()
    page.wait_for_url(re.compile(r"/certificate/$"))
    certificate = Certificate.objects.get()
    assert page.locator("#certificate-code").inner_text() == certificate.code

    with page.expect_download() as download_info:
        page.locator('a[href$="certificate.pdf?lang=kk"]').click()
    pdf = download_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = " ".join(extract_text(pdf).split())
    assert "Жұмабаева Ақбөпе" in text
    assert certificate.code in text

    # anyone, in another browser, checks the code typed by hand
    page.context.clear_cookies()
    page.goto("/certificates/verify/")
    page.locator("#id_code").fill(certificate.code.lower().replace("-", " "))
    page.locator("#id_code").press("Enter")
    page.wait_for_url(re.compile(rf"/certificates/{certificate.code}/$"))
    assert page.locator(".verdict--valid").is_visible()
    assert "Жұмабаева Ақбөпе" in page.locator("#verification").inner_text()
