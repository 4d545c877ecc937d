"""The student downloads the transcript PDF (issue 5): the demo ``student`` signs in (in Kazakh),
opens the transcript page and downloads the Kazakh PDF through the page's own link; the PDF
holds the student's name, the Kazakh names of the disciplines and the letters of the grades
exactly as the database holds them.

The demo ``student`` studies in a first-year group, which has no final grades yet, so the test
records a few on top of the demo academy: an A-, a B+ and an FX re-sat as a C in the same
period (a retake row), for disciplines of the student's own offerings.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pypdf
import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from qashyq.academics.models import Enrollment
from qashyq.accounts.models import User
from qashyq.gradebook.models import FinalGrade
from qashyq.registrar import gpa

pytestmark = pytest.mark.usefixtures("no_staff_mfa")

GRADES = [  # (letter, points, percent, attempt kind) for the first, second, third offering
    ("A-", "3.67", "91", "regular"),
    ("B+", "3.33", "86", "regular"),
    ("FX", "0.5", "41", "regular"),
]


def tr(message: str) -> str:
    with translation.override("kk"):
        return translation.gettext(message)


@pytest.fixture
def student_grades(demo_academy):
    student = User.objects.get(username="student")
    enrollments = list(
        Enrollment.objects.filter(student=student)
        .select_related("offering__discipline", "offering__period")
        .order_by("offering__discipline__code")[: len(GRADES)]
    )
    assert len(enrollments) == len(GRADES), "the demo student has fewer offerings than expected"
    for enrollment, (letter, points, percent, kind) in zip(enrollments, GRADES, strict=True):
        offering = enrollment.offering
        FinalGrade.objects.create(
            student=student,
            discipline=offering.discipline,
            offering=offering,
            period=offering.period,
            attempt_kind=kind,
            letter=letter,
            points=Decimal(points),
            percent=Decimal(percent),
            credits=offering.discipline.credits,
            ects=offering.discipline.ects,
        )
    resat = enrollments[-1].offering
    FinalGrade.objects.create(
        student=student,
        discipline=resat.discipline,
        offering=resat,
        period=resat.period,
        attempt_kind="fx_resit",
        letter="C",
        points=Decimal("2.0"),
        percent=Decimal("66"),
        credits=resat.discipline.credits,
        ects=resat.discipline.ects,
    )
    return student


def _text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_student_downloads_the_kazakh_transcript_pdf(page: Page, log_in, student_grades):
    student = student_grades
    log_in(page, "student")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto("/transcript/")
    expect(page.get_by_role("heading", name=tr("Transcript"))).to_be_visible()
    link = page.locator(f'a[href="/students/{student.pk}/transcript.pdf?lang=kk"]')
    expect(link).to_have_text("kk")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None
    with open(download.path(), "rb") as pdf_file:
        data = pdf_file.read()
    assert data.startswith(b"%PDF")
    text = _one_line(_text(data))

    assert _one_line(student.full_name) in text
    assert tr("Transcript") in text and tr("Cumulative GPA") in text  # the document is in kk
    grades = list(
        FinalGrade.objects.filter(student=student)
        .select_related("discipline")
        .order_by("discipline__code", "id")
    )
    assert len(grades) == 4
    for grade in grades:
        discipline = grade.discipline
        assert _one_line(discipline.name_kk) in text
        # the row: code, Kazakh name, credits, ECTS, percent, then the letter and its points
        row = re.compile(
            rf"{re.escape(discipline.code)} .*?{grade.percent:.0f} "
            rf"{re.escape(grade.letter)} {re.escape(str(grade.points))}"
        )
        assert row.search(text), f"{discipline.code}: no row with {grade.letter} {grade.points}"
    # the FX re-sat as a C counts the C: (3.67 c1 + 3.33 c2 + 2 c3) / (c1 + c2 + c3)
    credits = [g.credits for g in grades if g.attempt_kind == "regular"]
    points = [Decimal("3.67"), Decimal("3.33"), Decimal("2.0")]
    expected = sum(c * p for c, p in zip(credits, points, strict=True)) / sum(credits)
    assert f"{tr('Cumulative GPA')}: {gpa.display(expected)}" in text
