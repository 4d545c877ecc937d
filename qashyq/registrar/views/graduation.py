"""The graduation pages: a student's eligibility, a program's final attestation events (with the
forms to set them), the results of an event, and the graduates list with its exports and the
button that drafts the graduation order. Thin: parse, check the policy, call a service or a
selector, render. docs/subsystems/graduation.md.
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qashyq.core.errors import ApplicationError, PermissionDenied

from .. import access
from ..forms_graduation import AttestationEventForm, AttestationResultForm
from ..policies import graduation as policies
from ..selectors import graduation as selectors
from ..services import graduation as services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year_query(year) -> str:
    return f"?year={year.pk}" if year is not None else ""


def _form_errors(form, exc: ApplicationError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = False
    for name, message in details.items():
        if name in form.fields and message:
            form.add_error(name, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


# --- eligibility -----------------------------------------------------------------------------


@login_required
def graduation_index(request):
    """The managers' list of programs; a student goes to their own page."""
    if not policies.may_open_graduation(request.user):
        if selectors.own_profile(request.user) is not None:
            return redirect("registrar:graduation_mine")
        raise PermissionDenied(_("Only the registrar and program leaders manage graduation."))
    year = selectors.year_or_current(request.GET.get("year"))
    return render(
        request,
        "registrar/graduation/index.html",
        {
            "year": year,
            "years": selectors.academic_years(),
            "programs": selectors.programs_for(request.user),
        },
    )


@login_required
def graduation_mine(request):
    profile = selectors.own_profile(request.user)
    if profile is None:
        raise PermissionDenied(_("This page is for students."))
    return _eligibility_page(request, profile, own=True)


@login_required
def graduation_student(request, student_id: int):
    profile = access.profile_for(request.user, student_id, policies.can_view_eligibility)
    return _eligibility_page(request, profile, own=request.user.pk == student_id)


def _eligibility_page(request, profile, *, own: bool):
    eligibility = selectors.graduation_check(profile.user_id, profile=profile)
    show_events = policies.can_view_events(request.user, profile.program, profile if own else None)
    return render(
        request,
        "registrar/graduation/eligibility.html",
        {
            "profile": profile,
            "eligibility": eligibility,
            "own": own,
            "show_events": show_events,
            "can_manage": policies.can_manage_attestation(request.user, profile.program),
        },
    )


# --- events ----------------------------------------------------------------------------------


@login_required
def attestation_events(request, program_id: int):
    program = selectors.program(program_id)
    own = selectors.own_profile(request.user)
    if not policies.can_view_events(request.user, program, own):
        raise PermissionDenied(_("You may not see the final attestation of this program."))
    year = selectors.year_or_current(request.GET.get("year"))
    events = selectors.events_of(program, year)
    results = {}
    if own is not None and own.program_id == program.pk:
        results = selectors.results_of_student(own.user_id, events)
    can_manage = policies.can_manage_attestation(request.user, program)
    now = timezone.now()
    return render(
        request,
        "registrar/graduation/events.html",
        {
            "program": program,
            "year": year,
            "years": selectors.academic_years(),
            "rows": [
                {"event": e, "result": results.get(e.pk), "editable": e.starts_at > now}
                for e in events
            ],
            "can_manage": can_manage,
            "can_see_graduates": can_manage,
        },
    )


@login_required
def attestation_event_create(request, program_id: int):
    program = selectors.program(program_id)
    if not policies.can_manage_attestation(request.user, program):
        raise PermissionDenied(_("You may not set the final attestation of this program."))
    year = selectors.year_or_current(request.GET.get("year") or request.POST.get("year"))
    form = AttestationEventForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and year is not None:
            try:
                services.attestation_event_create(
                    actor=request.user,
                    program_id=program.pk,
                    academic_year_id=year.pk,
                    **form.cleaned_data,
                )
            except ApplicationError as exc:
                _form_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The final attestation event is saved."))
                return redirect(
                    reverse("registrar:attestation_events", args=[program.pk]) + _year_query(year)
                )
        elif year is None:
            form.add_error(None, _("No academic year is current; choose one."))
    return render(
        request,
        "registrar/graduation/event_form.html",
        {"program": program, "year": year, "form": form, "event": None},
        status=status,
    )


@login_required
def attestation_event_edit(request, pk: int):
    event = selectors.event(pk)
    if not policies.can_manage_attestation(request.user, event.program):
        raise PermissionDenied(_("You may not set the final attestation of this program."))
    initial = {
        "kind": event.kind,
        "format": event.format,
        "starts_at": timezone.localtime(event.starts_at),
        "place": event.place,
        "commission": event.commission,
    }
    form = AttestationEventForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.attestation_event_update(
                    actor=request.user, event_id=event.pk, **form.cleaned_data
                )
            except ApplicationError as exc:
                _form_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The final attestation event is saved."))
                return redirect(
                    reverse("registrar:attestation_events", args=[event.program_id])
                    + _year_query(event.academic_year)
                )
    return render(
        request,
        "registrar/graduation/event_form.html",
        {
            "program": event.program,
            "year": event.academic_year,
            "form": form,
            "event": event,
            "started": event.starts_at <= timezone.now(),
        },
        status=status,
    )


# --- results ---------------------------------------------------------------------------------


def _mark(value) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _results_page(request, event, *, error=None, student_id=None, values=None, status=200):
    rows = []
    for row in selectors.event_results(event):
        sid = row.profile.user_id
        typed = values if sid == student_id and values is not None else None
        rows.append(
            {
                "profile": row.profile,
                "result": row.result,
                "error": error if sid == student_id else "",
                "percent": typed["percent"]
                if typed
                else _mark(getattr(row.result, "percent", None)),
                "reason": typed["reason"] if typed else "",
            }
        )
    return render(
        request,
        "registrar/graduation/results.html",
        {"event": event, "rows": rows, "started": event.starts_at <= timezone.now()},
        status=status,
    )


@login_required
def attestation_results(request, pk: int):
    event = selectors.event(pk)
    if not policies.can_manage_attestation(request.user, event.program):
        raise PermissionDenied(_("You may not see the results of this attestation."))
    return _results_page(request, event)


@login_required
@require_POST
def attestation_result_record(request, pk: int, student_id: int):
    event = selectors.event(pk)
    if not policies.can_manage_attestation(request.user, event.program):
        raise PermissionDenied(_("You may not record results of this attestation."))
    form = AttestationResultForm(request.POST)
    data = {
        "percent": request.POST.get("percent", "")[:20],
        "reason": request.POST.get("reason", ""),
    }
    if not form.is_valid():  # only too long a text; the service judges the values
        message = next(iter(form.errors.values()))[0]
        return _results_page(
            request, event, error=message, student_id=student_id, values=data, status=400
        )
    try:
        result = services.attestation_result_record(
            actor=request.user,
            event_id=event.pk,
            student_id=student_id,
            percent=form.cleaned_data["percent"],
            reason=form.cleaned_data["reason"],
        )
    except PermissionDenied:
        raise
    except ApplicationError as exc:
        return _results_page(
            request,
            event,
            error=str(exc.message),
            student_id=student_id,
            values=data,
            status=exc.status,
        )
    messages.success(
        request,
        _("Saved: %(name)s, %(percent)s%% (%(letter)s).")
        % {
            "name": result.student.full_name,
            "percent": _mark(result.percent),
            "letter": result.letter,
        },
    )
    return redirect(reverse("registrar:attestation_results", args=[event.pk]) + f"#s-{student_id}")


# --- graduates -------------------------------------------------------------------------------


def _graduates_context(request, program_id: int):
    program = selectors.program(program_id)
    if not policies.can_manage_attestation(request.user, program):
        raise PermissionDenied(_("You may not see the graduates of this program."))
    year = selectors.year_or_current(request.GET.get("year"))
    return program, year, selectors.graduates(program, year)


@login_required
def graduation_graduates(request, program_id: int):
    program, year, rows = _graduates_context(request, program_id)
    return render(
        request,
        "registrar/graduation/graduates.html",
        {
            "program": program,
            "year": year,
            "years": selectors.academic_years(),
            "rows": rows,
            "eligible_count": sum(1 for r in rows if r.eligible),
            "orderable_count": sum(1 for r in rows if r.eligible and r.order_line is None),
            "can_draft_order": policies.can_draft_graduation_order(request.user, program),
        },
    )


@login_required
def graduation_graduates_export(request, program_id: int, fmt: str):
    program, year, rows = _graduates_context(request, program_id)
    header, table = selectors.graduates_table(rows)
    name = f"graduates-{program.code}-{year.title if year else 'none'}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(table)
        # a BOM so that spreadsheet programs read the Kazakh letters as UTF-8
        response = HttpResponse("\ufeff" + buffer.getvalue(), "text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "graduates"
        sheet.append(header)
        for line in table:
            sheet.append(line)
        output = io.BytesIO()
        workbook.save(output)
        response = HttpResponse(output.getvalue(), XLSX)
        fmt = "xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_POST
def graduation_order_draft(request, program_id: int):
    year = selectors.year_or_current(request.POST.get("year"))
    back = reverse("registrar:graduation_graduates", args=[program_id]) + _year_query(year)
    try:
        order = services.graduation_order_draft(
            actor=request.user,
            program_id=program_id,
            academic_year_id=year.pk if year else None,
        )
    except PermissionDenied:
        raise
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect(back)
    messages.success(
        request,
        _("A draft graduation order with %(count)s students is created.")
        % {"count": order.lines.count()},
    )
    return redirect(back)
