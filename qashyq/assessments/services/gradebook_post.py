"""Posting a test's final marks to the e-journal (issue 4, item 4 and 7).

``test_marks_post`` takes every student with a finished attempt, computes the final mark by the
test's grading method (``attempts.test_final_mark``), turns it into a percent of the maximum
score, and writes it into the journal column named by ``Test.gradebook_column`` through the
gradebook's own entry point (``mark_post_from_source``, source ``test``, reference
``test:<id>``). It refuses while any essay or file answer waits for a tutor, since the score
would be provisional. Posting again writes only what changed (the gradebook does not log a
cell written with the same value and source), so a double click or a repost after a regrade is
safe. The attempts that went into a posted mark get ``posted_to_gradebook``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from qashyq.core.errors import ApplicationError, Conflict, PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record
from qashyq.gradebook import selectors as gradebook_selectors
from qashyq.gradebook.models import COLUMN_LABELS, Source
from qashyq.gradebook.services import mark_post_from_source, parse_column

from .. import policies
from ..models import MANUAL_QTYPES, Answer, Attempt, AttemptState, Test
from .attempts import test_final_mark

PERCENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass
class PostResult:
    """What a posting did: students whose cell changed, those already up to date, the weekly
    marks that became late-edit requests, and the students that could not be posted (with the
    gradebook's reason, e.g. no longer enrolled)."""

    changed: list[dict] = field(default_factory=list)
    unchanged: int = 0
    requests: int = 0
    skipped: list[dict] = field(default_factory=list)


def column_label(column: str) -> str:
    """How the journal calls a column: РК1, ТК2, the exam, or a week."""
    column = (column or "").strip().lower()
    if column in COLUMN_LABELS:
        return str(COLUMN_LABELS[column])
    if column.startswith("w") and column[1:].isdigit():
        return str(_("week %(week)s") % {"week": column[1:]})
    return column


def _percent(mark: Decimal, max_score: Decimal) -> Decimal:
    if max_score <= 0:
        return Decimal(0)
    return min((mark * HUNDRED / max_score).quantize(PERCENT, rounding=ROUND_HALF_UP), HUNDRED)


def pending_answers(test: Test) -> int:
    return Answer.objects.filter(
        slot__attempt__test=test,
        slot__attempt__state=AttemptState.FINISHED,
        slot__question_version__qtype__in=list(MANUAL_QTYPES),
        manual_points__isnull=True,
    ).count()


def test_marks_post(*, actor, test: Test) -> PostResult:
    """Send every student's final mark (0–100 %) to the test's gradebook column. Tutors of the
    offering only; refused with ``grading_pending`` while answers wait for manual grading and
    with ``no_gradebook_column`` when the test names no column. Audit-logged."""
    if not policies.can_manage_tests(actor, test.offering_id):
        raise PermissionDenied(_("Only the tutors of this course grade its tests."))
    column = (test.gradebook_column or "").strip().lower()
    if not column:
        raise ValidationFailed(
            _("The test names no e-journal column; set one in the test's settings first."),
            code="no_gradebook_column",
        )
    offering = test.offering
    parse_column(column, gradebook_selectors.scheme_for(offering))  # unknown_column
    waiting = pending_answers(test)
    if waiting:
        raise Conflict(
            ngettext(
                "%(count)d answer still awaits manual grading; grade it before sending the "
                "marks to the e-journal.",
                "%(count)d answers still await manual grading; grade them before sending the "
                "marks to the e-journal.",
                waiting,
            )
            % {"count": waiting},
            code="grading_pending",
            details={"pending": waiting},
        )
    result = PostResult()
    with transaction.atomic():
        # locked in primary-key order, as test_regrade locks them, so the two never deadlock;
        # only the attempt rows are locked, not the students joined for their names
        attempts = list(
            Attempt.objects.select_for_update(of=("self",))
            .filter(test=test, state=AttemptState.FINISHED, score__isnull=False)
            .select_related("student")
            .order_by("pk")
        )
        by_student: dict[int, list[Attempt]] = {}
        for attempt in attempts:
            by_student.setdefault(attempt.student_id, []).append(attempt)
        posted_ids: list[int] = []
        for student_id, own in by_student.items():
            student = own[0].student
            mark = test_final_mark(test, student)
            if mark is None:
                continue
            max_score = max(a.max_score for a in own)
            percent = _percent(mark, max_score)
            try:
                with transaction.atomic():
                    outcome = mark_post_from_source(
                        actor=actor,
                        offering=offering,
                        student=student_id,
                        column=column,
                        value=percent,
                        source=Source.TEST,
                        source_ref=f"test:{test.pk}",
                    )
            except ApplicationError as error:
                result.skipped.append(
                    {"student_id": student_id, "student": str(student), "reason": str(error)}
                )
                continue
            posted_ids += [a.pk for a in own if not a.posted_to_gradebook]
            if outcome.requests:
                result.requests += len(outcome.requests)
            if outcome.changed:
                result.changed.append(
                    {
                        "student_id": student_id,
                        "student": str(student),
                        "mark": str(mark),
                        "percent": str(percent),
                    }
                )
            elif not outcome.requests:
                result.unchanged += 1
        if posted_ids:
            Attempt.objects.filter(pk__in=posted_ids).update(posted_to_gradebook=True)
        if result.changed or result.requests or posted_ids:
            audit_record(
                actor=actor,
                action="assessments.test_marks_posted",
                obj=test,
                new={
                    "column": column,
                    "grading_method": test.grading_method,
                    "changed": [
                        {"student": c["student_id"], "mark": c["mark"], "percent": c["percent"]}
                        for c in result.changed
                    ],
                    "late_edit_requests": result.requests,
                    "skipped": [s["student_id"] for s in result.skipped],
                },
            )
    return result


test_marks_post.__test__ = False  # type: ignore[attr-defined]
