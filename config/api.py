"""The HTTP API at /api/v1: Django Ninja, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

See docs/api.md. Authentication, errors and pagination are shared pieces in
``qashyq.accounts.api`` and ``qashyq.core.api``; the endpoints live in each app's ``api.py``.
"""

from django.urls import URLPattern, re_path
from ninja import NinjaAPI

from qashyq.academics.api import router as academics_router
from qashyq.accounts.api import AUTH
from qashyq.assessments.api import router as assessments_router
from qashyq.assignments.api import router as assignments_router
from qashyq.core.api import VendoredSwagger, json_not_found, register_error_handlers, with_json_405
from qashyq.courses.api import router as courses_router
from qashyq.gradebook.api import router as gradebook_router

api = NinjaAPI(
    title="Qashyq API",
    version="1",
    description=(
        "Personal API tokens: `Authorization: Bearer <token>`, or the browser session "
        "(with the CSRF token on unsafe methods). Errors are JSON "
        '`{"code", "message", "details"}` with stable codes.'
    ),
    urls_namespace="api",
    auth=AUTH,
    docs=VendoredSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
register_error_handlers(api)
api.add_router("", academics_router)
api.add_router("", courses_router)
api.add_router("", gradebook_router)
api.add_router("", assignments_router)
api.add_router("", assessments_router)
api.add_router("", "qashyq.registrar.api.router")
api.add_router("", "qashyq.registrar.api_iup.router")
api.add_router("", "qashyq.registrar.api_admission.router")
api.add_router("", "qashyq.registrar.api_summer.router")
api.add_router("", "qashyq.registrar.api_graduation.router")


def _json_errors_only(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = with_json_405(pattern.callback)
    return patterns


app_name = "api"
urlpatterns = [
    *_json_errors_only(api.urls[0]),
    # Anything else under /api/v1/ is a JSON 404, never the HTML page.
    re_path(r"^.*$", json_not_found),
]
