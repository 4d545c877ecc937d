"""The deadlines feed: the page that creates or rotates the secret URL, and the ICS feed itself."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import deadlines


@never_cache
@login_required
def feed_settings(request):
    """GET: the feed's state; POST ``rotate``: a new secret URL, shown once; POST ``revoke``."""
    subscribe_url = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            deadlines.calendar_feed_token_revoke(actor=request.user)
            messages.success(
                request, _("The calendar feed is switched off; its old URL no longer works.")
            )
            return redirect("assignments:deadlines_feed")
        if action != "rotate":
            return redirect("assignments:deadlines_feed")
        token = deadlines.calendar_feed_token_rotate(actor=request.user)
        subscribe_url = request.build_absolute_uri(
            reverse("assignments:deadlines_ics", args=[token])
        )
    context = {
        "feed": deadlines.calendar_feed_token_of(request.user),
        "subscribe_url": subscribe_url,
    }
    return render(request, "assignments/deadlines_feed.html", context)


@require_GET
def feed_ics(request, token: str):
    """The ICS feed; the token is the only credential, so an unknown one is simply not found."""
    user = deadlines.feed_owner(token)
    if user is None:
        raise Http404
    body = deadlines.deadlines_ics(
        user,
        task_url=lambda task: request.build_absolute_uri(
            reverse("assignments:task_detail", args=[task.pk])
        ),
        site=request.get_host().split(":")[0] or "qashyq",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
