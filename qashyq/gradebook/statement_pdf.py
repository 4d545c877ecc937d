"""The PDF of a statement (ведомость) in Kazakh, Russian or English, rendered by WeasyPrint from
``gradebook/statement_pdf.html``; DejaVu Sans covers the Kazakh letters (Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ, І).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import selectors
from .models import Statement

LANGUAGES = ("kk", "ru", "en")


def statement_context(statement: Statement) -> dict:
    lines = selectors.statement_lines(statement)
    offering = statement.offering
    department = offering.discipline.department
    program = statement.group.program if statement.group_id else None
    if program is None:
        group = offering.groups.select_related("program").first()
        program = group.program if group else None
    return {
        "statement": statement,
        "offering": offering,
        "discipline": offering.discipline,
        "faculty": department.faculty if department else None,
        "program": program,
        "groups": statement.group.code
        if statement.group_id
        else ", ".join(g.code for g in offering.groups.all()),
        "lines": lines,
        "totals": selectors.letter_totals(lines, statement.scheme),
        "commission": list(statement.commission.all()),
    }


def statement_pdf(statement: Statement, *, language: str) -> bytes:
    """The statement as an A4 PDF in ``language`` (kk, ru or en; anything else gives kk)."""
    from weasyprint import HTML

    language = language if language in LANGUAGES else "kk"
    with translation.override(language):
        html = render_to_string(
            "gradebook/statement_pdf.html",
            {
                **statement_context(statement),
                "language": language,
                "printed_on": timezone.localdate(),
                "ACADEMY_NAME": settings.QASHYQ_ACADEMY_NAME,
            },
        )
    return HTML(string=html).write_pdf()
