"""The question editor: write a new question by hand (choose its type, then one form per type),
edit one (a new version; attempts keep the version they showed), archive and restore.

Thin: the bank is found through ``selectors.bank_for`` (an outsider gets 404), the editor right
is ``policies.can_edit_bank`` / ``can_edit_question`` (403 otherwise), the forms build the type's
``data`` and ``question_create`` / ``question_update`` validate and write it. A
``ValidationFailed`` is shown above the form and nothing is written.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qashyq.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from . import forms_questions as qforms
from . import policies, selectors, services
from .models import QType, Question, QuestionVersion


def _bank_for_editor(request, pk: int):
    bank = selectors.bank_for(request.user, pk)
    if not policies.can_edit_bank(request.user, bank):
        raise PermissionDenied(_("You may not edit this question bank."))
    return bank


def _question(bank, question_pk: int) -> Question:
    question = (
        Question.objects.filter(bank=bank, pk=question_pk)
        .select_related("current_version", "category")
        .first()
    )
    if question is None or question.current_version is None:
        raise NotFound(_("There is no such question in this bank."))
    question.bank = bank  # the policies read the bank's discipline/department already loaded
    return question


def _rows_wanted(request, filled: int) -> int:
    """Blank rows to add below the filled ones: 5 by default, ``?rows=N`` for more."""
    try:
        wanted = int(request.GET.get("rows", ""))
    except ValueError:
        wanted = qforms.ROWS_DEFAULT
    wanted = max(qforms.ROWS_DEFAULT, min(wanted, qforms.ROWS_MAX))
    return max(0, min(wanted, qforms.ROWS_MAX - filled))


def _more_rows(data: QueryDict) -> QueryDict:
    data = data.copy()
    key = f"{qforms.ROW_PREFIX}-TOTAL_FORMS"
    try:
        total = int(data.get(key, "0"))
    except ValueError:
        total = 0
    data[key] = str(max(0, min(total + qforms.ROWS_MORE, qforms.ROWS_MAX)))
    return data


def _history(question: Question):
    return QuestionVersion.objects.filter(question=question).select_related("created_by")


def _editor(request, bank, qtype: str, question: Question | None = None):
    tree = selectors.category_tree(bank)
    version = question.current_version if question is not None else None
    if version is not None:
        common_initial, rows_initial, settings_initial = qforms.initial_values(version)
        common_initial["category"] = str(question.category_id or "")
        common_initial["tags"] = ", ".join(question.tags.values_list("name", flat=True))
    else:
        common_initial, rows_initial, settings_initial = {"default_mark": "1"}, [], None
        if request.GET.get("category", "").isdigit():
            common_initial["category"] = request.GET["category"]
    extra = _rows_wanted(request, len(rows_initial))
    data = None
    adding_rows = False
    if request.method == "POST":
        data = request.POST
        if "add_rows" in data:
            data, adding_rows = _more_rows(data), True
    common = qforms.QuestionCommonForm(
        data,
        initial=common_initial,
        tree=tree,
        qtype=qtype,
        cloze=qtype == QType.CLOZE,
        text_format=version.text_format if version is not None else "markdown",
    )
    formset = qforms.row_formset(qtype, data=data, initial=rows_initial, extra=extra)
    settings = qforms.settings_form(qtype, data=data, initial=settings_initial)
    status = 200
    if data is not None and not adding_rows:
        status = 400
        forms_valid = common.is_valid()
        forms_valid = (formset is None or formset.is_valid()) and forms_valid
        forms_valid = (settings is None or settings.is_valid()) and forms_valid
        if forms_valid:
            try:
                saved = _save(request, bank, qtype, question, common, formset, settings)
            except (ValidationFailed, Conflict) as exc:
                common.add_error(None, str(exc.message))
            else:
                return redirect("assessments:bank_question", bank.pk, saved.pk)
    context = {
        "bank": bank,
        "qtype": qtype,
        "qtype_label": QType(qtype).label,
        "question": question,
        "version": version,
        "next_number": (
            (_history(question).order_by("-number").values_list("number", flat=True).first() or 0)
            + 1
            if question is not None
            else 1
        ),
        "history": _history(question) if question is not None else (),
        "common": common,
        "formset": formset,
        "settings": settings,
        "can_add_rows": formset is not None and formset.total_form_count() < qforms.ROWS_MAX,
    }
    return render(request, "assessments/question_form.html", context, status=status)


def _save(request, bank, qtype, question, common, formset, settings):
    text, data = qforms.build_data(qtype, common.cleaned_data["text"], formset, settings)
    fields = {
        "name": common.cleaned_data["name"],
        "text": text,
        "general_feedback": common.cleaned_data["general_feedback"],
        "default_mark": (
            0
            if qtype == QType.DESCRIPTION
            else common.cleaned_data["default_mark"]
            if common.cleaned_data["default_mark"] is not None
            else 1
        ),
        "category": common.chosen_category(),
        "tags": common.tag_list(),
    }
    if question is None:
        created = services.question_create(
            actor=request.user, bank=bank, qtype=qtype, data=data, **fields
        )
        messages.success(request, _("The question is saved."))
        return created
    current = question.current_version
    # keys the editor does not manage (e.g. an essay's rubric) stay as they were
    kept = {
        key: value
        for key, value in (current.data or {}).items()
        if key not in qforms.MANAGED_KEYS[qtype]
    }
    before = current.pk
    updated = services.question_update(
        actor=request.user, question=question, data={**kept, **data}, **fields
    )
    if updated.current_version_id == before:
        messages.info(request, _("Nothing in the question's content changed: no new version."))
    else:
        messages.success(request, _("The question is saved as a new version."))
    return updated


@login_required
def question_new(request, pk: int):
    bank = _bank_for_editor(request, pk)
    qtype = request.GET.get("type", "")
    if qtype not in QType.values:
        return render(
            request,
            "assessments/question_new.html",
            {
                "bank": bank,
                "qtypes": QType.choices,
                "category": request.GET.get("category", "")
                if request.GET.get("category", "").isdigit()
                else "",
            },
        )
    return _editor(request, bank, qtype)


@login_required
def question_edit(request, pk: int, question_pk: int):
    bank = _bank_for_editor(request, pk)
    question = _question(bank, question_pk)
    if not policies.can_edit_question(request.user, question):
        raise PermissionDenied(_("You may not edit questions of this bank."))
    if question.archived:
        messages.error(request, _("An archived question cannot be edited; restore it first."))
        return redirect("assessments:bank_question", bank.pk, question.pk)
    return _editor(request, bank, question.current_version.qtype, question)


def _set_archived(request, pk: int, question_pk: int, *, archived: bool):
    bank = _bank_for_editor(request, pk)
    question = _question(bank, question_pk)
    if archived:
        services.question_archive(actor=request.user, question=question)
        messages.success(request, _("The question is archived: new tests will not draw it."))
    else:
        services.question_restore(actor=request.user, question=question)
        messages.success(request, _("The question is restored."))
    return redirect(reverse("assessments:bank_question", args=[bank.pk, question.pk]))


@login_required
@require_POST
def question_archive(request, pk: int, question_pk: int):
    return _set_archived(request, pk, question_pk, archived=True)


@login_required
@require_POST
def question_restore(request, pk: int, question_pk: int):
    return _set_archived(request, pk, question_pk, archived=False)
