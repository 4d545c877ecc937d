"""The student's exam page: a shell that ``static/assessments/attempt.js`` fills in.

The page renders no question on the server. The script starts or resumes the attempt through
the JSON API (docs/subsystems/attempts.md) and draws every question from that answer, so the
browser page and a mobile app follow exactly the same rules; the API decides who may start what
(closed test, attempts left, IP range, password, enrolment) and answers with a translated reason
that the page shows.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from qashyq.core.errors import NotFound, PermissionDenied

from . import policies
from .models import Attempt, AttemptState, Test
from .services.attempts import effective_settings


def _strings() -> dict[str, str]:
    """Every text the script shows, translated here so it lives in the Django catalogue."""
    return {
        "start": _("Start the attempt"),
        "resume": _("Resume the attempt"),
        "saved": _("Saved"),
        "saving": _("Saving…"),
        "offline": _("Offline — your answers are kept on this device"),
        "not_saved": _("Not saved: {message}"),
        "session_problem": _(
            "The server refused the answers ({message}). They are kept on this device; sign in "
            "again in another tab and they will be sent."
        ),
        "server_problem": _("The server did not answer; trying again…"),
        "no_storage": _(
            "This browser does not let the page keep answers on the device (private mode?). "
            "Stay online until every answer is saved."
        ),
        "time_up": _("Time is up."),
        "minutes_left": _("{minutes} minutes left."),
        "question": _("Question {number}"),
        "of_total": _("{number} of {total}"),
        "points": _("points: {mark}"),
        "information": _("Information"),
        "choose_one": _("Choose one answer"),
        "choose_many": _("Choose one or more answers"),
        "clear_choice": _("Clear my choice"),
        "true": _("True"),
        "false": _("False"),
        "answer": _("Answer"),
        "number_answer": _("Answer (a number)"),
        "your_answer": _("Your answer"),
        "match_legend": _("Match each item with an answer"),
        "choose": _("Choose…"),
        "order_legend": _("Put the items in the right order"),
        "order_help": _("Use the Up and Down buttons to move an item."),
        "move_up": _("Move up: {item}"),
        "move_down": _("Move down: {item}"),
        "up": _("Up"),
        "down": _("Down"),
        "moved": _("“{item}” is now at position {position} of {total}."),
        "gap": _("Gap {number}"),
        "cloze_legend": _("Fill in the blanks"),
        "essay_files_note": _(
            "Files cannot be attached on this page yet; your text answer is saved."
        ),
        "file_note": _(
            "This question asks for a file (a drawing, a recording…). Files cannot be uploaded "
            "from this page yet: ask your tutor how to hand it in."
        ),
        "unsupported": _("This type of question cannot be shown on this page."),
        "answered": _("answered"),
        "next": _("Next question"),
        "next_warning": _("After moving on you cannot come back to this question."),
        "next_unsaved": _(
            "Your answer has not reached the server yet. You can move on once it is saved."
        ),
        "finish": _("Finish the attempt"),
        "finish_confirm": _(
            "Finish the attempt? You will not be able to change your answers afterwards."
        ),
        "finish_yes": _("Yes, finish"),
        "cancel": _("Cancel"),
        "finishing": _("Finishing the attempt…"),
        "finish_offline": _(
            "Some answers have not reached the server yet. The attempt will be finished as soon as "
            "the network returns; keep this page open."
        ),
        "finished": _("The attempt is finished."),
        "finished_by_time": _("Time is up: the attempt has been submitted."),
        "review": _("See the review"),
        "download": _("Download my answers"),
        "download_help": _(
            "The network has not come back. Download your answers as an encrypted file and give "
            "it to your tutor or the test administrator: they can add it to your attempt."
        ),
        "unanswered": _("Questions without an answer: {count}."),
        "error": _("Something went wrong: {message}"),
    }


def _test(test_id: int) -> Test:
    test = Test.objects.select_related("offering__discipline").filter(pk=test_id).first()
    if test is None:
        raise NotFound(_("There is no such test."))
    return test


@never_cache
@login_required
def attempt_page(request, test_id: int):
    """GET /tests/<test_id>/take/: the shell of the exam page for the signed-in student.

    Checked here only what needs no clock: the test exists and is open to this student's course.
    Dates, attempts left, IP ranges and the password are the API's answer to "Start".
    """
    test = _test(test_id)
    if not policies.can_take_test(request.user, test):
        if not test.published and not policies.can_manage_tests(request.user, test.offering_id):
            raise NotFound(_("There is no such test."))
        raise PermissionDenied(_("Only the students of this course may take this test."))
    in_progress = Attempt.objects.filter(
        test=test, student=request.user, state=AttemptState.IN_PROGRESS
    ).exists()
    config = {
        "testId": test_id,
        "startUrl": f"/api/v1/tests/{test_id}/attempts",
        "attemptUrl": "/api/v1/attempts/",
        "csrfToken": get_token(request),
        "csrfCookieName": settings.CSRF_COOKIE_NAME,
        "language": request.LANGUAGE_CODE,
        "offlineDownloadAfterMs": 30_000,
        "retryEveryMs": 5_000,
        "debounceMs": 600,
        "strings": _strings(),
    }
    context = {
        "test": test,
        "test_title": test.title,
        "effective": effective_settings(test, request.user),
        "in_progress": in_progress,
        # The password is asked only to start a new attempt, not to resume one.
        "needs_password": bool(test.password) and not in_progress,
        "config": config,
        "script_url": static("assessments/attempt.js"),
    }
    return render(request, "assessments/attempt.html", context)
