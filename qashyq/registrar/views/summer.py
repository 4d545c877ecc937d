"""Pages of academic debts and the summer semester (docs/subsystems/summer.md). Thin: parse,
check the policy, call one service or selector, render. A refused action (a bad date, the cap,
a closed window) comes back as a message on the page it was sent from; a denied one is a 403
page (qashyq.core.middleware.ApplicationErrorMiddleware).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qashyq.accounts.selectors import children_of
from qashyq.core.errors import ApplicationError, PermissionDenied, ValidationFailed

from .. import access, policies
from ..forms_summer import (
    DebtorFilterForm,
    RegisterForm,
    SummerCourseForm,
    SummerOpenForm,
    SummerTermsForm,
)
from ..policies import summer as summer_policies
from ..selectors import summer as selectors
from ..services import summer as services

PAGE_SIZE = 50


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _refused(request, exc: ApplicationError) -> None:
    if isinstance(exc, PermissionDenied):
        raise exc
    messages.error(request, str(exc.message))


# --- debts ---------------------------------------------------------------------------------------


@login_required
@require_GET
def my_debts(request):
    profile = access.profile_for(request.user, request.user.pk, summer_policies.can_view_debts)
    return _render_debts(request, profile)


@login_required
@require_GET
def student_debts(request, student_id: int):
    profile = access.profile_for(request.user, student_id, summer_policies.can_view_debts)
    return _render_debts(request, profile)


def _render_debts(request, profile):
    debts = selectors.academic_debts(profile.user_id)
    is_self = request.user.pk == profile.user_id
    return render(
        request,
        "registrar/summer/debts.html",
        {
            "profile": profile,
            "debts": debts,
            "is_self": is_self,
            "credits": sum(d.credits for d in debts),
            "summers": selectors.open_summers() if is_self and debts else [],
        },
    )


@login_required
@require_GET
def children_debts(request):
    """A parent's linked children, each with a link to the child's debts."""
    return render(
        request, "registrar/summer/children.html", {"children": children_of(request.user)}
    )


@login_required
@require_GET
def debtors_list(request):
    if not summer_policies.can_list_debtors(request.user):
        raise PermissionDenied(_("Only the registrar sees the students with debts."))
    faculty_ids = policies.registrar_faculty_ids(request.user)
    choices = selectors.filter_choices(faculty_ids)
    form = DebtorFilterForm(request.GET or None, choices=choices)
    filters = selectors.DebtorFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.DebtorFilters(
            faculty_id=form.cleaned_data["faculty"],
            program_id=form.cleaned_data["program"],
            group_id=form.cleaned_data["group"],
        )
    profiles, counts = selectors.debtors(faculty_ids=faculty_ids, filters=filters)
    page = Paginator(profiles, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registrar/summer/debtors.html",
        {
            "form": form,
            "page": page,
            "rows": selectors.debtor_rows(page.object_list, counts),
            "query": query.urlencode(),
        },
    )


# --- the registrar: opening and running the summer semester --------------------------------------


def _require_manager(user) -> None:
    if not summer_policies.can_manage_summer(user):
        raise PermissionDenied(_("Only the registrar manages the summer semester."))


@login_required
@require_GET
def summer_list(request):
    _require_manager(request.user)
    periods = selectors.summer_periods_to_open()
    return render(
        request,
        "registrar/summer/list.html",
        {
            "summers": [(s, selectors.is_open(s)) for s in selectors.summer_semesters()],
            "form": SummerOpenForm(periods=periods) if periods else None,
        },
    )


@login_required
@require_POST
def summer_open(request):
    _require_manager(request.user)
    periods = selectors.summer_periods_to_open()
    form = SummerOpenForm(request.POST, periods=periods)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("registrar:summer_list")
    period = next(p for p in periods if p.pk == form.cleaned_data["period"])
    try:
        summer = services.summer_open(
            actor=request.user,
            period=period,
            opens_on=form.cleaned_data["registration_opens_on"],
            closes_on=form.cleaned_data["registration_closes_on"],
            credit_cap=form.cleaned_data["credit_cap"],
        )
    except ApplicationError as exc:
        _refused(request, exc)
        return redirect("registrar:summer_list")
    messages.success(request, _("Summer registration is set up."))
    return redirect("registrar:summer_detail", summer.pk)


@login_required
@require_http_methods(["GET", "POST"])
def summer_edit(request, summer_id: int):
    _require_manager(request.user)
    summer = selectors.summer_semester(summer_id)
    if request.method == "POST":
        form = SummerTermsForm(request.POST)
        if form.is_valid():
            try:
                services.summer_update(
                    actor=request.user,
                    summer=summer,
                    opens_on=form.cleaned_data["registration_opens_on"],
                    closes_on=form.cleaned_data["registration_closes_on"],
                    credit_cap=form.cleaned_data["credit_cap"],
                )
            except ApplicationError as exc:
                _refused(request, exc)
            else:
                messages.success(request, _("Summer registration is changed."))
                return redirect("registrar:summer_detail", summer.pk)
        else:
            messages.error(request, _form_errors(form))
    else:
        form = SummerTermsForm(
            initial={
                "registration_opens_on": summer.registration_opens_on,
                "registration_closes_on": summer.registration_closes_on,
                "credit_cap": summer.credit_cap,
            }
        )
    return render(
        request,
        "registrar/summer/edit.html",
        {"summer": summer, "form": form, "editable": selectors.is_editable(summer)},
    )


@login_required
@require_GET
def summer_detail(request, summer_id: int):
    _require_manager(request.user)
    summer = selectors.summer_semester(summer_id)
    tutors = selectors.tutors()
    groups = selectors.summer_overview(summer)
    return render(
        request,
        "registrar/summer/detail.html",
        {
            "summer": summer,
            "is_open": selectors.is_open(summer),
            "editable": selectors.is_editable(summer),
            "groups": [
                (
                    group,
                    summer_policies.can_create_summer_course(request.user, group.discipline),
                    SummerCourseForm(
                        initial={"discipline": group.discipline.pk},
                        tutors=tutors,
                        auto_id=f"id_{group.discipline.pk}_%s",
                    ),
                )
                for group in groups
            ],
        },
    )


@login_required
@require_POST
def summer_course(request, summer_id: int):
    _require_manager(request.user)
    summer = selectors.summer_semester(summer_id)
    tutors = selectors.tutors()
    form = SummerCourseForm(request.POST, tutors=tutors)
    back = reverse("registrar:summer_detail", args=[summer.pk])
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(back)
    chosen = [t for t in tutors if t.pk in set(form.cleaned_data["tutors"])]
    try:
        discipline = selectors.discipline(form.cleaned_data["discipline"])
        offering, enrolled = services.summer_course_create(
            actor=request.user,
            summer=summer,
            discipline=discipline,
            language=form.cleaned_data["language"],
            tutors=chosen,
        )
    except ApplicationError as exc:
        _refused(request, exc)
        return redirect(back)
    messages.success(
        request,
        _("The summer course %(course)s is ready: %(count)s students enrolled now.")
        % {"course": offering.discipline.code, "count": enrolled},
    )
    return redirect(back)


# --- the student: registering and cancelling ----------------------------------------------------


@login_required
@require_GET
def summer_mine(request):
    profile = access.profile_for(request.user, request.user.pk, summer_policies.can_view_debts)
    blocks = []
    for summer in selectors.visible_summers():
        is_open = selectors.is_open(summer)
        blocks.append(
            {
                "summer": summer,
                "is_open": is_open,
                "choices": selectors.registration_choices(profile, summer),
            }
        )
    return render(
        request,
        "registrar/summer/mine.html",
        {"profile": profile, "blocks": blocks},
    )


@login_required
@require_POST
def summer_register(request, summer_id: int):
    summer = selectors.summer_semester(summer_id)
    form = RegisterForm(request.POST)
    back = reverse("registrar:summer_mine")
    try:
        if not form.is_valid():
            raise ValidationFailed(_form_errors(form))
        discipline = selectors.discipline(form.cleaned_data["discipline"])
        registration = services.summer_register(
            actor=request.user,
            summer=summer,
            discipline=discipline,
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as exc:
        _refused(request, exc)
        return redirect(back)
    messages.success(
        request,
        _("You are registered for %(discipline)s (%(credits)s credits).")
        % {"discipline": registration.discipline.name, "credits": registration.credits},
    )
    return redirect(back)


@login_required
@require_POST
def summer_cancel(request, registration_id: int):
    back = reverse("registrar:summer_mine")
    try:
        registration = selectors.registration(registration_id)
        if registration.student_id != request.user.pk:
            raise PermissionDenied(_("Only the student cancels their own registration."))
        services.summer_cancel(actor=request.user, registration=registration)
    except ApplicationError as exc:
        _refused(request, exc)
        return redirect(back)
    messages.success(request, _("The registration is cancelled."))
    return redirect(back)
