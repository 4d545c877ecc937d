"""Every write of the question banks, each under one transaction and a policy check.

Bad input raises ``ValidationFailed`` with a specific, translated message and changes nothing;
the checks of a question's content live in ``validation`` (``validate_question_data`` is
re-exported here for the import service).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from qashyq.core.errors import Conflict, PermissionDenied

from .. import policies
from ..models import (
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionTag,
    QuestionVersion,
    TextFormat,
)
from .validation import (
    CATEGORY_DEPTH_MAX,
    FILE_KIND_GROUPS,
    NAME_MAX,
    clean_tags,
    clean_version_fields,
    fail,
    file_accept_kinds,
    normalise_tag,
    validate_question_data,
)

__all__ = [
    "FILE_KIND_GROUPS",
    "bank_create",
    "bank_rename",
    "category_ensure_path",
    "file_accept_kinds",
    "normalise_tag",
    "question_archive",
    "question_create",
    "question_restore",
    "question_update",
    "validate_question_data",
]

_UNSET: Any = object()


# --- banks and categories -----------------------------------------------------------------------


def _clean_title(title: Any, message) -> str:
    if not isinstance(title, str) or not " ".join(title.split()):
        fail(message, "title_required")
    title = " ".join(unicodedata.normalize("NFC", title).split())
    if len(title) > NAME_MAX:
        fail(
            _("The name is too long (at most %(max)s characters).") % {"max": NAME_MAX},
            "title_too_long",
        )
    return title


def _bank_title_taken(bank: QuestionBank, title: str) -> bool:
    owner = (
        {"discipline_id": bank.discipline_id}
        if bank.discipline_id is not None
        else {"department_id": bank.department_id}
    )
    return QuestionBank.objects.filter(title=title, **owner).exclude(pk=bank.pk).exists()


def bank_create(*, actor, title: str, discipline=None, department=None) -> QuestionBank:
    """A bank of a discipline (for all its offerings) or of a department: exactly one of them."""
    if (discipline is None) == (department is None):
        fail(
            _("A question bank belongs either to a discipline or to a department."),
            "bank_owner_invalid",
        )
    if not policies.can_create_bank(actor, discipline=discipline, department=department):
        raise PermissionDenied(_("You may not create question banks here."))
    title = _clean_title(title, _("Give the question bank a name."))
    bank = QuestionBank(
        title=title,
        discipline=discipline,
        department=department,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if _bank_title_taken(bank, title):
        raise Conflict(_("A question bank with this name already exists here."), code="bank_exists")
    try:
        with transaction.atomic():
            bank.save()
    except IntegrityError as exc:  # a concurrent create with the same name
        raise Conflict(
            _("A question bank with this name already exists here."), code="bank_exists"
        ) from exc
    return bank


def bank_rename(*, actor, bank: QuestionBank, title: str) -> QuestionBank:
    if not policies.can_edit_bank(actor, bank):
        raise PermissionDenied(_("You may not edit this question bank."))
    title = _clean_title(title, _("Give the question bank a name."))
    if title == bank.title:
        return bank
    if _bank_title_taken(bank, title):
        raise Conflict(_("A question bank with this name already exists here."), code="bank_exists")
    try:
        with transaction.atomic():
            QuestionBank.objects.filter(pk=bank.pk).update(title=title)
    except IntegrityError as exc:
        raise Conflict(
            _("A question bank with this name already exists here."), code="bank_exists"
        ) from exc
    bank.title = title
    return bank


def category_ensure_path(
    *, actor, bank: QuestionBank, path: tuple[str, ...] | list[str]
) -> QuestionCategory | None:
    """The category at ``path`` (e.g. ``("Алгебра", "Теңдеулер")``) in the bank, creating the
    missing levels; ``()`` is the top of the bank (``None``). Names are compared after NFC and
    collapsing spaces, so an import finds the category it made last time."""
    if not policies.can_edit_bank(actor, bank):
        raise PermissionDenied(_("You may not edit this question bank."))
    if isinstance(path, str):
        path = (path,)
    names = [_clean_title(name, _("A category needs a name.")) for name in path]
    if len(names) > CATEGORY_DEPTH_MAX:
        fail(
            _("Categories can be nested at most %(max)s levels deep.")
            % {"max": CATEGORY_DEPTH_MAX},
            "category_too_deep",
        )
    parent: QuestionCategory | None = None
    with transaction.atomic():
        for name in names:
            parent = _category_child(bank, parent, name)
    return parent


def _category_child(
    bank: QuestionBank, parent: QuestionCategory | None, name: str
) -> QuestionCategory:
    existing = QuestionCategory.objects.filter(bank=bank, parent=parent, name=name).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return QuestionCategory.objects.create(bank=bank, parent=parent, name=name)
    except IntegrityError:  # created meanwhile by a concurrent import
        return QuestionCategory.objects.get(bank=bank, parent=parent, name=name)


# --- questions ----------------------------------------------------------------------------------


def _check_category(bank: QuestionBank, category: QuestionCategory | None) -> None:
    if category is not None and category.bank_id != bank.pk:
        fail(_("The category belongs to another question bank."), "category_other_bank")


def _set_tags(question: Question, tags: list[str]) -> None:
    current = set(question.tags.values_list("name", flat=True))
    wanted = set(tags)
    if current - wanted:
        question.tags.filter(name__in=current - wanted).delete()
    QuestionTag.objects.bulk_create(
        [QuestionTag(question=question, name=name) for name in tags if name not in current]
    )


def question_create(
    *,
    actor,
    bank: QuestionBank,
    qtype: str,
    text: str,
    data: Mapping[str, Any],
    category: QuestionCategory | None = None,
    name: str = "",
    text_format: str = TextFormat.MARKDOWN,
    general_feedback: str = "",
    default_mark: Any = 1,
    penalty: Any = 0.0,
    tags: Iterable[str] = (),
) -> Question:
    """A new question with its version 1."""
    if not policies.can_edit_bank(actor, bank):
        raise PermissionDenied(_("You may not add questions to this bank."))
    _check_category(bank, category)
    fields = clean_version_fields(
        qtype=qtype,
        name=name,
        text=text,
        text_format=text_format,
        data=data,
        general_feedback=general_feedback,
        default_mark=default_mark,
        penalty=penalty,
    )
    tag_names = clean_tags(tags)
    author = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        question = Question.objects.create(bank=bank, category=category, created_by=author)
        version = QuestionVersion.objects.create(
            question=question, number=1, created_by=author, **fields
        )
        question.current_version = version
        question.save(update_fields=["current_version", "updated_at"])
        _set_tags(question, tag_names)
    return question


VERSIONED_FIELDS = (
    "name",
    "text",
    "text_format",
    "data",
    "general_feedback",
    "default_mark",
    "penalty",
)


def question_update(
    *,
    actor,
    question: Question,
    name: Any = _UNSET,
    text: Any = _UNSET,
    text_format: Any = _UNSET,
    data: Any = _UNSET,
    general_feedback: Any = _UNSET,
    default_mark: Any = _UNSET,
    penalty: Any = _UNSET,
    category: Any = _UNSET,
    tags: Any = _UNSET,
) -> Question:
    """Change a question. A change of its content (any of ``VERSIONED_FIELDS``) makes a new
    version and leaves the old ones as they were; a change of category or tags only moves or
    labels the question. Arguments left out keep their value; when nothing changes, nothing is
    written. The type of a question never changes (make a new question instead)."""
    if not policies.can_edit_question(actor, question):
        raise PermissionDenied(_("You may not edit questions of this bank."))
    if question.archived:
        raise Conflict(
            _("An archived question cannot be edited; restore it first."), code="archived"
        )
    if category is not _UNSET:
        _check_category(question.bank, category)
    tag_names = None if tags is _UNSET else clean_tags(tags)
    given = {
        "name": name,
        "text": text,
        "text_format": text_format,
        "data": data,
        "general_feedback": general_feedback,
        "default_mark": default_mark,
        "penalty": penalty,
    }
    with transaction.atomic():
        # one editor at a time: the second waits and then builds on the first one's version
        locked = Question.objects.select_for_update().get(pk=question.pk)
        current = QuestionVersion.objects.get(pk=locked.current_version_id)
        values = {
            key: getattr(current, key) if value is _UNSET else value for key, value in given.items()
        }
        fields = clean_version_fields(qtype=current.qtype, **values)
        if any(fields[key] != getattr(current, key) for key in VERSIONED_FIELDS):
            number = (
                QuestionVersion.objects.filter(question=locked).aggregate(n=Max("number"))["n"] or 0
            ) + 1
            try:
                with transaction.atomic():
                    version = QuestionVersion.objects.create(
                        question=locked,
                        number=number,
                        created_by=actor if getattr(actor, "is_authenticated", False) else None,
                        **fields,
                    )
            except IntegrityError as exc:  # a database without row locks let two editors race
                raise Conflict(
                    _(
                        "Someone else changed this question at the same time; reload it and try "
                        "again."
                    ),
                    code="edited_concurrently",
                ) from exc
            locked.current_version = version
        changed = locked.current_version_id != current.pk
        if category is not _UNSET and locked.category_id != getattr(category, "pk", None):
            locked.category = category
            changed = True
        if changed:
            locked.save(update_fields=["current_version", "category", "updated_at"])
        if tag_names is not None:
            _set_tags(locked, tag_names)
    return locked


def _set_archived(*, actor, question: Question, archived: bool) -> Question:
    if not policies.can_edit_question(actor, question):
        raise PermissionDenied(_("You may not edit questions of this bank."))
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.archived != archived:
            locked.archived = archived
            locked.save(update_fields=["archived", "updated_at"])
    question.archived = archived
    return locked


def question_archive(*, actor, question: Question) -> Question:
    """Hide a question from the bank and from new tests; attempts that showed it keep it."""
    return _set_archived(actor=actor, question=question, archived=True)


def question_restore(*, actor, question: Question) -> Question:
    return _set_archived(actor=actor, question=question, archived=False)
