"""Transcript, GPA from stored results, the PDF and the national-database export."""

import io
import json
from decimal import Decimal

import pypdf
import pytest

from qashyq.academics.tests.factories import CourseOfferingFactory
from qashyq.gradebook.models import GradingScheme, Journal, Statement
from qashyq.registrar import pdf, selectors

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_transcript_lists_every_attempt_with_the_retake_flag(world):
    record = selectors.transcript(world.student.pk)
    rows = [
        (
            r.period.kind,
            r.discipline.code,
            r.grade.attempt_kind,
            r.grade.letter,
            r.retake,
            r.counted,
        )
        for r in record.rows
    ]
    assert rows == [
        ("semester_1", "KAZ101", "regular", "A-", False, True),
        ("semester_1", "SOC102", "regular", "F", False, False),
        ("semester_2", "MAT201", "regular", "FX", False, False),
        ("semester_2", "MAT201", "fx_resit", "C", True, True),
        ("semester_2", "PHY202", "regular", "FX", False, True),
        ("summer", "SOC102", "summer", "B", True, True),
    ]
    assert [b.period.kind for b in record.periods] == ["semester_1", "semester_2", "summer"]


def test_gpa_counts_the_latest_attempt_per_period_and_cumulative(world):
    record = selectors.transcript(world.student.pk)
    # semester 1: (5 × 3.67 + 5 × 0) / 10
    # semester 2: the re-sit replaces the FX of MAT201: (4 × 2 + 6 × 0.5) / 10
    # summer: the retake of SOC102 alone
    assert [(b.gpa_display, b.cumulative_display) for b in record.periods] == [
        ("1.84", "1.84"),
        ("1.10", "1.47"),  # (18.35 + 0 + 8 + 3) / 20 = 1.4675
        ("3.00", "2.22"),  # (18.35 + 15 + 8 + 3) / 20 = 2.2175
    ]
    assert record.gpa == Decimal("44.35") / 20
    assert record.credits_earned == 14  # A-, B, C; the FX of PHY202 is not passed


def test_fx_left_out_of_the_gpa_when_the_scheme_says_so(world, grade):
    scheme = GradingScheme.objects.create(
        name="Strict", valid_from=world.year.starts_on, fx_in_gpa=False
    )
    d4 = world.disciplines[3]
    offering = CourseOfferingFactory(discipline=d4, period=world.sem2)
    Journal.objects.create(offering=offering, scheme=scheme)
    world.grades[4].offering = offering
    world.grades[4].save(update_fields=["offering"])
    record = selectors.transcript(world.student.pk)
    # PHY202's FX no longer counts: (18.35 + 15 + 8) / 14
    assert record.gpa_display == "2.95"
    assert selectors.gpa_summary(world.student.pk)["cumulative"] == Decimal("41.35") / 14


def test_fx_follows_the_statement_scheme_over_the_journal_and_default(world):
    assert GradingScheme.objects.get(is_default=True).fx_in_gpa is True
    assert selectors.transcript(world.student.pk).gpa_display == "2.22"
    lenient = GradingScheme.objects.create(name="Lenient", valid_from=world.year.starts_on)
    strict = GradingScheme.objects.create(
        name="Strict", valid_from=world.year.starts_on, fx_in_gpa=False
    )
    offering = CourseOfferingFactory(discipline=world.disciplines[3], period=world.sem2)
    Journal.objects.create(offering=offering, scheme=lenient)
    statement = Statement.objects.create(offering=offering, scheme=strict, number="ST-1")
    fx = world.grades[4]
    fx.offering, fx.statement = offering, statement
    fx.save(update_fields=["offering", "statement"])
    assert selectors.transcript(world.student.pk).gpa_display == "2.95"


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_kazakh_pdf_has_kazakh_letters_and_the_right_letters(world):
    record = selectors.transcript(world.student.pk)
    data = pdf.transcript_pdf(record, language="kk")
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    for word in ("Қазақ тілі", "Әлеуметтану", "Үлкен деректер", "Үсенова", "Әлия"):
        assert word in text
    for letter in ("A-", "FX", "C", "B"):
        assert letter in text
    assert world.profile.student_number in text
    assert world.student.iin not in text
    assert "2.22" in text


def test_russian_and_english_pdfs_use_their_names(world):
    record = selectors.transcript(world.student.pk)
    assert "Социология" in _pdf_text(pdf.transcript_pdf(record, language="ru"))
    assert "Sociology" in _pdf_text(pdf.transcript_pdf(record, language="en"))
    # an unknown language falls back to Kazakh
    assert "Әлеуметтану" in _pdf_text(pdf.transcript_pdf(record, language="xx"))


def test_national_export_fields(world):
    data = selectors.national_export(selectors.transcript(world.student.pk))
    json.dumps(data)  # serialisable as it is
    assert data["student"]["iin"] == world.student.iin
    assert data["student"]["student_number"] == world.profile.student_number
    assert set(data["student"]["program_name"]) == {"ru", "kz", "en"}
    assert data["gpa"] == 2.22
    assert len(data["courses"]) == 6
    resit = next(c for c in data["courses"] if c["attempt"] == "fx_resit")
    assert resit == {
        "discipline_code": "MAT201",
        "name": {"ru": "Большие данные", "kz": "Үлкен деректер", "en": "Big data"},
        "academic_year": world.year.title,
        "period": "semester_2",
        "attempt": "fx_resit",
        "letter": "C",
        "points": 2.0,
        "percent": 72.0,
        "credits": 4,
        "ects": 6.5,
        "retaken": True,
        "counted_in_gpa": True,
    }
    first_f = next(c for c in data["courses"] if c["letter"] == "F")
    assert first_f["retaken"] is False
    assert first_f["counted_in_gpa"] is False
