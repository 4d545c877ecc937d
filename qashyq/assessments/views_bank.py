"""Pages of the question banks: list, bank with its category tree, question preview, import with
a preview and a confirmation, export. Thin: parse, check the policy, call a selector or service.

The import is two steps. The upload is read and checked as a dry run (nothing written), the file
is kept in storage under ``question-imports/`` and its name in the session under a random token,
and the preview page shows what would be created and every rejection. "Import" on the preview
runs the import for real from the kept file; "Cancel" or the import removes the file, and a
periodic job (``imports.pending_uploads_sweep``) removes the files nobody confirmed within a day.
A token is used once: the import service refuses a token already written (a database guard, no
shared cache needed), so a double click, two tabs or two workers import once.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from pathlib import PurePosixPath
from typing import Any

import nh3
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape, linebreaks
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from qashyq.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from qashyq.core.files import FORBIDDEN, FORBIDDEN_EXTENSIONS, sniff_kind, store_upload
from qashyq.core.text import ALLOWED_TAGS, render_markdown

from . import formats, imports, policies, selectors
from .formats.base import read_bytes
from .models import QType, TextFormat

PAGE_SIZE = 25
PENDING_KEY = "assessments.pending_imports"
PENDING_MAX = 5  # uploads waiting for confirmation per session; older ones are removed
UPLOAD_FOLDER = imports.PENDING_FOLDER
UPLOAD_KINDS = frozenset({"text", "docx"})
_GAP = re.compile(r"\{\{([^{}]*)\}\}")


def _bank(request, pk: int):
    return selectors.bank_for(request.user, pk)


def _require_edit(user, bank) -> None:
    if not policies.can_edit_bank(user, bank):
        raise PermissionDenied(_("You may not edit this question bank."))


# --- list and detail ----------------------------------------------------------------------------


@login_required
@require_GET
def bank_list(request):
    if not policies.can_list_banks(request.user):
        raise PermissionDenied(
            _("Question banks are open to the tutors of a discipline and its methodologists.")
        )
    banks = selectors.visible_banks(request.user).order_by("title", "pk")
    page = Paginator(banks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessments/bank_list.html", {"page": page})


def _category_choice(tree, value: str):
    """``("top", None)``, ``("id", category)`` or ``("", None)`` for the ``category`` filter."""
    if value == "top":
        return "top", None
    if value.isdigit():
        for node in tree:
            if node.category.pk == int(value):
                return "id", node.category
    return "", None


@login_required
@require_GET
def bank_detail(request, pk: int):
    bank = _bank(request, pk)
    tree = selectors.category_tree(bank)
    kind, category = _category_choice(tree, request.GET.get("category", ""))
    qtype = request.GET.get("type", "")
    if qtype not in QType.values:
        qtype = ""
    tag = " ".join(request.GET.get("tag", "").split())[:100]
    questions = selectors.bank_questions(
        bank,
        category=category,
        top_only=kind == "top",
        tags=[tag] if tag else (),
        qtype=qtype or None,
    )
    page = Paginator(questions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessments/bank_detail.html",
        {
            "bank": bank,
            "tree": tree,
            "page": page,
            "selected_category": "top" if kind == "top" else getattr(category, "pk", None),
            "qtype": qtype,
            "qtypes": QType.choices,
            "tag": tag,
            "tags": selectors.bank_tags(bank),
            "filtered": bool(kind or qtype or tag),
            "can_edit": policies.can_edit_bank(request.user, bank),
            "export_formats": _export_choices(),
        },
    )


# --- question preview ---------------------------------------------------------------------------


def _text_html(text: str, text_format: str) -> str:
    if text_format == TextFormat.MARKDOWN:
        return render_markdown(text)
    if text_format == TextFormat.HTML:
        return nh3.clean(text or "", tags=ALLOWED_TAGS, link_rel="noopener noreferrer nofollow")
    return linebreaks(text or "", autoescape=True)


def _inline_html(text: Any, text_format: str) -> str:
    """An option's or answer's text: sanitised HTML for HTML questions, else escaped text."""
    text = "" if text is None else str(text)
    if text_format == TextFormat.HTML:
        return nh3.clean(text, tags=ALLOWED_TAGS, link_rel="noopener noreferrer nofollow")
    return str(escape(text))


def _percent(fraction: Any) -> str:
    try:
        value = float(fraction) * 100
    except (TypeError, ValueError):
        return ""
    return f"{value:g}%"


def _question_view(version, show_key: bool) -> dict[str, Any]:
    """What the preview template shows; keys and feedback only when ``show_key``."""
    fmt, data = version.text_format, version.data or {}
    text = _text_html(version.text, fmt)
    if version.qtype == QType.CLOZE:
        text = _GAP.sub(
            lambda m: (
                f'<span class="badge" aria-label="{escape(_("gap"))} {escape(m.group(1))}">'
                f"[{escape(m.group(1))}]</span>"
            ),
            text,
        )

    def options(items):
        return [
            {
                "text": mark_safe(_inline_html(o.get("text"), fmt)),  # noqa: S308 - sanitised
                "fraction": _percent(o.get("fraction", 0)),
                "correct": float(o.get("fraction", 0) or 0) > 0,
                "feedback": mark_safe(_inline_html(o.get("feedback", ""), fmt)),  # noqa: S308
            }
            for o in items
        ]

    answers = []
    for answer in data.get("answers", []):
        if version.qtype == QType.NUMERICAL:
            shown = f"{answer.get('value')}"
            if answer.get("tolerance"):
                shown += f" ± {answer.get('tolerance')}"
        else:
            shown = answer.get("text", "")
        answers.append(
            {
                "text": shown,
                "fraction": _percent(answer.get("fraction", 0)),
                "feedback": mark_safe(_inline_html(answer.get("feedback", ""), fmt)),  # noqa: S308
            }
        )
    gaps = []
    for gap in data.get("gaps", []):
        if gap.get("kind") == "single":
            gap_answers = [
                {"text": o.get("text", ""), "fraction": _percent(o.get("fraction", 0))}
                for o in gap.get("options", [])
            ]
        else:
            gap_answers = [
                {
                    "text": (
                        f"{a.get('value')}" + (f" ± {a['tolerance']}" if a.get("tolerance") else "")
                        if gap.get("kind") == "numerical"
                        else a.get("text", "")
                    ),
                    "fraction": _percent(a.get("fraction", 0)),
                }
                for a in gap.get("answers", [])
            ]
        gaps.append(
            {
                "id": gap.get("id"),
                "kind": gap.get("kind"),
                "mark": gap.get("mark"),
                "answers": gap_answers,
            }
        )
    items = list(data.get("items", []))
    if not show_key:  # the stored order of an ordering question is its key
        items.sort(key=lambda item: str(item.get("text", "")).casefold())
    pairs = [p for p in data.get("pairs", []) if p.get("prompt")]
    choices = sorted(
        {str(p.get("answer", "")) for p in data.get("pairs", [])}
        | {str(d) for d in data.get("distractors", [])},
        key=str.casefold,
    )
    view = {
        "text": mark_safe(text),  # noqa: S308 - rendered and sanitised above
        "options": options(data.get("options", [])),
        "multiple": version.qtype == QType.MULTIPLE,
        "correct": data.get("correct"),
        "feedback_true": data.get("feedback_true", ""),
        "feedback_false": data.get("feedback_false", ""),
        "answers": answers,
        "case_sensitive": data.get("case_sensitive", False),
        "pairs": pairs,
        "choices": choices,
        "distractors": data.get("distractors", []),
        "items": items,
        "gaps": gaps,
        "essay": data if version.qtype == QType.ESSAY else None,
        "grader_info": mark_safe(_inline_html(data.get("grader_info", ""), fmt)),  # noqa: S308
        "file": data if version.qtype == QType.FILE else None,
        "general_feedback": mark_safe(_text_html(version.general_feedback, fmt))  # noqa: S308
        if version.general_feedback
        else "",
    }
    view["key_details"] = version.qtype == QType.TRUEFALSE or any(
        view[key] for key in ("answers", "gaps", "grader_info", "general_feedback", "feedback_true")
    )
    return view


@login_required
@require_GET
def bank_question(request, pk: int, question_pk: int):
    bank = _bank(request, pk)
    question = selectors.bank_questions(bank).filter(pk=question_pk).first()
    if question is None:
        question = selectors.bank_questions(bank, archived=True).filter(pk=question_pk).first()
    if question is None or question.current_version is None:
        raise NotFound(_("There is no such question in this bank."))
    show_key = policies.can_edit_question(request.user, question)
    version = question.current_version
    return render(
        request,
        "assessments/bank_question.html",
        {
            "bank": bank,
            "question": question,
            "version": version,
            "show_key": show_key,
            "view": _question_view(version, show_key),
            # the version list for editors, authors loaded with it (one query, not one per row)
            "history": (
                question.versions.select_related("created_by").order_by("-number")
                if show_key
                else ()
            ),
        },
    )


# --- export -------------------------------------------------------------------------------------


def _export_choices():
    return [("gift", "GIFT"), ("moodlexml", "Moodle XML")]


@login_required
@require_GET
def bank_export(request, pk: int):
    bank = _bank(request, pk)
    category = None
    value = request.GET.get("category", "")
    if value:
        kind, category = _category_choice(selectors.category_tree(bank), value)
        if kind != "id":
            raise NotFound(_("There is no such category in this bank."))
    exported = imports.bank_export(
        actor=request.user, bank=bank, format=request.GET.get("format", ""), category=category
    )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=exported.filename
    )
    return response


# --- import: upload, preview, confirm -----------------------------------------------------------

FORMAT_CHOICES = [
    ("", gettext_lazy("Recognise from the file name")),
    ("platonus", gettext_lazy("Platonus text (.txt, .docx)")),
    ("gift", gettext_lazy("Moodle GIFT (.gift, .txt)")),
    ("moodlexml", gettext_lazy("Moodle XML (.xml)")),
]


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Question file"))
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=FORMAT_CHOICES, required=False)
    category = forms.ChoiceField(label=gettext_lazy("Import into category"), required=False)
    new_category = forms.CharField(
        label=gettext_lazy("New subcategory (optional)"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy("Created inside the chosen category; separate levels with “/”."),
    )
    skip_rejected = forms.BooleanField(
        label=gettext_lazy("Skip the rejected questions and import the others"), required=False
    )

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.tree = tree
        self.fields["category"].choices = [("", _("The top of the bank"))] + [
            (str(node.category.pk), "— " * node.depth + node.category.name) for node in tree
        ]

    def category_path(self) -> tuple[str, ...]:
        chosen = self.cleaned_data.get("category") or ""
        base: tuple[str, ...] = ()
        for node in self.tree:
            if str(node.category.pk) == chosen:
                base = node.path
        extra = tuple(part.strip() for part in self.cleaned_data.get("new_category", "").split("/"))
        return base + tuple(part for part in extra if part)


def _checked_upload(upload) -> tuple[bytes, str]:
    """The upload's bytes and its format, or ``ValidationFailed``: a text or Word file only."""
    name = getattr(upload, "name", "") or ""
    extension = PurePosixPath(name.replace("\\", "/")).suffix.lower().lstrip(".")
    if upload.size is not None and upload.size > formats.MAX_BYTES:
        raise ValidationFailed(
            _("The file is too large to import: the limit is %(size)s MB.")
            % {"size": formats.MAX_BYTES // (1024 * 1024)},
            code="file_too_large",
        )
    if extension in FORBIDDEN_EXTENSIONS:
        raise ValidationFailed(
            _("Files with the extension .%(extension)s are not accepted: they can run programs.")
            % {"extension": extension},
            code="file_forbidden",
        )
    kind = sniff_kind(upload, extension=extension)
    if kind in FORBIDDEN or kind not in UPLOAD_KINDS:
        raise ValidationFailed(
            _("A question file is a text file (.txt, .gift, .xml) or a Word document (.docx)."),
            code="file_kind_not_allowed",
        )
    upload.seek(0)
    content = read_bytes(upload)
    upload.seek(0)
    return content, kind


def _pending(request) -> dict[str, dict[str, Any]]:
    return dict(request.session.get(PENDING_KEY, {}))


def _drop_pending(request, token: str) -> None:
    pending = _pending(request)
    entry = pending.pop(token, None)
    if entry is not None:
        with contextlib.suppress(OSError):
            default_storage.delete(entry["stored"])
    request.session[PENDING_KEY] = pending


def _keep_pending(request, entry: dict[str, Any]) -> str:
    token = uuid.uuid4().hex
    pending = _pending(request)
    pending[token] = entry
    while len(pending) > PENDING_MAX:
        oldest = next(iter(pending))
        old = pending.pop(oldest)
        with contextlib.suppress(OSError):
            default_storage.delete(old["stored"])
    request.session[PENDING_KEY] = pending
    return token


@login_required
def bank_import(request, pk: int):
    bank = _bank(request, pk)
    _require_edit(request.user, bank)
    tree = selectors.category_tree(bank)
    form = ImportForm(request.POST or None, request.FILES or None, tree=tree)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                token = _upload_preview(request, bank, form)
            except ValidationFailed as exc:
                form.add_error(None, str(exc.message))
            else:
                return redirect("assessments:bank_import_preview", bank.pk, token)
    return render(
        request, "assessments/bank_import.html", {"bank": bank, "form": form}, status=status
    )


def _upload_preview(request, bank, form: ImportForm) -> str:
    upload = form.cleaned_data["file"]
    content, kind = _checked_upload(upload)
    file_format = form.cleaned_data["format"] or imports.guess_format(upload.name, content)
    if file_format is None:
        raise ValidationFailed(
            _("The format is not known from the file name: choose it in the list."),
            code="unknown_format",
        )
    if kind == "docx" and file_format != "platonus":
        raise ValidationFailed(
            _("Only Platonus questions can be read from a Word document."), code="unknown_format"
        )
    path = form.category_path()
    result = formats.parse(content, format=file_format, filename=upload.name)
    report = imports.questions_import(
        actor=request.user, bank=bank, result=result, category_path=path, dry_run=True
    )
    if not report.accepted and not report.rejected:
        raise ValidationFailed(
            _("No questions were found in the file. Check that the format is right."),
            code="import_empty",
        )
    stored = store_upload(upload, folder=UPLOAD_FOLDER, max_bytes=formats.MAX_BYTES)
    return _keep_pending(
        request,
        {
            "bank": bank.pk,
            "stored": stored.name,
            "filename": stored.original_name,
            "format": file_format,
            "path": list(path),
            "skip_rejected": form.cleaned_data["skip_rejected"],
        },
    )


def _pending_entry(request, bank, token: str) -> dict[str, Any]:
    entry = _pending(request).get(token)
    if entry is None or entry.get("bank") != bank.pk or not default_storage.exists(entry["stored"]):
        raise NotFound(
            _(
                "This upload is no longer waiting: it was imported or cancelled. "
                "Upload the file again."
            )
        )
    return entry


def _read_pending(entry: dict[str, Any]):
    with default_storage.open(entry["stored"], "rb") as handle:
        content = handle.read()
    return formats.parse(content, format=entry["format"], filename=entry["filename"])


def _preview_context(bank, entry, report, token, error=None) -> dict[str, Any]:
    labels = dict(QType.choices)
    return {
        "bank": bank,
        "entry": entry,
        "token": token,
        "report": report,
        "error": error,
        "counts": [(labels.get(qtype, qtype), count) for qtype, count in report.counts.items()],
        "categories": sorted(
            (" / ".join(path) or _("The top of the bank"), count)
            for path, count in report.categories.items()
        ),
        "target": " / ".join(entry["path"]) or _("The top of the bank"),
    }


@login_required
def bank_import_preview(request, pk: int, token: str):
    bank = _bank(request, pk)
    _require_edit(request.user, bank)
    entry = _pending_entry(request, bank, token)
    result = _read_pending(entry)
    if request.method == "POST":
        skip = request.POST.get("skip_rejected") == "1"
        try:
            report = imports.questions_import(
                actor=request.user,
                bank=bank,
                result=result,
                category_path=entry["path"],
                skip_rejected=skip,
                source_name=entry["filename"],
                source_format=entry["format"],
                upload_token=token,
            )
        except Conflict as exc:  # imported already (a double click that got past the file check)
            _drop_pending(request, token)
            messages.info(request, str(exc.message))
            return redirect("assessments:bank_detail", bank.pk)
        except ValidationFailed as exc:
            report = imports.questions_import(
                actor=request.user,
                bank=bank,
                result=result,
                category_path=entry["path"],
                dry_run=True,
            )
            context = _preview_context(bank, entry, report, token, error=exc.message)
            return render(request, "assessments/bank_import_preview.html", context, status=400)
        if report.refused:
            entry = {**entry, "skip_rejected": False}
            error = _(
                "Nothing was imported: some questions are rejected. Correct the file and upload "
                "it again, or choose to skip the rejected questions."
            )
            context = _preview_context(bank, entry, report, token, error=error)
            return render(request, "assessments/bank_import_preview.html", context, status=400)
        _drop_pending(request, token)
        message = _("%(count)s question(s) imported.") % {"count": report.created}
        if report.rejected:
            message += " " + _("%(count)s rejected question(s) skipped.") % {
                "count": len(report.rejected)
            }
        messages.success(request, message)
        return redirect("assessments:bank_detail", bank.pk)
    report = imports.questions_import(
        actor=request.user,
        bank=bank,
        result=result,
        category_path=entry["path"],
        skip_rejected=entry.get("skip_rejected", False),
        dry_run=True,
    )
    return render(
        request,
        "assessments/bank_import_preview.html",
        _preview_context(bank, entry, report, token),
    )


@login_required
@require_POST
def bank_import_cancel(request, pk: int, token: str):
    bank = _bank(request, pk)
    _require_edit(request.user, bank)
    _drop_pending(request, token)
    messages.info(request, _("The import is cancelled; nothing was written."))
    return redirect("assessments:bank_detail", bank.pk)
