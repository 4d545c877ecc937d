"""The tutor's pages after a test: the manual grading queue, regrading, and sending the final
marks to the e-journal. Thin: parse, check through a selector, call a service, render.

* ``grading_queue``: the essay and file answers of finished attempts that wait for a mark, as a
  list (``?mode=list``, 20 a page) or one at a time (``?mode=one``); ``?show=all`` lists the
  hand-graded answers already marked too, to correct one. Each shows the question, the grader
  information, the student's response (rich text sanitised) and its files, and a form with the
  points (0 to the slot's mark) and a comment; saving calls ``answer_grade_manually``. When the
  slot's question version has a rubric, the form has one radio group per criterion instead of
  the points (the service computes them, scaled to the slot's mark); the levels chosen before
  are preselected.
* ``regrade``: score every finished attempt again, against the version each attempt showed or
  against the current version of each question (after a key was corrected in the bank); the
  report of the marks that changed is kept in the session and shown by ``regrade_report``.
* ``marks_post``: ``services.gradebook_post.test_marks_post``.

Only the offering's tutors (``policies.can_manage_tests``); anybody else gets "no such test".
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from qashyq.core.errors import ApplicationError, NotFound, ValidationFailed

from . import files as attempt_files
from . import selectors, serialize
from .models import MANUAL_QTYPES, Answer, Attempt, AttemptState, QType, TextFormat
from .services.attempts import answer_grade_manually, test_regrade
from .services.gradebook_post import column_label, test_marks_post
from .services.validation import rubric_max, rubric_of

LIST_PAGE_SIZE = 20
REGRADE_SESSION_KEY = "assessments.regrade_reports"
REGRADE_REPORT_MAX = 500  # attempts listed on the report page; the audit log keeps them all


def _mode(request) -> str:
    return "one" if request.GET.get("mode") == "one" else "list"


def _show(request) -> str:
    return "all" if request.GET.get("show") == "all" else "waiting"


def _queue_url(test_id: int, *, mode: str, show: str, page: int | None = None) -> str:
    params: dict[str, Any] = {"mode": mode}
    if show == "all":
        params["show"] = show
    if page and page > 1:
        params["page"] = page
    return f"{reverse('assessments:grading_queue', args=[test_id])}?{urlencode(params)}"


def _response_html(version, response: Any) -> str:
    """The student's text: sanitised rich text, or escaped plain text."""
    if not isinstance(response, dict):
        return ""
    text = response.get("text")
    if not isinstance(text, str) or not text.strip():
        return ""
    data = version.data if isinstance(version.data, dict) else {}
    if data.get("response_format") == "plain":
        return linebreaks(escape(text))
    return serialize.html(text, TextFormat.HTML)


def _files(answer: Answer) -> list[dict[str, Any]]:
    """The files uploaded into the slot (prefetched), with download links; ``attached`` says
    whether the saved answer references the file (else "uploaded but not attached")."""
    response = answer.response
    referenced = response.get("files") if isinstance(response, dict) else None
    referenced = set(referenced) if isinstance(referenced, list) else set()
    slot = answer.slot
    return [
        {
            "name": f.original_name,
            "size": f.size,
            "url": attempt_files.download_url(slot.attempt_id, f.pk),
            "attached": f.pk in referenced,
        }
        for f in slot.files.all()
    ]


def _rubric(rubric: list[dict[str, Any]] | None, chosen: Any) -> list[dict[str, Any]]:
    """The rubric as the form draws it, each level with ``chosen`` (from the answer or from
    the refused post)."""
    if not rubric:
        return []
    chosen = chosen if isinstance(chosen, dict) else {}
    return [
        {
            "id": criterion["id"],
            "criterion": criterion["criterion"],
            "levels": [
                {
                    "id": level["id"],
                    "label": level["label"],
                    "points": _number(Decimal(str(level["points"]))),
                    "chosen": chosen.get(criterion["id"]) == level["id"],
                }
                for level in criterion["levels"]
            ],
        }
        for criterion in rubric
    ]


def _item(answer: Answer) -> dict[str, Any]:
    slot = answer.slot
    version = slot.question_version
    data = version.data if isinstance(version.data, dict) else {}
    grader_info = data.get("grader_info")
    rubric = rubric_of(data)
    return {
        "rubric_source": rubric,
        "rubric_max": _number(rubric_max(rubric)) if rubric else "",
        "answer": answer,
        "slot": slot,
        "attempt": slot.attempt,
        "student": slot.attempt.student,
        "version": version,
        "question_html": mark_safe(serialize.html(version.text, version.text_format)),  # noqa: S308
        "grader_info_html": mark_safe(  # noqa: S308 - sanitised by serialize.html
            serialize.html(grader_info, version.text_format)
            if isinstance(grader_info, str) and grader_info.strip()
            else ""
        ),
        "response_html": mark_safe(_response_html(version, answer.response)),  # noqa: S308
        "files": _files(answer),
        "is_file": version.qtype == QType.FILE,
        "empty": answer.response in (None, {}, "")
        or (
            isinstance(answer.response, dict)
            and not (answer.response.get("text") or "").strip()
            and not answer.response.get("files")
        ),
    }


def _render_queue(request, test, *, errors=None, posted=None, status: int = 200):
    mode, show = _mode(request), _show(request)
    paginator = Paginator(
        selectors.grading_queue(test, include_graded=show == "all"),
        1 if mode == "one" else LIST_PAGE_SIZE,
    )
    page = paginator.get_page(request.GET.get("page"))
    errors, posted = errors or {}, posted or {}
    items = []
    for answer in page.object_list:
        item = _item(answer)
        given = posted.get(answer.pk)
        item["error"] = errors.get(answer.pk, "")
        item["points"] = (
            given["points"]
            if given
            else ("" if answer.manual_points is None else _number(answer.manual_points))
        )
        item["comment"] = given["comment"] if given else answer.comment
        item["rubric"] = _rubric(
            item["rubric_source"], given["rubric_levels"] if given else answer.rubric_levels
        )
        items.append(item)
    pending = selectors.pending_manual_count(test) if show == "all" else paginator.count
    context = {
        "test": test,
        "items": items,
        "page": page,
        "mode": mode,
        "show": show,
        "pending": pending,
        "column": test.gradebook_column,
        "column_label": column_label(test.gradebook_column),
        "unfinished": selectors.unfinished_attempt_count(test),
        "list_url": _queue_url(test.pk, mode="list", show=show),
        "one_url": _queue_url(test.pk, mode="one", show=show),
        "waiting_url": _queue_url(test.pk, mode=mode, show="waiting"),
        "all_url": _queue_url(test.pk, mode=mode, show="all"),
        "back": _queue_url(test.pk, mode=mode, show=show, page=page.number),
    }
    return render(request, "assessments/grading_queue.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def grading_queue(request, test_id: int):
    test = selectors.test_results_for(request.user, test_id, manage=True)
    return _render_queue(request, test)


@login_required
@require_POST
def grading_answer(request, test_id: int, answer_id: int):
    test = selectors.test_results_for(request.user, test_id, manage=True)
    answer = (
        Answer.objects.filter(
            pk=answer_id,
            slot__attempt__test=test,
            slot__attempt__state=AttemptState.FINISHED,
            slot__question_version__qtype__in=list(MANUAL_QTYPES),
        )
        .select_related("slot", "slot__question_version")
        .first()
    )
    if answer is None:
        raise NotFound(_("There is no such answer."))
    raw = (request.POST.get("points") or "").strip().replace(",", ".")
    comment = request.POST.get("comment") or ""
    rubric = rubric_of(answer.slot.question_version.data)
    chosen: dict[str, str] | None = None
    if rubric:
        chosen = {
            criterion["id"]: value
            for criterion in rubric
            if (value := (request.POST.get(f"rubric-{criterion['id']}") or "").strip())
        }
    try:
        if chosen is not None:
            graded = answer_grade_manually(
                actor=request.user, answer=answer, rubric_levels=chosen, comment=comment
            )
        else:
            if not raw:
                raise ValidationFailed(
                    _("Give the points, from 0 to %(mark)s.") % {"mark": answer.slot.mark},
                    code="points_required",
                )
            graded = answer_grade_manually(
                actor=request.user, answer=answer, points=raw, comment=comment
            )
    except ApplicationError as error:
        return _render_queue(
            request,
            test,
            errors={answer.pk: str(error.message)},
            posted={answer.pk: {"points": raw, "comment": comment, "rubric_levels": chosen}},
            status=400,
        )
    attempt = Attempt.objects.select_related("student").get(pk=answer.slot.attempt_id)
    messages.success(
        request,
        _("Saved: %(points)s points for %(student)s, question %(slot)s.")
        % {
            "points": _number(graded.manual_points),
            "student": attempt.student,
            "slot": answer.slot.number,
        },
    )
    if not attempt.needs_grading:
        messages.info(
            request,
            _("The score of %(student)s's attempt %(number)s is final: %(score)s of %(max)s.")
            % {
                "student": attempt.student,
                "number": attempt.number,
                "score": _number(attempt.score),
                "max": _number(attempt.max_score),
            },
        )
    return redirect(
        _queue_url(test.pk, mode=_mode(request), show=_show(request), page=_page(request))
    )


def _page(request) -> int:
    try:
        return max(1, int(request.GET.get("page") or 1))
    except ValueError:
        return 1


def _number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{value.normalize():f}"
    return text


# --- regrade -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def regrade(request, test_id: int):
    test = selectors.test_results_for(request.user, test_id, manage=True)
    if request.method == "POST":
        use_current = request.POST.get("versions") == "current"
        report = test_regrade(actor=request.user, test=test, use_current_versions=use_current)
        reports = request.session.get(REGRADE_SESSION_KEY) or {}
        reports = {k: v for k, v in reports.items() if k != str(test.pk)}
        reports[str(test.pk)] = {
            "use_current": use_current,
            "at": timezone.now().isoformat(),
            "changed": len(report),
            "report": report[:REGRADE_REPORT_MAX],
        }
        request.session[REGRADE_SESSION_KEY] = dict(list(reports.items())[-5:])
        return redirect("assessments:test_regrade_report", test_id=test.pk)
    return render(
        request,
        "assessments/regrade.html",
        {
            "test": test,
            "newer": selectors.newer_question_versions(test),
            "unfinished": selectors.unfinished_attempt_count(test),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def regrade_report(request, test_id: int):
    test = selectors.test_results_for(request.user, test_id, manage=True)
    entry = (request.session.get(REGRADE_SESSION_KEY) or {}).get(str(test.pk))
    if entry is None:
        return redirect("assessments:test_regrade", test_id=test.pk)
    return render(
        request,
        "assessments/regrade_report.html",
        {
            "test": test,
            "entry": entry,
            "at": _parse_time(entry.get("at")),
            "truncated": entry["changed"] > len(entry["report"]),
            "column_label": column_label(test.gradebook_column),
        },
    )


def _parse_time(value):
    try:
        return datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


# --- posting to the e-journal --------------------------------------------------------------------


@login_required
@require_POST
def marks_post(request, test_id: int):
    test = selectors.test_results_for(request.user, test_id, manage=True)
    back = (
        reverse("assessments:test_analysis", args=[test.pk])
        if request.POST.get("back") == "analysis"
        else reverse("assessments:grading_queue", args=[test.pk])
    )
    try:
        result = test_marks_post(actor=request.user, test=test)
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect(back)
    label = column_label(test.gradebook_column)
    messages.success(
        request,
        _(
            "Sent to the e-journal column %(column)s: %(changed)s marks changed, "
            "%(unchanged)s already up to date."
        )
        % {"column": label, "changed": len(result.changed), "unchanged": result.unchanged},
    )
    if result.requests:
        messages.info(
            request,
            _("%(count)s marks fall in a closed week and wait for the registrar's approval.")
            % {"count": result.requests},
        )
    for skipped in result.skipped:
        messages.warning(
            request,
            _("Not sent for %(student)s: %(reason)s")
            % {"student": skipped["student"], "reason": skipped["reason"]},
        )
    return redirect(back)
