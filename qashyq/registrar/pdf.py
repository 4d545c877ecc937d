"""The transcript as an A4 PDF in kk, ru or en (WeasyPrint; DejaVu Sans covers Kazakh letters).

The transcript is an official document handed to the student: it names the student and gives
the record-book number, never the IIN.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .selectors import Transcript

LANGUAGES = ("kk", "ru", "en")


def language_of(value: str | None) -> str:
    return value if value in LANGUAGES else "kk"


def transcript_html(record: Transcript, *, language: str) -> str:
    language = language_of(language)
    with translation.override(language):
        return render_to_string(
            "registrar/transcript_pdf.html",
            {
                "record": record,
                "language": language,
                "name_field": f"name_{language}",
                "program_name": getattr(record.profile.program, f"name_{language}"),
                "issued_on": timezone.localdate(),
                "ACADEMY_NAME": getattr(settings, "QASHYQ_ACADEMY_NAME", "Qashyq"),
            },
        )


def transcript_pdf(record: Transcript, *, language: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=transcript_html(record, language=language)).write_pdf()
