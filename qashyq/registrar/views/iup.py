"""The study-plan pages: a program's study plan, the student's individual plan (IUP) with its
electives and submission, the approval queue and decision, the registrar's enrolment run and
the student's individual schedule. Thin: parse, check the policy, call one service or selector,
render; an ApplicationError from a service becomes a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qashyq.core.errors import ApplicationError, PermissionDenied

from .. import policies as registrar_policies
from ..forms_iup import DecisionForm, ElectivesForm, EnrolProgramForm, ReopenForm, StartForm
from ..models import PlanStatus
from ..policies import iup as policies
from ..selectors import iup as selectors
from ..services import iup as services


def _plan_for(user, plan_id: int, allowed=policies.can_view_plan):
    """The plan when ``allowed``; anyone who may not see it gets the same 403 as for no such
    plan (nothing leaks)."""
    try:
        plan = selectors.plan_for_page(plan_id)
    except ApplicationError:
        raise PermissionDenied(_("You may not see this study plan.")) from None
    if not allowed(user, plan):
        raise PermissionDenied(_("You may not see this study plan."))
    return plan


def _back(plan):
    return redirect(reverse("registrar:iup_plan", args=[plan.pk]))


@login_required
def iup_program_plan(request, program_id: int):
    try:
        program = selectors.program_for_page(program_id)
    except ApplicationError:
        raise PermissionDenied(_("You may not see this study plan.")) from None
    if not policies.can_view_study_plan(request.user, program):
        raise PermissionDenied(_("You may not see this study plan."))
    return render(
        request,
        "registrar/iup/program_plan.html",
        {"program": program, "terms": selectors.program_study_plan(program)},
    )


@login_required
def iup_mine(request):
    """The student's plans: the current and next year's (with a button to start one) and the
    earlier ones."""
    profile = selectors.student_profile_of(request.user.pk)
    plans = selectors.plans_of_student(request.user.pk)
    by_year = {plan.academic_year_id: plan for plan in plans}
    startable = [y for y in selectors.plan_years() if y.pk not in by_year]
    return render(
        request,
        "registrar/iup/mine.html",
        {
            "profile": profile,
            "plans": plans,
            "startable": startable if profile is not None else [],
        },
    )


@login_required
@require_POST
def iup_start(request):
    profile = selectors.student_profile_of(request.user.pk)
    years = selectors.plan_years()
    form = StartForm(request.POST, years=years)
    if profile is None or not form.is_valid():
        messages.error(request, _("Choose an academic year to draw up a plan for."))
        return redirect("registrar:iup_mine")
    year = form.cleaned_data["year"]
    current = selectors.current_year()
    year_of_study = profile.year_of_study + (0 if current and year.pk == current.pk else 1)
    try:
        plan = services.iup_start(
            actor=request.user,
            student=request.user,
            academic_year=year,
            program=profile.program,
            year_of_study=year_of_study,
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("registrar:iup_mine")
    return _back(plan)


def _plan_page(request, plan, *, status: int = 200, electives_form=None):
    summary = selectors.plan_summary(plan)
    user = request.user
    can_edit = policies.can_edit_plan(user, plan)
    return render(
        request,
        "registrar/iup/plan.html",
        {
            "plan": plan,
            "summary": summary,
            "can_edit": can_edit,
            "can_decide": policies.can_decide_plan(user, plan)
            and plan.status == PlanStatus.SUBMITTED,
            "can_reopen": policies.can_reopen_plan(user, plan)
            and plan.status == PlanStatus.APPROVED,
            "can_enrol": policies.can_decide_plan(user, plan)
            and plan.status == PlanStatus.APPROVED,
            "is_own": policies.is_own(user, plan),
            "electives_form": electives_form,
        },
        status=status,
    )


@login_required
def iup_plan(request, plan_id: int):
    plan = _plan_for(request.user, plan_id)
    return _plan_page(request, plan)


@login_required
@require_POST
def iup_electives(request, plan_id: int):
    plan = _plan_for(request.user, plan_id)
    form = ElectivesForm(request.POST, plan=plan, terms=selectors.terms_of(plan.year_of_study))
    if not form.is_valid():
        messages.error(request, _("Choose electives from the list."))
        return _plan_page(request, plan, status=400, electives_form=form)
    try:
        services.iup_set_electives(
            actor=request.user, plan=plan, entries=form.cleaned_data["entries"]
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return _plan_page(request, selectors.plan_for_page(plan.pk), status=exc.status)
    messages.success(request, _("The electives are saved."))
    return _back(plan)


@login_required
@require_POST
def iup_submit(request, plan_id: int):
    plan = _plan_for(request.user, plan_id)
    try:
        summary = services.iup_submit(actor=request.user, plan=plan)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return _plan_page(request, selectors.plan_for_page(plan.pk), status=exc.status)
    messages.success(request, _("The plan is sent to the program leader for approval."))
    if summary.under_minimum:
        messages.warning(
            request,
            _("The plan has %(credits)s credits, fewer than the %(minimum)s expected in a year.")
            % {"credits": summary.total, "minimum": summary.limits.min_credits_per_year},
        )
    return _back(plan)


@login_required
@require_POST
def iup_decide(request, plan_id: int):
    plan = _plan_for(request.user, plan_id, policies.can_decide_plan)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return _back(plan)
    note = form.cleaned_data["note"]
    try:
        if form.cleaned_data["decision"] == "approve":
            result = services.iup_approve(actor=request.user, plan=plan, note=note)
        else:
            services.iup_return(actor=request.user, plan=plan, note=note)
            result = None
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return _back(plan)
    if result is None:
        messages.success(request, _("The plan is returned to the student."))
    else:
        messages.success(
            request,
            _("The plan is approved; enrolled in %(count)s course(s).")
            % {"count": len(result.enrolled)},
        )
        if result.missing:
            messages.warning(
                request,
                _("No course offering yet for: %(codes)s.")
                % {"codes": ", ".join(i.discipline.code for i in result.missing)},
            )
    if request.POST.get("next") == "queue":
        return redirect("registrar:iup_queue")
    return _back(plan)


@login_required
@require_POST
def iup_reopen(request, plan_id: int):
    plan = _plan_for(request.user, plan_id, policies.can_reopen_plan)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the plan is reopened."))
        return _back(plan)
    try:
        services.iup_reopen(actor=request.user, plan=plan, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return _back(plan)
    messages.success(request, _("The plan is reopened; the student may change it again."))
    return _back(plan)


@login_required
@require_POST
def iup_enrol(request, plan_id: int):
    plan = _plan_for(request.user, plan_id, policies.can_decide_plan)
    try:
        result = services.iup_enrol(actor=request.user, plan=plan)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return _back(plan)
    messages.success(
        request, _("Enrolled in %(count)s course(s).") % {"count": len(result.enrolled)}
    )
    if result.missing:
        messages.warning(
            request,
            _("No course offering yet for: %(codes)s.")
            % {"codes": ", ".join(i.discipline.code for i in result.missing)},
        )
    return _back(plan)


@login_required
def iup_schedule(request, plan_id: int):
    plan = _plan_for(request.user, plan_id)
    return render(
        request,
        "registrar/iup/schedule.html",
        {"plan": plan, "schedule": selectors.individual_schedule(plan)},
    )


@login_required
def iup_queue(request):
    if not policies.can_see_queue(request.user):
        raise PermissionDenied(_("Only the program leader and the registrar approve plans."))
    years = selectors.academic_years()
    year_id = request.GET.get("year", "")
    year = next((y for y in years if str(y.pk) == year_id), None)
    plans = selectors.approval_queue(policies.plans_filter(request.user), year=year)
    return render(
        request,
        "registrar/iup/queue.html",
        {"plans": plans, "years": years, "year": year, "limit": selectors.QUEUE_LIMIT},
    )


@login_required
def iup_enrol_program(request):
    if not policies.can_run_enrolment(request.user):
        raise PermissionDenied(_("Only the registrar runs the enrolment of a program."))
    programs = selectors.programs_of_faculties(
        registrar_policies.registrar_faculty_ids(request.user)
    )
    result = None
    status = 200
    if request.method == "POST":
        form = EnrolProgramForm(request.POST, programs=programs)
        if form.is_valid():
            try:
                result = services.iup_enrol_program(
                    actor=request.user,
                    program=form.cleaned_data["program"],
                    academic_year=form.cleaned_data["year"],
                )
            except ApplicationError as exc:
                messages.error(request, str(exc.message))
                status = exc.status
        else:
            status = 400
    else:
        current = selectors.current_year()
        form = EnrolProgramForm(
            programs=programs, initial={"year": current.pk if current else None}
        )
    return render(
        request,
        "registrar/iup/enrol_program.html",
        {"form": form, "result": result},
        status=status,
    )
