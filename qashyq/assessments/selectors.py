"""Reads of the question banks. Every list costs a fixed number of queries, however long it is.

``visible_banks`` builds its filter from the same facts as ``policies.can_view_bank``, so the list
never shows a bank that the bank's page would refuse, nor hides one it would show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from qashyq.accounts.roles import ScopeType
from qashyq.accounts.selectors import has_role, user_role_set
from qashyq.core.errors import NotFound
from qashyq.courses.policies import taught_discipline_ids

from . import policies
from .models import Question, QuestionBank, QuestionCategory, QuestionTag, QuestionVersion
from .services import normalise_tag


def _bank_queryset() -> QuerySet[QuestionBank]:
    return QuestionBank.objects.select_related("discipline__department", "department")


def visible_banks(user) -> QuerySet[QuestionBank]:
    """The banks the user may see, with ``question_count`` (questions not archived)."""
    if not policies.can_list_banks(user):
        return QuestionBank.objects.none()
    banks = _bank_queryset().annotate(
        question_count=Count("questions", filter=Q(questions__archived=False))
    )
    if has_role(user, policies.BANK_ADMINISTRATION) or has_role(user, policies.BANK_STAFF):
        return banks
    faculty_ids = {
        scope_id
        for role, scope_type, scope_id in user_role_set(user)
        if role in policies.BANK_STAFF and scope_type == ScopeType.FACULTY
    }
    condition = Q(discipline_id__in=taught_discipline_ids(user)) | Q(
        department_id__in=policies.taught_department_ids(user)
    )
    if faculty_ids:
        condition |= Q(discipline__department__faculty_id__in=faculty_ids) | Q(
            department__faculty_id__in=faculty_ids
        )
    return banks.filter(condition)


def bank_for(user, bank_id: int) -> QuestionBank:
    """The bank, if the user may see it; ``NotFound`` otherwise (an outsider learns nothing)."""
    bank = _bank_queryset().filter(pk=bank_id).first()
    if bank is None or not policies.can_view_bank(user, bank):
        raise NotFound(_("There is no such question bank."))
    return bank


@dataclass(frozen=True)
class CategoryNode:
    category: QuestionCategory
    depth: int
    path: tuple[str, ...]


def category_tree(bank: QuestionBank) -> list[CategoryNode]:
    """The bank's categories depth-first, siblings by name, each with its depth and path (one
    query)."""
    categories = list(QuestionCategory.objects.filter(bank=bank).order_by("name", "id"))
    children: dict[int | None, list[QuestionCategory]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    nodes: list[CategoryNode] = []

    def walk(parent_id: int | None, depth: int, path: tuple[str, ...]) -> None:
        for category in children.get(parent_id, []):
            here = (*path, category.name)
            nodes.append(CategoryNode(category, depth, here))
            walk(category.pk, depth + 1, here)

    walk(None, 0, ())
    return nodes


def category_subtree_ids(category: QuestionCategory) -> set[int]:
    """The category and every category below it (one query)."""
    parents = dict(
        QuestionCategory.objects.filter(bank_id=category.bank_id).values_list("pk", "parent_id")
    )
    below: dict[int | None, list[int]] = {}
    for pk, parent_id in parents.items():
        below.setdefault(parent_id, []).append(pk)
    ids, stack = set(), [category.pk]
    while stack:
        pk = stack.pop()
        if pk not in ids:
            ids.add(pk)
            stack.extend(below.get(pk, []))
    return ids


def bank_questions(
    bank: QuestionBank,
    *,
    category: QuestionCategory | None = None,
    include_subcategories: bool = True,
    top_only: bool = False,
    tags: Iterable[str] = (),
    qtype: str | None = None,
    search: str = "",
    archived: bool = False,
) -> QuerySet[Question]:
    """Questions of a bank with their current version, category and tags loaded (three queries
    however many rows, plus one for the subtree when filtering by category).

    ``category`` with ``include_subcategories`` takes its whole subtree; ``top_only`` takes the
    questions outside every category. ``tags`` must all be present (AND); they are compared
    normalised, as they are stored. ``search`` looks in the current name and text.
    """
    questions = Question.objects.filter(bank=bank, archived=archived)
    if category is not None:
        if include_subcategories:
            questions = questions.filter(category_id__in=category_subtree_ids(category))
        else:
            questions = questions.filter(category=category)
    elif top_only:
        questions = questions.filter(category__isnull=True)
    for tag in {normalise_tag(t) for t in tags if isinstance(t, str)} - {""}:
        questions = questions.filter(pk__in=QuestionTag.objects.filter(name=tag).values("question"))
    if qtype:
        questions = questions.filter(current_version__qtype=qtype)
    search = " ".join(search.split())
    if search:
        questions = questions.filter(
            Q(current_version__name__icontains=search) | Q(current_version__text__icontains=search)
        )
    return (
        questions.select_related("current_version", "category")
        .prefetch_related(Prefetch("tags", queryset=QuestionTag.objects.order_by("name")))
        .order_by("category__name", "current_version__name", "pk")
    )


def bank_tags(bank: QuestionBank) -> list[tuple[str, int]]:
    """Tags used in the bank (questions not archived) with how many questions carry each."""
    return list(
        QuestionTag.objects.filter(question__bank=bank, question__archived=False)
        .values_list("name")
        .annotate(n=Count("question"))
        .order_by("name")
    )


def question_versions(question: Question) -> QuerySet[QuestionVersion]:
    """Every version of a question, newest first, with its author."""
    return QuestionVersion.objects.filter(question=question).select_related("created_by")


# --- grading, regrade, item analysis --------------------------------------------------------------
# Reads for the tutor's pages of a test's results (views_grading.py, views_analysis.py). Each
# costs a fixed number of queries however many attempts the test has.

from django.db.models import F  # noqa: E402
from django.utils.html import strip_tags  # noqa: E402

from .analysis import ItemResponse, OptionInfo  # noqa: E402
from .models import (  # noqa: E402
    MANUAL_QTYPES,
    UNGRADED_QTYPES,
    Answer,
    Attempt,
    AttemptFile,
    AttemptSlot,
    AttemptState,
    QType,
    Test,
)

ATTEMPTS_ALL = "all"
ATTEMPTS_FIRST = "first"
ATTEMPT_CHOICES = (ATTEMPTS_ALL, ATTEMPTS_FIRST)


def test_results_for(user, test_id: int, *, manage: bool = False) -> Test:
    """The test with its offering, if the user may see its results (``manage``: may grade,
    regrade and post them); ``NotFound`` otherwise, so an outsider learns nothing."""
    test = Test.objects.select_related("offering").filter(pk=test_id).first()
    allowed = test is not None and (
        policies.can_manage_tests if manage else policies.can_view_test_results
    )(user, test.offering_id)
    if not allowed:
        raise NotFound(_("There is no such test."))
    return test


test_results_for.__test__ = False  # type: ignore[attr-defined]


def _manual_answers(test: Test) -> QuerySet[Answer]:
    return Answer.objects.filter(
        slot__attempt__test=test,
        slot__attempt__state=AttemptState.FINISHED,
        slot__question_version__qtype__in=list(MANUAL_QTYPES),
    )


def grading_queue(test: Test, *, include_graded: bool = False) -> QuerySet[Answer]:
    """The essay and file answers of the test's finished attempts that wait for a tutor's mark
    (``include_graded``: every hand-graded answer), by student, attempt and slot, with the slot,
    its question version, the attempt, its student, the grader and the slot's uploaded files
    loaded (two queries)."""
    answers = _manual_answers(test)
    if not include_graded:
        answers = answers.filter(manual_points__isnull=True)
    return (
        answers.select_related("slot__question_version", "slot__attempt__student", "graded_by")
        .prefetch_related(Prefetch("slot__files", queryset=AttemptFile.objects.order_by("pk")))
        .order_by(
            "slot__attempt__student__last_name",
            "slot__attempt__student__first_name",
            "slot__attempt__student_id",
            "slot__attempt__number",
            "slot__number",
        )
    )


def pending_manual_count(test: Test) -> int:
    """How many essay and file answers of finished attempts still wait for a mark."""
    return _manual_answers(test).filter(manual_points__isnull=True).count()


def unfinished_attempt_count(test: Test) -> int:
    return Attempt.objects.filter(test=test, state=AttemptState.IN_PROGRESS).count()


def newer_question_versions(test: Test) -> int:
    """How many questions shown in the test's finished attempts have a newer current version
    than some attempt showed (what "regrade against the current version" would switch to)."""
    return (
        AttemptSlot.objects.filter(attempt__test=test, attempt__state=AttemptState.FINISHED)
        .exclude(question_version_id=F("question_version__question__current_version_id"))
        .filter(question_version__question__current_version__isnull=False)
        .values("question_version__question_id")
        .distinct()
        .count()
    )


def _analysed_attempts(test: Test, which: str) -> list[Attempt]:
    attempts = list(
        Attempt.objects.filter(test=test, state=AttemptState.FINISHED).order_by(
            "student_id", "number"
        )
    )
    if which == ATTEMPTS_FIRST:
        seen: set[int] = set()
        firsts = []
        for attempt in attempts:
            if attempt.student_id not in seen:
                seen.add(attempt.student_id)
                firsts.append(attempt)
        attempts = firsts
    return attempts


def _fraction(slot: AttemptSlot, answer: Answer | None) -> float | None:
    """The share of the slot's mark earned: a tutor's mark wins; an unanswered or unscored
    automatic question is 0; a hand-graded one without a mark waits (None)."""
    qtype = slot.question_version.qtype
    if answer is not None and answer.manual_points is not None:
        return float(answer.manual_points / slot.mark) if slot.mark else 0.0
    if qtype in MANUAL_QTYPES:
        return None
    if answer is None or answer.fraction is None:
        return 0.0
    return float(answer.fraction)


def _chosen(qtype: str, response) -> tuple[str, ...]:
    if qtype == QType.SINGLE and isinstance(response, str):
        return (response,)
    if qtype == QType.MULTIPLE and isinstance(response, list):
        return tuple(str(r) for r in response if isinstance(r, str))
    return ()


def _plain(text, limit: int = 200) -> str:
    text = " ".join(strip_tags("" if text is None else str(text)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def analysis_input(
    test: Test, *, which: str = ATTEMPTS_ALL
) -> tuple[list[ItemResponse], dict[int, list[OptionInfo]], int]:
    """The test's finished attempts (every one, or each student's first) as ``ItemResponse``
    rows and, for choice questions, ``OptionInfo`` lists (from the newest version of each
    question that an attempt showed), ready for ``analysis.analyse``. Returns ``(responses,
    options_by_question, attempts)``. Two queries, however many attempts."""
    attempts = _analysed_attempts(test, which)
    if not attempts:
        return [], {}, 0
    slots = (
        AttemptSlot.objects.filter(attempt_id__in=[a.pk for a in attempts])
        .select_related("question_version", "answer")
        .order_by("attempt_id", "number")
    )
    responses: list[ItemResponse] = []
    newest = {}
    for slot in slots:
        version = slot.question_version
        if version.qtype in UNGRADED_QTYPES:
            continue
        try:
            answer = slot.answer
        except Answer.DoesNotExist:
            answer = None
        responses.append(
            ItemResponse(
                attempt_id=slot.attempt_id,
                slot=slot.number,
                question_id=version.question_id,
                question_label=version.name or _plain(version.text, 80),
                qtype=version.qtype,
                fraction=_fraction(slot, answer),
                max_mark=float(slot.mark),
                chosen_option_ids=_chosen(
                    version.qtype, None if answer is None else answer.response
                ),
            )
        )
        if version.qtype in (QType.SINGLE, QType.MULTIPLE):
            known = newest.get(version.question_id)
            if known is None or known.number < version.number:
                newest[version.question_id] = version
    options = {
        question_id: [
            OptionInfo(
                option_id=str(o.get("id")),
                label=_plain(o.get("text")),
                fraction=float(o.get("fraction") or 0.0),
            )
            for o in (version.data or {}).get("options") or []
            if isinstance(o, dict)
        ]
        for question_id, version in newest.items()
    }
    return responses, options, len(attempts)
