"""The statement pages: the list of an offering's statements and the "prepare" form, one
statement with its signatures, lock and correction, and its PDF. Thin: parse, call a service or
selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qashyq.core.errors import (
    Conflict,
    NotFound,
    ValidationFailed,
)

from .. import policies, selectors, services
from ..models import COLUMN_LABELS, COLUMNS, StatementKind, StatementStatus
from .journal import _offering, _require_edit, _require_view, _student_from_post

# --- statements (ведомость) -------------------------------------------------------------------


def _require_reader(user, statement, commission) -> None:
    """A statement is for the journal's readers and its commission members."""
    if not policies.can_view_statement(
        user, statement.offering, [member.pk for member in commission]
    ):
        _require_view(user, statement.offering)


def _statement_for(request, pk: int):
    statement = selectors.statement(pk)
    _require_reader(request.user, statement, list(statement.commission.all()))
    return statement


def _back_to(statement) -> HttpResponse:
    return redirect("gradebook:statement", pk=statement.pk)


@login_required
def statements(request, pk: int):
    """The offering's statements; POST generates a draft from the journal."""
    offering = _offering(pk)
    _require_view(request.user, offering)
    if request.method == "POST":
        _require_edit(request.user, offering)
        group = None
        group_id = request.POST.get("group", "")
        if group_id:
            group = offering.groups.filter(pk=group_id if group_id.isdigit() else 0).first()
            if group is None:
                raise ValidationFailed(_("This group does not study this course."))
        try:
            statement = services.statement_generate(
                actor=request.user,
                offering=offering,
                group=group,
                kind=request.POST.get("kind", ""),
            )
        except (ValidationFailed, Conflict) as exc:
            messages.error(request, str(exc.message))
            return redirect("gradebook:statements", pk=offering.pk)
        messages.success(
            request, _("The statement %(number)s was prepared.") % {"number": statement.number}
        )
        return _back_to(statement)
    return render(
        request,
        "gradebook/statements.html",
        {
            "offering": offering,
            "tab": "statements",
            "statements": selectors.statements_of(offering),
            "groups": list(offering.groups.all()),
            "kinds": StatementKind.choices,
            "can_edit": policies.can_edit_journal(request.user, offering),
        },
    )


@login_required
def statement(request, pk: int):
    statement = selectors.statement(pk)
    commission = list(statement.commission.all())
    _require_reader(request.user, statement, commission)
    offering = statement.offering
    lines = selectors.statement_lines(statement)
    signed_by = list(statement.signed_by.all())
    signed = {user.pk for user in signed_by}
    signers = {member.pk for member in commission} | (
        {statement.tutor_id} if statement.tutor_id else set()
    )
    is_registrar = policies.is_registrar_for(request.user, offering)
    draft = statement.status == StatementStatus.DRAFT
    needs_commission = services.statement_needs_commission(statement)
    can_assign = draft and policies.can_assign_commission(request.user, offering)
    waiting = [
        member for member in ([statement.tutor] + commission) if member and member.pk not in signed
    ]
    return render(
        request,
        "gradebook/statement.html",
        {
            "offering": offering,
            "statement": statement,
            "lines": lines,
            "totals": selectors.letter_totals(lines, statement.scheme),
            "commission": commission,
            "signed_by": signed_by,
            "waiting_for": waiting if draft else [],
            "needs_commission": needs_commission,
            "commission_missing": needs_commission and not commission,
            "can_sign": draft and request.user.pk in signers and request.user.pk not in signed,
            "can_lock": statement.status == StatementStatus.SIGNED and is_registrar,
            "can_correct": statement.status == StatementStatus.LOCKED and is_registrar,
            "can_assign": can_assign,
            "candidates": [
                user
                for user in selectors.commission_candidates(offering, signers)
                if user.pk != statement.tutor_id
            ]
            if can_assign
            else [],
            "commission_ids": {member.pk for member in commission},
            "columns": [(c, COLUMN_LABELS[c]) for c in COLUMNS],
        },
    )


@login_required
@require_POST
def statement_commission(request, pk: int):
    """The registrar names the commission: the ticked candidates plus usernames typed in."""
    statement = _statement_for(request, pk)
    try:
        ids = {int(v) for v in request.POST.getlist("member")}
    except ValueError:
        raise ValidationFailed(_("Choose the commission members."), code="bad_member") from None
    typed = [name for name in request.POST.get("usernames", "").replace(",", " ").split() if name]
    found = selectors.users_by_username(typed)
    unknown = [name for name in typed if name.lower() not in found]
    if unknown:
        messages.error(
            request,
            _("No user has the username %(names)s; nothing was changed.")
            % {"names": ", ".join(unknown)},
        )
        return _back_to(statement)
    ids |= {user.pk for user in found.values()}
    try:
        statement = services.statement_commission_set(
            actor=request.user, statement=statement, members=ids
        )
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, str(exc.message))
        return _back_to(statement)
    messages.success(request, _("The commission of the statement is saved."))
    return _back_to(statement)


@login_required
@require_POST
def statement_sign(request, pk: int):
    statement = _statement_for(request, pk)
    try:
        statement = services.statement_sign(actor=request.user, statement=statement)
    except Conflict as exc:
        messages.error(request, str(exc.message))
        return _back_to(statement)
    messages.success(request, _("You signed the statement."))
    return _back_to(statement)


@login_required
@require_POST
def statement_lock(request, pk: int):
    statement = _statement_for(request, pk)
    try:
        services.statement_lock(actor=request.user, statement=statement)
    except Conflict as exc:
        messages.error(request, str(exc.message))
        return _back_to(statement)
    messages.success(request, _("The statement is locked; the final grades are recorded."))
    return _back_to(statement)


@login_required
@require_POST
def statement_correct(request, pk: int):
    statement = _statement_for(request, pk)
    try:
        services.statement_correct(
            actor=request.user,
            statement=statement,
            student=_student_from_post(request),
            field=request.POST.get("field", ""),
            value=request.POST.get("value", ""),
            reason=request.POST.get("reason", ""),
        )
    except (ValidationFailed, Conflict, NotFound) as exc:
        messages.error(request, str(exc.message))
        return _back_to(statement)
    messages.success(request, _("The correction is recorded."))
    return _back_to(statement)


@login_required
def statement_pdf(request, pk: int):
    from ..statement_pdf import LANGUAGES
    from ..statement_pdf import statement_pdf as render_pdf

    statement = _statement_for(request, pk)
    language = request.GET.get("lang", "")
    if language not in LANGUAGES:
        language = request.LANGUAGE_CODE if request.LANGUAGE_CODE in LANGUAGES else "kk"
    response = HttpResponse(
        render_pdf(statement, language=language), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="statement-{statement.number}-{language}.pdf"'
    )
    return response
