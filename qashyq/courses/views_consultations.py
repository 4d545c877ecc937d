"""Consultations of a course offering: the list, booking and cancelling, the tutor's form, ICS."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qashyq.core.errors import NotFound, PermissionDenied, ValidationFailed

from . import consultations as cons
from .models import ConsultationMode


class SlotForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    duration = forms.IntegerField(
        label=gettext_lazy("Duration (minutes)"), min_value=5, max_value=480, initial=30
    )
    mode = forms.ChoiceField(label=gettext_lazy("Mode"), choices=ConsultationMode.choices)
    meeting_url = forms.URLField(label=gettext_lazy("Meeting link (https)"), required=False)
    room = forms.CharField(label=gettext_lazy("Room"), max_length=100, required=False)
    capacity = forms.IntegerField(
        label=gettext_lazy("Places"), min_value=1, max_value=500, initial=1
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea)


def _offering(request, pk: int):
    offering = cons.offering_for_consultations(pk)
    if offering is None:
        raise NotFound(_("There is no such course."))
    if not cons.can_view_consultations(request.user, offering):
        raise PermissionDenied(
            _("The consultations of a course are open to its students and tutors.")
        )
    return offering


@login_required
def consultations_page(request, pk: int):
    offering = _offering(request, pk)
    is_tutor = cons.can_manage_consultations(request.user, offering)
    rows = cons.consultation_rows(offering, user=request.user, with_bookings=is_tutor)
    return render(
        request,
        "courses/consultations.html",
        {
            "offering": offering,
            "rows": rows,
            "is_tutor": is_tutor,
            "can_book": cons.can_book_consultation(request.user, offering),
            "form": SlotForm() if is_tutor else None,
        },
    )


def _form_data(request) -> dict:
    form = SlotForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(
            "; ".join(
                f"{form.fields[name].label if name in form.fields else ''}: {' '.join(msgs)}"
                for name, msgs in form.errors.items()
            )
        )
    data = form.cleaned_data
    starts_at = data["starts_at"]
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    return {
        "starts_at": starts_at,
        "ends_at": starts_at + datetime.timedelta(minutes=data["duration"]),
        "mode": data["mode"],
        "meeting_url": data["meeting_url"],
        "room": data["room"],
        "capacity": data["capacity"],
        "note": data["note"],
    }


@login_required
@require_POST
def consultations_action(request, pk: int, action: str):
    offering = _offering(request, pk)
    user = request.user
    try:
        if action == "create":
            cons.consultation_slot_create(actor=user, offering=offering, **_form_data(request))
            done = _("The consultation was published.")
        else:
            slot = cons.slot_of_offering(offering, request.POST.get("slot"))
            if slot is None:
                raise NotFound(_("There is no such consultation in this course."))
            if action == "book":
                cons.consultation_book(actor=user, slot=slot)
                done = _("You have booked the consultation.")
            elif action == "cancel":
                cons.consultation_cancel(actor=user, slot=slot)
                done = _("Your booking was cancelled.")
            elif action == "delete":
                cons.consultation_slot_delete(actor=user, slot=slot)
                done = _("The consultation was removed.")
            else:
                raise NotFound(_("There is no such action."))
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("courses:consultations", offering.pk)


@login_required
def consultations_ics(request, pk: int):
    offering = _offering(request, pk)
    response = HttpResponse(
        cons.consultations_ics(offering, site=request.get_host().split(":")[0] or "qashyq"),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="consultations-{offering.pk}.ics"'
    return response
