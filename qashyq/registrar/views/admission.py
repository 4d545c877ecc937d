"""Pages of admission to distance study and of rector's orders. Thin: parse, check the policy,
call one service or selector, render. An ApplicationError from a service becomes a message on the
page it came from (the service has changed nothing).

Applicant: ``admission_mine`` (their applications and order extracts), ``admission_new``,
``admission_detail`` with its forms (edit, documents, submit, withdraw).
Committee: ``admission_queue``, ``admission_detail`` (decide; the registrar records a contract).
Registrar / rector: ``order_list``, ``order_new``, ``order_detail`` (edit, delete, register),
``order_pdf`` (a student named in a registered order gets an extract with their line only).
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qashyq.academics.models import DistanceGround
from qashyq.core.errors import ApplicationError, PermissionDenied, ValidationFailed

from .. import contracts, order_pdf
from ..forms_admission import (
    ApplicationForm,
    ContractForm,
    DecisionForm,
    DocumentForm,
    OrderRegisterForm,
    PreambleForm,
    WithdrawForm,
)
from ..models import ApplicationStatus, DocumentKind, OrderKind, OrderStatus
from ..policies import admission as policies
from ..selectors import admission as selectors
from ..services import admission as services
from ..services import orders as order_services


def _form_errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _plan_url(plan) -> str:
    return reverse("registrar:iup_plan", args=[plan.pk]) if plan is not None else ""


# --- the applicant -------------------------------------------------------------------------------


@login_required
def admission_mine(request):
    return render(
        request,
        "registrar/admission/mine.html",
        {
            "applications": selectors.applications_of(request.user),
            "open_application": selectors.open_application_of(request.user),
            "orders": selectors.orders_of_student(request.user),
            "can_review": policies.can_review_applications(request.user),
            "can_view_orders": policies.can_view_orders(request.user),
        },
    )


def _criteria(program) -> str:
    return selectors.admission_criteria(program) if program is not None else ""


@login_required
def admission_new(request):
    if not policies.can_file_application(request.user):
        raise PermissionDenied(_("Sign in to file an application."))
    programs = selectors.programs_for_application(request.user)
    profile = selectors.student_profile_of(request.user)
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST, programs=programs)
        if form.is_valid():
            try:
                application = services.application_create(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                messages.error(request, str(exc.message))
                status = exc.status
            else:
                messages.success(
                    request,
                    _("Your application is saved as a draft. Attach the documents and submit it."),
                )
                return redirect("registrar:admission_detail", pk=application.pk)
        else:
            status = 400
    else:
        initial = {"funding": profile.funding} if profile is not None else {}
        program_id = request.GET.get("program", "")
        if program_id.isdigit():
            initial["program"] = int(program_id)
        form = ApplicationForm(initial=initial, programs=programs)
    chosen = form["program"].value()
    program = programs.filter(pk=chosen).first() if str(chosen or "").isdigit() else None
    if program is None and programs.count() == 1:
        program = programs.first()
    return render(
        request,
        "registrar/admission/new.html",
        {
            "form": form,
            "programs": programs,
            "program": program,
            "criteria": _criteria(program),
            "profile": profile,
            "required": [
                (DistanceGround(ground).label, [DocumentKind(k).label for k in kinds])
                for ground, kinds in services.REQUIRED_DOCUMENTS.items()
            ],
        },
        status=status,
    )


def _application_for(request, pk: int):
    application = selectors.application_for_page(pk)
    if not policies.can_view_application(request.user, application):
        raise PermissionDenied(_("You may not see this application."))
    return application


@login_required
def admission_detail(request, pk: int):
    application = _application_for(request, pk)
    user = request.user
    is_draft = application.status == ApplicationStatus.DRAFT
    can_edit = is_draft and policies.can_edit_application(user, application)
    can_decide = application.status == ApplicationStatus.SUBMITTED and (
        policies.can_decide_application(user, application)
    )
    needs_contract = contracts.needs_contract(application)
    return render(
        request,
        "registrar/admission/detail.html",
        {
            "application": application,
            "documents": list(application.documents.all()),
            "criteria": _criteria(application.program),
            "program_name": selectors.program_name(application.program),
            "required": [
                {"kind": kind, "label": DocumentKind(kind).label}
                for kind in services.required_documents(application)
            ],
            "missing": services.missing_documents(application) if is_draft else [],
            "plan_url": _plan_url(application.draft_plan),
            "can_edit": can_edit,
            "can_withdraw": application.status
            in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED)
            and policies.can_withdraw_application(user, application),
            "can_decide": can_decide,
            "can_start_plan": application.draft_plan_id is None
            and application.status
            in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED)
            and (
                policies.can_edit_application(user, application)
                or policies.can_decide_application(user, application)
            ),
            "needs_contract": needs_contract,
            "contract": contracts.contract_of(application),
            "contract_ok": contracts.contract_ok(application),
            "can_record_contract": needs_contract
            and application.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED)
            and policies.can_record_contract(user, application),
            "orders": selectors.application_orders(application),
            "can_view_orders": policies.can_view_orders(user),
            "form": ApplicationForm(
                initial={
                    "program": application.program_id,
                    "ground": application.ground,
                    "disability_group": application.disability_group,
                    "funding": application.funding,
                    "statement": application.statement,
                },
                programs=selectors.programs_for_application(application.applicant),
            )
            if can_edit
            else None,
            "document_form": DocumentForm() if can_edit else None,
            "decision_form": DecisionForm() if can_decide else None,
            "contract_form": ContractForm(
                initial={
                    "contract_number": application.contract_number,
                    "contract_signed_on": application.contract_signed_on,
                }
            ),
            "withdraw_form": WithdrawForm(),
        },
    )


def _back(pk: int):
    return redirect("registrar:admission_detail", pk=pk)


def _call(request, call, success: str, back):
    """Call a service; its error becomes a message. Answer ``back`` either way."""
    try:
        call()
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, success)
    return back


def _run(request, pk: int, call, success: str):
    """Call a service, then back to the application."""
    return _call(request, call, success, _back(pk))


@login_required
@require_POST
def admission_edit(request, pk: int):
    application = _application_for(request, pk)
    form = ApplicationForm(
        request.POST, programs=selectors.programs_for_application(application.applicant)
    )
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(pk)
    return _run(
        request,
        pk,
        lambda: services.application_update(
            actor=request.user, application=application, **form.cleaned_data
        ),
        _("The application is saved."),
    )


@login_required
@require_POST
def admission_document_add(request, pk: int):
    application = _application_for(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(pk)
    return _run(
        request,
        pk,
        lambda: services.application_add_document(
            actor=request.user,
            application=application,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
        ),
        _("The document is attached."),
    )


@login_required
@require_POST
def admission_document_remove(request, pk: int, document_pk: int):
    _application_for(request, pk)
    document = selectors.document_for_download(pk, document_pk)
    return _run(
        request,
        pk,
        lambda: services.application_remove_document(actor=request.user, document=document),
        _("The document is removed."),
    )


@login_required
def admission_document(request, pk: int, document_pk: int):
    """Download a document: the applicant and the committee only."""
    _application_for(request, pk)
    document = selectors.document_for_download(pk, document_pk)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def admission_submit(request, pk: int):
    application = _application_for(request, pk)
    return _run(
        request,
        pk,
        lambda: services.application_submit(actor=request.user, application=application),
        _("The application is sent to the admission committee."),
    )


@login_required
@require_POST
def admission_withdraw(request, pk: int):
    application = _application_for(request, pk)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _run(
        request,
        pk,
        lambda: services.application_withdraw(
            actor=request.user, application=application, reason=reason
        ),
        _("The application is withdrawn."),
    )


@login_required
@require_POST
def admission_start_plan(request, pk: int):
    application = _application_for(request, pk)
    return _run(
        request,
        pk,
        lambda: services.application_start_plan(actor=request.user, application=application),
        _("The draft individual study plan is started."),
    )


@login_required
@require_POST
def admission_decide(request, pk: int):
    application = _application_for(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(pk)
    note = form.cleaned_data["note"]
    if form.cleaned_data["decision"] == "approve":
        return _run(
            request,
            pk,
            lambda: services.application_approve(
                actor=request.user, application=application, note=note
            ),
            _("The application is approved."),
        )
    return _run(
        request,
        pk,
        lambda: services.application_reject(
            actor=request.user, application=application, reason=note
        ),
        _("The application is rejected."),
    )


@login_required
@require_POST
def admission_contract(request, pk: int):
    application = _application_for(request, pk)
    if not policies.can_record_contract(request.user, application):
        raise PermissionDenied(_("Only the registrar records contracts."))
    form = ContractForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(pk)
    return _run(
        request,
        pk,
        lambda: services.application_record_contract(
            actor=request.user,
            application=application,
            number=form.cleaned_data["contract_number"],
            signed_on=form.cleaned_data["contract_signed_on"],
        ),
        _("The contract is recorded."),
    )


# --- the admission committee ---------------------------------------------------------------------

QUEUE_STATUSES = [
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.APPROVED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.WITHDRAWN,
    ApplicationStatus.ORDERED,
]


@login_required
def admission_queue(request):
    if not policies.can_review_applications(request.user):
        raise PermissionDenied(_("The queue is for the admission committee."))
    status = request.GET.get("status", ApplicationStatus.SUBMITTED)
    if status not in QUEUE_STATUSES and status != "all":
        status = ApplicationStatus.SUBMITTED
    applications = selectors.application_queue(None if status == "all" else status)
    return render(
        request,
        "registrar/admission/queue.html",
        {
            "applications": applications,
            "status": status,
            "statuses": [(s.value, s.label) for s in QUEUE_STATUSES],
            "can_draft_orders": policies.can_draft_orders(request.user),
        },
    )


# --- orders --------------------------------------------------------------------------------------


@login_required
def order_list(request):
    if not policies.can_view_orders(request.user):
        raise PermissionDenied(_("Rector's orders are for the rector's office and the registrar."))
    kind = request.GET.get("kind", "")
    return render(
        request,
        "registrar/orders/list.html",
        {
            "orders": selectors.orders_list(kind or None),
            "kind": kind,
            "kinds": OrderKind.choices,
            "can_draft": policies.can_draft_orders(request.user),
        },
    )


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


@login_required
def order_new(request):
    """A new admission order from approved applications the registrar ticks."""
    if not policies.can_draft_orders(request.user):
        raise PermissionDenied(_("Only the registrar drafts rector's orders."))
    status = 200
    form = PreambleForm(request.POST or None)
    chosen: list[int] = []
    if request.method == "POST":
        chosen = _ids(request.POST.getlist("applications"))
        if not chosen:
            messages.error(request, _("Tick at least one approved application."))
            status = 400
        elif form.is_valid():
            applications = selectors.applications_by_ids(chosen)
            lines = [
                order_services.OrderLineSpec(student=a.applicant, application=a)
                for a in applications
            ]
            try:
                if len(applications) != len(set(chosen)):
                    raise ValidationFailed(_("Some of the applications no longer exist."))
                order = order_services.order_create_draft(
                    actor=request.user,
                    kind=OrderKind.DLT_ADMISSION,
                    lines=lines,
                    preamble=form.cleaned_data["preamble"],
                )
            except ApplicationError as exc:
                messages.error(request, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("The draft order is created."))
                return redirect("registrar:order_detail", pk=order.pk)
        else:
            status = 400
    candidates = selectors.approved_for_order()
    return render(
        request,
        "registrar/orders/new.html",
        {
            "form": form,
            "candidates": [
                {
                    "application": a,
                    "contract_ok": contracts.contract_ok(a),
                    "program": selectors.program_name(a.program),
                    "ground": selectors.ground_label(a.ground),
                }
                for a in candidates
            ],
            "chosen": set(chosen),
        },
        status=status,
    )


def _order_for(request, pk: int):
    order = selectors.order_for_page(pk)
    if not policies.can_view_order(request.user, order):
        raise PermissionDenied(_("You may not see this order."))
    return order


@login_required
def order_detail(request, pk: int):
    order = _order_for(request, pk)
    is_draft = order.status == OrderStatus.DRAFT
    can_draft = is_draft and policies.can_draft_orders(request.user)
    return render(
        request,
        "registrar/orders/detail.html",
        {
            "order": order,
            "rows": selectors.order_rows(order),
            "preamble": order_pdf.preamble_of(order, request.LANGUAGE_CODE),
            "can_edit": can_draft,
            "can_register": is_draft and policies.can_register_order(request.user, order),
            "preamble_form": PreambleForm(initial={"preamble": order.preamble}),
            "register_form": OrderRegisterForm(),
            "languages": order_pdf.LANGUAGES,
        },
    )


def _order_back(pk: int):
    return redirect("registrar:order_detail", pk=pk)


def _run_order(request, pk: int, call, success: str):
    """Call a service, then back to the order."""
    return _call(request, call, success, _order_back(pk))


@login_required
@require_POST
def order_edit(request, pk: int):
    order = _order_for(request, pk)
    form = PreambleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _order_back(pk)
    return _run_order(
        request,
        pk,
        lambda: order_services.order_update_draft(
            actor=request.user, order=order, preamble=form.cleaned_data["preamble"]
        ),
        _("The draft is saved."),
    )


@login_required
@require_POST
def order_remove_line(request, pk: int):
    order = _order_for(request, pk)
    student_ids = _ids([request.POST.get("student", "")])
    return _run_order(
        request,
        pk,
        lambda: order_services.order_remove_line(
            actor=request.user, order=order, student_id=student_ids[0] if student_ids else 0
        ),
        _("The student is taken out of the draft."),
    )


@login_required
@require_POST
def order_delete(request, pk: int):
    order = _order_for(request, pk)
    try:
        order_services.order_delete_draft(actor=request.user, order=order)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return _order_back(pk)
    messages.success(request, _("The draft order is deleted."))
    return redirect("registrar:order_list")


@login_required
@require_POST
def order_register(request, pk: int):
    order = _order_for(request, pk)
    form = OrderRegisterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _order_back(pk)
    return _run_order(
        request,
        pk,
        lambda: order_services.order_register(actor=request.user, order=order, **form.cleaned_data),
        _("The order is registered."),
    )


@login_required
def order_pdf_view(request, pk: int):
    """The order as a PDF; a student named in a registered order gets an extract (their line)."""
    order = selectors.order_for_page(pk)
    student_ids = selectors.order_student_ids(order)
    if not policies.can_view_order_extract(request.user, order, student_ids):
        raise PermissionDenied(_("You may not see this order."))
    only = None if policies.can_view_order(request.user, order) else request.user.pk
    language = order_pdf.language_of(request.GET.get("lang"))
    response = HttpResponse(
        order_pdf.order_pdf(order, language=language, only_student_id=only), "application/pdf"
    )
    number = re.sub(r"[^A-Za-z0-9-]+", "-", order.number or str(order.pk)).strip("-")
    name = f"order-{number or order.pk}-{language}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
