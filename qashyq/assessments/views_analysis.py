"""Item analysis of a test (docs/subsystems/item-analysis.md): the summary, the questions with
their flags, the options, the score distribution, and the same as an XLSX workbook.

``?attempts=all`` (every finished attempt, the default) or ``?attempts=first`` (each student's
first finished attempt) chooses what goes in; the page says which. The tutors of the offering and,
read-only, its overseers (methodologists, heads of department) see it; only tutors get the
button that sends the marks to the e-journal.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import policies, selectors
from .analysis import analyse, flag_label
from .analysis_chart import distribution_svg
from .analysis_export import analysis_xlsx
from .models import QType
from .services.gradebook_post import column_label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _which(request) -> str:
    value = request.GET.get("attempts")
    return value if value in selectors.ATTEMPT_CHOICES else selectors.ATTEMPTS_ALL


def _analysis(test, which: str):
    responses, options, attempts = selectors.analysis_input(test, which=which)
    return analyse(responses, options_by_question=options), attempts


def _qtype_label(qtype: str) -> str:
    try:
        return str(QType(qtype).label)
    except ValueError:
        return qtype


@login_required
@require_http_methods(["GET", "HEAD"])
def analysis(request, test_id: int):
    test = selectors.test_results_for(request.user, test_id)
    which = _which(request)
    result, attempts = _analysis(test, which)
    labels = {q.question_id: q.label for q in result.questions}
    can_manage = policies.can_manage_tests(request.user, test.offering_id)
    context = {
        "test": test,
        "which": which,
        "choices": [
            (selectors.ATTEMPTS_ALL, _("Every finished attempt")),
            (selectors.ATTEMPTS_FIRST, _("Each student's first attempt")),
        ],
        "attempts": attempts,
        "summary": result.summary,
        "summary_flags": [flag_label(f) for f in result.summary.flags],
        "questions": [
            {
                "stats": q,
                "qtype": _qtype_label(q.qtype),
                "slots": ", ".join(str(s) for s in q.slots),
                "flags": [(f, flag_label(f)) for f in q.flags],
            }
            for q in result.questions
        ],
        "options": [
            {
                "stats": o,
                "question": labels.get(o.question_id, ""),
                "key": o.fraction > 0,
                "flags": [(f, flag_label(f)) for f in o.flags],
            }
            for o in result.options
        ],
        "chart": distribution_svg(result.attempts),
        "can_manage": can_manage,
        "pending": selectors.pending_manual_count(test) if can_manage else 0,
        "column": test.gradebook_column,
        "column_label": column_label(test.gradebook_column),
    }
    return render(request, "assessments/analysis.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def analysis_download(request, test_id: int):
    test = selectors.test_results_for(request.user, test_id)
    result, _attempts = _analysis(test, _which(request))
    content = analysis_xlsx(result, title=test.title)
    response = HttpResponse(content, content_type=XLSX)
    name = f"item-analysis-{slugify(test.title, allow_unicode=True) or test.pk}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
