"""Pieces every API router shares: JSON errors with stable codes, pagination, language, docs page.

The authentication classes live in ``qashyq.accounts.api`` (core may not import accounts).
Every error leaves the API as ``{"code": ..., "message": ..., "details": ...}``; the message is
translated into the caller's language.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import DocsBase
from ninja.pagination import PaginationBase

from .errors import ApplicationError

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class NotAuthenticated(ApplicationError):
    code = "not_authenticated"
    status = 401
    default_message = gettext_lazy("Authentication is required: send a valid API token or sign in.")


# --- errors -------------------------------------------------------------------------------------


def error_response(
    code: str, message: Any, status: int, details: Any = None, headers: dict | None = None
) -> JsonResponse:
    body = {"code": code, "message": str(message), "details": details}
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return error_response(exc.code, exc.message, exc.status, exc.details, headers)


def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "message": str(error.get("msg", "")),
            "type": error.get("type", ""),
        }
        for error in exc.errors
    ]
    return error_response(
        "validation_failed", _("Some of the data is not valid."), 422, {"errors": details}
    )


def _not_authenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _application_error(request, NotAuthenticated())


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response("not_found", _("Not found."), 404)


def _permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response("permission_denied", _("You do not have permission to do this."), 403)


HTTP_ERROR_CODES = {
    400: ("bad_request", gettext_lazy("The request could not be understood.")),
    403: ("permission_denied", gettext_lazy("You do not have permission to do this.")),
    404: ("not_found", gettext_lazy("Not found.")),
    405: ("method_not_allowed", gettext_lazy("This method is not allowed here.")),
    429: ("throttled", gettext_lazy("Too many requests; try again later.")),
}


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 401:
        return _not_authenticated(request, exc)
    code, message = HTTP_ERROR_CODES.get(
        exc.status_code, ("http_error", gettext_lazy("The request could not be completed."))
    )
    return error_response(code, message, exc.status_code)


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(
        "server_error", _("Something went wrong on our side; the error has been logged."), 500
    )


def register_error_handlers(api) -> None:
    """Every error the API can raise becomes JSON with a stable code (order does not matter:
    Ninja picks the handler of the closest class)."""
    api.add_exception_handler(ApplicationError, _application_error)
    api.add_exception_handler(NinjaValidationError, _validation_error)
    api.add_exception_handler(AuthenticationError, _not_authenticated)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(DjangoPermissionDenied, _permission_denied)
    api.add_exception_handler(Exception, _server_error)


def with_json_405(view):
    """Ninja answers a wrong method with a plain-text 405; give it our JSON shape (and keep
    the Allow header and the view's attributes, such as csrf_exempt)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            code, message = HTTP_ERROR_CODES[405]
            return error_response(code, message, 405, headers={"Allow": response["Allow"]})
        return response

    return wrapper


def json_not_found(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """For any path under the API that matches no endpoint."""
    return error_response("not_found", _("No API endpoint at this address."), 404)


# --- language -----------------------------------------------------------------------------------


def use_caller_language(request: HttpRequest, user) -> None:
    """Answer in the user's preferred language unless the request chose one itself
    (Accept-Language header or the language cookie), which LocaleMiddleware already applied."""
    if request.META.get("HTTP_ACCEPT_LANGUAGE") or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    language = getattr(user, "preferred_language", "")
    if language and translation.check_for_language(language):
        translation.activate(language)
        request.LANGUAGE_CODE = language


# --- pagination ---------------------------------------------------------------------------------


class LimitOffset(PaginationBase):
    """``?limit=`` (1–100, default 20) and ``?offset=``; answers ``items``, ``total``, ``limit``,
    ``offset``. Two queries whatever the page size: one count, one page."""

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0)

    class Output(Schema):
        items: list[Any]
        total: int
        limit: int
        offset: int

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, request: HttpRequest, **params):
        offset, limit = pagination.offset, pagination.limit
        return {
            "items": list(queryset[offset : offset + limit]),
            "total": self._items_count(queryset),
            "limit": limit,
            "offset": offset,
        }


# --- schemas ------------------------------------------------------------------------------------


class NamedOut(Schema):
    """A name a student sees: in the request's language, and in each of kk, ru, en."""

    name: str
    name_kk: str
    name_ru: str
    name_en: str


class ErrorOut(Schema):
    code: str = Field(..., examples=["permission_denied"])
    message: str
    details: Any = None


# --- docs page ----------------------------------------------------------------------------------

DOCS_PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{css}">
</head>
<body>
<main id="swagger-ui" data-openapi-url="{openapi}" data-csrf-cookie="{csrf_cookie}"></main>
<script src="{bundle}"></script>
<script src="{init}"></script>
</body>
</html>
"""


class VendoredSwagger(DocsBase):
    """Swagger UI from our own static files (swagger-ui-dist vendored), never from a CDN."""

    def render_page(self, request: HttpRequest, api, **kwargs: Any) -> HttpResponse:
        html = DOCS_PAGE.format(
            lang=escape(translation.get_language() or "kk"),
            title=escape(f"{api.title} {api.version}"),
            css=escape(static("vendor/swagger-ui/swagger-ui.css")),
            bundle=escape(static("vendor/swagger-ui/swagger-ui-bundle.js")),
            init=escape(static("vendor/swagger-ui/qashyq-swagger-init.js")),
            openapi=escape(reverse(f"{api.urls_namespace}:openapi-json", kwargs=kwargs)),
            csrf_cookie=escape(settings.CSRF_COOKIE_NAME),
        )
        return HttpResponse(html)
