"""The offline package of a course: the download and the tutor's media size cap."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qashyq.core.errors import NotFound, PermissionDenied, ValidationFailed

from . import offline, selectors
from .policies import can_edit_discipline_eumk


def _offering(request, pk: int):
    offering = selectors.offering_for_materials(pk)
    if offering is None:
        raise NotFound(_("There is no such course."))
    if not offline.can_download_offline_package(request.user, offering):
        raise PermissionDenied(_("The offline package of a course is for its students and tutors."))
    return offering


@login_required
def offline_page(request, pk: int):
    offering = _offering(request, pk)
    can_edit = can_edit_discipline_eumk(request.user, offering.discipline)
    eumk = selectors.eumk_of_discipline(offering.discipline_id)
    version = selectors.latest_approved_version(offering.discipline_id, contents=False)
    return render(
        request,
        "courses/offline/page.html",
        {
            "offering": offering,
            "version": version,
            "eumk": eumk,
            "can_edit": can_edit and eumk is not None,
            "cap_mb": offline.media_cap_mb(eumk) if eumk else None,
        },
    )


@login_required
def offline_package(request, pk: int):
    offering = _offering(request, pk)
    course_url = request.build_absolute_uri(reverse("courses:materials", args=[offering.pk]))
    try:
        path, _built = offline.build_package(offering, course_url=course_url)
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
        return redirect("courses:offline_page", offering.pk)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=offline.package_filename(offering),
        content_type="application/zip",
    )


@login_required
@require_POST
def offline_settings(request, pk: int):
    offering = _offering(request, pk)
    eumk = selectors.eumk_of_discipline(offering.discipline_id)
    if eumk is None:
        raise NotFound(_("This discipline has no EUMK yet."))
    try:
        megabytes = int(request.POST.get("media_cap_mb", ""))
    except ValueError:
        megabytes = None
    try:
        offline.offline_media_cap_set(actor=request.user, eumk=eumk, megabytes=megabytes)
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Saved."))
    return redirect("courses:offline_page", offering.pk)
