"""Staff import pages and the group and course offering pages. Thin: parse, call, render."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from qashyq.core.errors import NotFound, PermissionDenied, ValidationFailed

from . import imports, policies, selectors, services
from .formats.tables import write_csv, write_xlsx
from .forms import ImportUploadForm

SESSION_KEY = "academics_import"
PREVIEW_ROWS = 100
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}

# --- bulk import -------------------------------------------------------------------------------


def _require_importer(user) -> None:
    if not policies.can_import_people(user):
        raise PermissionDenied(_("Only the registrar office and administrators may import people."))


def _preview(report: imports.ImportReport) -> tuple[list[str], list[list[str]]]:
    present = [
        k for k in imports.column_keys(report.kind) if any(v.get(k) for _n, v in report.rows)
    ]
    if report.kind != imports.ImportKind.GROUPS and "username" not in present:
        present.insert(min(3, len(present)), "username")
    raw = dict(report.rows)
    rows = []
    for clean in report.clean[:PREVIEW_ROWS]:
        values = dict(raw[clean.number])
        if "username" in clean.data:
            values["username"] = clean.data["username"]
        rows.append([str(clean.number), *(values.get(k, "") for k in present)])
    return present, rows


def _import_page(request, form, *, report=None, errors=None, token="", status=200):
    context = {
        "form": form,
        "kinds": [
            (kind, label, imports.COLUMNS[kind]) for kind, label in imports.ImportKind.choices
        ],
        "formats": imports.TEMPLATE_FORMATS,
        "report": report,
        "errors": errors if errors is not None else (report.errors if report else []),
        "token": token,
    }
    if report is not None and token:
        context["preview_columns"], context["preview_rows"] = _preview(report)
        context["hidden_rows"] = max(0, len(report.clean) - PREVIEW_ROWS)
    return render(request, "academics/import.html", context, status=status)


@login_required
def import_people(request):
    _require_importer(request.user)
    if request.method != "POST":
        return _import_page(request, ImportUploadForm())
    if "confirm" in request.POST or "cancel" in request.POST:
        return _import_confirm(request)
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    try:
        report = services.people_import_check(
            actor=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
        )
    except ValidationFailed as exc:
        form.add_error("file", str(exc.message))
        return _import_page(request, form, status=400)
    if report.errors:
        request.session.pop(SESSION_KEY, None)
        return _import_page(request, form, report=report, status=400)
    token = secrets.token_urlsafe(24)
    # The checked rows stay on the server, bound to this session and user; confirming sends only
    # the token, and the rows are checked again before anything is written.
    request.session[SESSION_KEY] = {
        "token": token,
        "user_id": request.user.pk,
        "kind": report.kind,
        "file_name": report.file_name,
        "rows": report.rows,
    }
    return _import_page(request, form, report=report, token=token)


def _import_confirm(request):
    stored = request.session.pop(SESSION_KEY, None)
    if "cancel" in request.POST:
        messages.info(request, _("The import was cancelled; nothing was written."))
        return redirect("academics:import")
    token = request.POST.get("token", "")
    if (
        not stored
        or stored.get("user_id") != request.user.pk
        or not secrets.compare_digest(str(stored.get("token", "")), token)
    ):
        messages.error(
            request, _("This import has expired or was already done. Upload the file again.")
        )
        return redirect("academics:import")
    form = ImportUploadForm(initial={"kind": stored["kind"]})
    try:
        count = services.people_import(
            actor=request.user,
            kind=stored["kind"],
            rows=stored["rows"],
            file_name=stored["file_name"],
        )
    except imports.ImportRejected as exc:
        return _import_page(request, form, errors=exc.errors, status=400)
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
        return redirect("academics:import")
    messages.success(
        request,
        _("Imported %(count)s rows from %(file)s.") % {"count": count, "file": stored["file_name"]},
    )
    return redirect("academics:import")


@login_required
def import_template(request, kind: str, fmt: str):
    _require_importer(request.user)
    if kind not in imports.ImportKind.values or fmt not in imports.TEMPLATE_FORMATS:
        raise NotFound(_("There is no such template."))
    headers, rows = imports.template_rows(kind)
    content = write_xlsx(headers, rows, title=kind) if fmt == "xlsx" else write_csv(headers, rows)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="qashyq-{kind}.{fmt}"'
    return response


# --- group and course offering pages -------------------------------------------------------------


@login_required
def group_detail(request, pk: int):
    group = selectors.group_for_page(pk)
    if group is None:
        raise NotFound(_("There is no such study group."))
    if not policies.can_view_group(request.user, group):
        raise PermissionDenied(
            _(
                "This group's page is open to its students, its curator and tutors, and the "
                "academic staff responsible for it."
            )
        )
    students = selectors.group_members(group)
    is_member = any(profile.user_id == request.user.pk for profile in students)
    return render(
        request,
        "academics/group_detail.html",
        {
            "group": group,
            "students": students,
            "offerings": selectors.group_offerings(group),
            # Classmates see each other's names; record details are for staff.
            "show_records": not is_member,
        },
    )


@login_required
def offering_detail(request, pk: int):
    offering = selectors.offering_for_page(pk)
    if offering is None:
        raise NotFound(_("There is no such course."))
    if not policies.can_view_offering(request.user, offering):
        raise PermissionDenied(
            _(
                "This course's page is open to its students and tutors and the academic staff "
                "responsible for it."
            )
        )
    return render(
        request,
        "academics/offering_detail.html",
        {
            "offering": offering,
            "groups": list(offering.groups.all()),
            "tutors": sorted(offering.tutors.all(), key=lambda u: (u.last_name, u.first_name)),
            "enrollments": selectors.offering_enrollments(offering),
        },
    )
