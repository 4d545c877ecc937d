"""Public portal pages, the language switch and the role dashboards. Thin: parse, select, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qashyq.accounts.roles import Role
from qashyq.accounts.selectors import primary_role, user_roles
from qashyq.accounts.services import user_set_language
from qashyq.core.errors import PermissionDenied
from qashyq.core.htmx import is_htmx
from qashyq.core.middleware import SESSION_LANGUAGE_KEY
from qashyq.courses import open_courses

from . import policies, selectors
from .forms import ProgramFilterForm

# --- public pages ------------------------------------------------------------------------------


def home(request):
    return render(
        request,
        "portal/home.html",
        {
            "programs": selectors.program_catalogue()[:6],
            "events": selectors.upcoming_events(limit=4),
        },
    )


def programs(request):
    form = ProgramFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    context = {
        "form": form,
        "programs": list(
            selectors.program_catalogue(
                level=filters.get("level", ""),
                delivery_format=filters.get("delivery_format", ""),
            )
        ),
        "filtered": any(filters.values()),
    }
    template = "portal/partials/program_list.html" if is_htmx(request) else "portal/programs.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def program_detail(request, code: str):
    program = selectors.program_page(code)
    if program is None or not policies.can_view_program(request.user, program):
        raise Http404
    return render(request, "portal/program_detail.html", {"program": program})


def calendar(request):
    title = (request.GET.get("year") or "").strip()[:16]
    year = selectors.calendar_year(title or None)
    context = {"years": selectors.academic_years(), "year": year, "asked": title}
    if year is not None:
        context["periods"] = selectors.year_periods(year)
        context["events"] = selectors.year_events(year)
    status = 404 if title and year is None else 200
    return render(request, "portal/calendar.html", context, status=status)


def documents(request):
    return render(
        request, "portal/documents.html", {"documents": list(selectors.published_documents())}
    )


def document_detail(request, slug: str):
    document = selectors.published_document(slug)
    if document is None:
        raise Http404
    return render(request, "portal/document_detail.html", {"document": document})


def guide(request):
    return render(request, "portal/guide.html")


# --- language switch ---------------------------------------------------------------------------


def _safe_next(request, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


@require_POST
def set_language(request):
    """Remember the language per browser (cookie) and, when signed in, per user."""
    language = request.POST.get("language", "")
    # Validates the code (ValidationFailed becomes a translated error page) and saves the
    # preference of a signed-in user; an anonymous visitor only gets the cookie.
    user_set_language(user=request.user, language=language)
    target = (
        _safe_next(request, request.POST.get("next"))
        or _safe_next(request, request.headers.get("referer"))
        or reverse("portal:home")
    )
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    if request.user.is_authenticated:
        request.session[SESSION_LANGUAGE_KEY] = language
    return response


# --- dashboards --------------------------------------------------------------------------------

# One template per role; roles whose work is alike share the included partials.
DASHBOARD_TEMPLATES = {role.value: f"portal/dashboards/{role.value}.html" for role in Role}
DASHBOARD_HEADINGS = {
    Role.ADMIN: gettext_lazy("System administrator's dashboard"),
    Role.RECTOR: gettext_lazy("Rector's dashboard"),
    Role.VICE_RECTOR: gettext_lazy("Vice-rector's dashboard"),
    Role.HEAD_OF_DEPARTMENT: gettext_lazy("Head of department's dashboard"),
    Role.METHODOLOGIST: gettext_lazy("Methodologist's dashboard"),
    Role.PROGRAM_LEADER: gettext_lazy("Program leader's dashboard"),
    Role.TUTOR: gettext_lazy("Tutor's dashboard"),
    Role.STUDENT: gettext_lazy("Student's dashboard"),
    Role.REGISTRAR: gettext_lazy("Office registrar's dashboard"),
    Role.ADMISSION: gettext_lazy("Admission committee's dashboard"),
    Role.PROCTOR: gettext_lazy("Proctor's dashboard"),
    Role.LIBRARIAN: gettext_lazy("Librarian's dashboard"),
    Role.PRACTICE_SUPERVISOR: gettext_lazy("Practice supervisor's dashboard"),
    Role.ACCOUNTANT: gettext_lazy("Accountant's dashboard"),
    Role.PARENT: gettext_lazy("Parent's dashboard"),
}


def _optional_url(name: str) -> str | None:
    """The URL of a page another app provides, or None while that app has not landed."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@login_required
def dashboard(request):
    user = request.user
    held = [role for role in Role if role.value in user_roles(user)]
    asked = request.GET.get("role")
    if asked:
        if not policies.can_view_dashboard(user, asked):
            raise PermissionDenied(_("You do not hold this role, so its dashboard is not yours."))
        role = asked
    else:
        role = primary_role(user)
    context = {
        "role": role,
        "heading": DASHBOARD_HEADINGS[role] if role else _("My dashboard"),
        "held_roles": [(r.value, DASHBOARD_HEADINGS[r]) for r in held],
        "admin_url": _optional_url("admin:index") if policies.can_open_admin(user) else None,
        "import_url": (
            _optional_url("academics:import") if policies.can_import_people(user) else None
        ),
    }
    context["open_courses"] = open_courses.courses_of_learner(user)
    if role is None:
        return render(request, "portal/dashboards/no_role.html", context)
    context.update(selectors.dashboard_data(user, role))
    return render(request, DASHBOARD_TEMPLATES[role], context)
