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
