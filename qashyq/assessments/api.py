"""The attempt API of docs/subsystems/attempts.md: start or resume, read, save one answer, upload
and download an answer's files, next, submit, review.

Thin: each endpoint finds the attempt, checks a ``policies`` predicate and calls a service; the
documents come from ``serialize`` (the one place that decides what a client may see). Somebody
who may not see an attempt gets 404, as if it did not exist. Times are ISO 8601 UTC with ``Z``.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status, UploadedFile
from pydantic import ValidationError as PydanticValidationError

from qashyq.accounts.api import AUTH
from qashyq.core import net
from qashyq.core.api import ErrorOut
from qashyq.core.errors import NotFound, ValidationFailed
from qashyq.core.streaming import ranged_file_response

from . import files as attempt_files
from . import policies, serialize
from .models import Attempt, Test
from .services import attempts as services
from .services.attempts import effective_settings

router = Router(tags=["tests"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class StartIn(Schema):
    password: str = Field("", max_length=200, description="When the test has one")


class SaveIn(Schema):
    response: Any = Field(None, description="The response in its type's shape (questions.md)")
    seq: int = Field(..., ge=1, description="The page's counter for this slot")


class SaveOut(Schema):
    slot: int
    seq: int
    saved_at: str | None
    server_time: str
    deadline: str | None


class FileOut(Schema):
    id: int
    name: str
    size: int
    kind: str = Field(..., description="The sniffed kind (qashyq.core.files.kinds): png, mp3…")
    url: str


class SubmitOut(Schema):
    state: str
    finished_at: str | None
    review_url: str


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, behind ``QASHYQ_TRUSTED_PROXY_COUNT`` proxies
    (qashyq.core.net)."""
    return net.client_ip(request)


def _test_or_404(test_id: int) -> Test:
    test = Test.objects.select_related("offering").filter(pk=test_id).first()
    if test is None:
        raise NotFound(_("There is no such test."))
    return test


def _attempt_or_404(request: HttpRequest, attempt_id: int) -> Attempt:
    attempt = services.attempt_get(attempt_id)
    if attempt is None or not policies.can_view_attempt(request.user, attempt):
        raise NotFound(_("There is no such attempt."))
    return attempt


def _password_from(request: HttpRequest) -> str:
    """The optional ``{"password": "..."}`` body of a start (empty bodies and ``null`` too)."""
    if request.content_type != "application/json":  # no body, or a form
        return str(request.POST.get("password", ""))[:200]
    if not request.body.strip():
        return ""
    try:
        body = json.loads(request.body)
    except ValueError:
        raise ValidationFailed(_("The request body is not JSON."), code="bad_request") from None
    if body is None:
        return ""
    try:
        return StartIn.model_validate(body).password
    except PydanticValidationError:
        raise ValidationFailed(
            _("The password must be a text of at most 200 characters."), code="bad_request"
        ) from None


def _review_url(attempt: Attempt) -> str:
    try:
        return reverse("assessments:attempt_review", args=[attempt.pk])
    except NoReverseMatch:
        return f"/api/v1/attempts/{attempt.pk}/review"


@router.post(
    "/tests/{test_id}/attempts",
    response={200: dict, 201: dict, 400: ErrorOut, 409: ErrorOut, **ERRORS},
    auth=AUTH,
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": StartIn.model_json_schema()}},
        }
    },
)
def attempt_start(request: HttpRequest, test_id: int):
    """Start an attempt (201) or resume the caller's unfinished one (200), with every question
    of the attempt and no key. Body: ``{"password": "..."}`` when the test has one (optional
    otherwise; an empty body is fine). Refusals (403): ``test_closed``, ``no_attempts_left``,
    ``ip_not_allowed``, ``wrong_password``, ``not_enrolled``."""
    test = _test_or_404(test_id)
    password = _password_from(request)
    now = timezone.now()
    attempt, created = services.attempt_start_or_resume(
        actor=request.user,
        test=test,
        password=password,
        ip=client_ip(request),
        now=now,
    )
    slots = getattr(attempt, "built_slots", None)  # a new attempt: no need to read them back
    return Status(
        201 if created else 200, serialize.attempt_document(attempt, now=now, slots=slots)
    )


@router.get("/attempts/{attempt_id}", response={200: dict, **ERRORS}, auth=AUTH)
def attempt_read(request: HttpRequest, attempt_id: int):
    """The attempt document (owner or the course's staff). An overdue attempt is finished
    first."""
    attempt = _attempt_or_404(request, attempt_id)
    now = timezone.now()
    services.attempt_finish_if_overdue(attempt, now=now)
    return serialize.attempt_document(
        attempt, now=now, include_offline_key=attempt.student_id == request.user.pk
    )


@router.put(
    "/attempts/{attempt_id}/answers/{slot}",
    response={200: SaveOut, 400: ErrorOut, 409: ErrorOut, 422: ErrorOut, **ERRORS},
    auth=AUTH,
)
def answer_put(request: HttpRequest, attempt_id: int, slot: int, payload: SaveIn):
    """Save one answer. A ``seq`` not above the stored one changes nothing and answers the
    stored ``seq``. 409 ``attempt_finished`` after submission or the deadline (plus grace),
    409 ``slot_locked`` for a passed question of a sequential test, 400 ``invalid_response``.
    The service loads (and locks) the attempt once, by its id: 404 to anybody but its student."""
    now = timezone.now()
    result = services.answer_save(
        actor=request.user,
        attempt=attempt_id,
        slot=slot,
        response=payload.response,
        seq=payload.seq,
        now=now,
    )
    return {
        "slot": result.slot,
        "seq": result.seq,
        "saved_at": serialize.iso(result.saved_at, ms=True),
        "server_time": serialize.iso(timezone.now(), ms=True),
        "deadline": serialize.iso(result.deadline),
    }


@router.post(
    "/attempts/{attempt_id}/slots/{slot}/files",
    response={201: FileOut, 400: ErrorOut, 409: ErrorOut, 422: ErrorOut, **ERRORS},
    auth=AUTH,
)
def attempt_file_upload(request: HttpRequest, attempt_id: int, slot: int, file: File[UploadedFile]):
    """Upload one file (``multipart/form-data``, field ``file``) for a file question or an
    essay's attachment; answers ``{"id", "name", "size", "kind", "url"}``. The file counts as
    the answer only once a save references its id (``{"files": [id]}``). Refusals: 400
    ``file_kind_not_allowed``, ``file_too_large``, ``file_forbidden``, ``file_empty``,
    ``file_extension_mismatch``, ``files_not_allowed``, ``too_many_files``; 409
    ``attempt_finished`` (after submission or the deadline plus grace) and ``slot_locked``. A
    refused upload stores nothing."""
    attempt = _attempt_or_404(request, attempt_id)
    if not policies.can_write_attempt(request.user, attempt):
        raise NotFound(_("There is no such attempt."))
    record = services.attempt_file_upload(
        actor=request.user, attempt=attempt, slot=slot, upload=file, now=timezone.now()
    )
    return Status(
        201,
        {
            "id": record.pk,
            "name": record.original_name,
            "size": record.size,
            "kind": record.kind,
            "url": attempt_files.download_url(attempt.pk, record.pk),
        },
    )


# shown in the browser (an <img>, an <audio> player); anything else is downloaded
_INLINE_PREFIXES = ("image/", "audio/", "video/")


@router.get("/attempts/{attempt_id}/files/{file_id}", response={200: None, **ERRORS}, auth=AUTH)
def attempt_file_download(request: HttpRequest, attempt_id: int, file_id: int):
    """One uploaded file of the attempt, for its owner and the course's staff (Range requests
    answer 206: a recording can be sought)."""
    attempt = _attempt_or_404(request, attempt_id)
    record = attempt_files.attempt_file_get(attempt, file_id)
    if record is None:
        raise NotFound(_("There is no such file."))
    inline = record.mime_type.startswith(_INLINE_PREFIXES) or record.mime_type == "application/pdf"
    try:
        return ranged_file_response(
            request,
            record.file.name,
            content_type=record.mime_type,
            filename=record.original_name,
            as_attachment=not inline,
            etag=record.sha256,
        )
    except FileNotFoundError:
        raise NotFound(_("The file is missing from the storage.")) from None


@router.post(
    "/attempts/{attempt_id}/next",
    response={200: dict, 400: ErrorOut, 409: ErrorOut, **ERRORS},
    auth=AUTH,
)
def attempt_next(request: HttpRequest, attempt_id: int):
    """Sequential tests: move on to the next question (no way back); answers the attempt
    document with the new ``current_slot``."""
    attempt = _attempt_or_404(request, attempt_id)
    if not policies.can_write_attempt(request.user, attempt):
        raise NotFound(_("There is no such attempt."))
    now = timezone.now()
    services.attempt_next(actor=request.user, attempt=attempt, now=now)
    return serialize.attempt_document(attempt, now=now)


@router.post(
    "/attempts/{attempt_id}/submit", response={200: SubmitOut, 409: ErrorOut, **ERRORS}, auth=AUTH
)
def attempt_submit(request: HttpRequest, attempt_id: int):
    """Finish the attempt; a second call answers the same. The service loads (and locks) the
    attempt once: 404 to anybody who may not finish it."""
    finished = services.attempt_submit_by_id(actor=request.user, attempt_id=attempt_id)
    return {
        "state": finished.state,
        "finished_at": serialize.iso(finished.finished_at),
        "review_url": _review_url(finished),
    }


@router.get("/attempts/{attempt_id}/review", response={200: dict, **ERRORS}, auth=AUTH)
def attempt_review(request: HttpRequest, attempt_id: int):
    """What the test's review options allow now; the course's staff see everything."""
    attempt = _attempt_or_404(request, attempt_id)
    now = timezone.now()
    services.attempt_finish_if_overdue(attempt, now=now)
    if attempt.student_id == request.user.pk:
        closes_at = effective_settings(attempt.test, request.user).closes_at
        return serialize.review_document(attempt, now=now, closes_at=closes_at)
    return serialize.review_document(attempt, now=now, staff=True)


class OfflineFileIn(Schema):
    attempt: int
    created: str = ""
    ciphertext: str = Field(..., max_length=4_000_000)
    iv: str = Field(..., max_length=100)


class OfflineAnswerOut(Schema):
    slot: int
    seq: int
    outcome: str = Field(..., description="saved, stale (already held) or invalid")
    old_seq: int


@router.post(
    "/attempts/{attempt_id}/offline-answers",
    response={200: list[OfflineAnswerOut], 400: ErrorOut, 422: ErrorOut, **ERRORS},
    auth=AUTH,
)
def offline_answers_upload(request: HttpRequest, attempt_id: int, payload: OfflineFileIn):
    """For the course's tutors: apply a student's offline answers file (the JSON the exam page
    downloads) through the save rules; answers what became of each answer. 400
    ``offline_file_unreadable`` for a damaged file or one of another attempt."""
    attempt = _attempt_or_404(request, attempt_id)
    return services.offline_answers_apply(
        actor=request.user, attempt=attempt, document=payload.dict()
    )
