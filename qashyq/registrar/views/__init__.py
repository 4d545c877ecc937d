"""The registrar's pages: a student's transcript (and its PDF), a student's or a parent's GPA
page, the registrar's student search with the JSON export, and the list of students below the
transfer threshold. Thin: parse, check the policy, call a selector, render.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from qashyq.accounts.selectors import children_of
from qashyq.core.errors import PermissionDenied

from .. import access, pdf, policies, selectors


@login_required
def my_transcript(request):
    profile = selectors.student_profile(request.user.pk)
    return _render_transcript(request, profile)


@login_required
def student_transcript(request, student_id: int):
    profile = access.profile_for(request.user, student_id, policies.can_view_transcript)
    return _render_transcript(request, profile)


def _render_transcript(request, profile):
    record = selectors.transcript(profile.user_id, profile)
    return render(
        request,
        "registrar/transcript.html",
        {
            "record": record,
            "languages": pdf.LANGUAGES,
            "can_export": policies.can_export(request.user, profile),
        },
    )


@login_required
def transcript_pdf(request, student_id: int):
    profile = access.profile_for(request.user, student_id, policies.can_view_transcript)
    language = pdf.language_of(request.GET.get("lang"))
    record = selectors.transcript(student_id, profile)
    response = HttpResponse(pdf.transcript_pdf(record, language=language), "application/pdf")
    filename = f"transcript-{profile.student_number}-{language}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def transcript_json(request, student_id: int):
    profile = access.profile_for(
        request.user, student_id, lambda user, _sid, p: policies.can_export(user, p)
    )
    data = selectors.national_export(selectors.transcript(student_id, profile))
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), "application/json; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="transcript-{profile.student_number}.json"'
    )
    return response


@login_required
def student_gpa(request, student_id: int):
    profile = access.profile_for(request.user, student_id, policies.can_view_gpa)
    return render(
        request,
        "registrar/gpa.html",
        {
            "profile": profile,
            "summary": selectors.gpa_summary(student_id),
            "can_view_transcript": policies.can_view_transcript(request.user, student_id, profile),
        },
    )


@login_required
def children_gpa(request):
    """A parent's list of linked children, each with a link to the GPA page."""
    return render(request, "registrar/children.html", {"children": children_of(request.user)})


@login_required
def student_search(request):
    if not policies.is_registrar(request.user):
        raise PermissionDenied(_("Only the registrar searches students."))
    query = request.GET.get("q", "")[:100]
    profiles = selectors.search_students(
        query, faculty_ids=policies.registrar_faculty_ids(request.user)
    )
    return render(request, "registrar/search.html", {"query": query, "profiles": profiles})


@login_required
def below_threshold(request):
    if not policies.can_view_thresholds(request.user):
        raise PermissionDenied(_("Only the registrar sees this list."))
    year = selectors.year_or_current(request.GET.get("year"))
    return render(
        request,
        "registrar/below_threshold.html",
        {
            "year": year,
            "years": selectors.academic_years(),
            "thresholds": selectors.thresholds_of(year),
            "students": selectors.students_below_threshold(
                year, faculty_ids=policies.registrar_faculty_ids(request.user)
            ),
        },
    )
