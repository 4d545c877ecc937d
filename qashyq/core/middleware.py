from django.conf import settings
from django.utils import translation

SESSION_LANGUAGE_KEY = "qashyq_language"


class UserLanguageMiddleware:
    """Use the signed-in user's preferred language when this browser has not chosen one.

    The language switch sets the language cookie (remembered per browser) and saves the user's
    ``preferred_language`` (remembered per user); at login the account adapter copies the
    preference into the session, and this middleware hands it to LocaleMiddleware.
    Without either, Kazakh (settings.LANGUAGE_CODE). Runs after SessionMiddleware and before
    LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # API clients negotiate with Accept-Language (see qashyq.core.api.use_caller_language).
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and not request.path.startswith(
            "/api/"
        ):
            language = request.session.get(SESSION_LANGUAGE_KEY)
            if not (language and translation.check_for_language(language)):
                # Kazakh is the portal's language until someone chooses another one; the
                # browser's Accept-Language does not override it.
                language = settings.LANGUAGE_CODE
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        return self.get_response(request)


class ApplicationErrorMiddleware:
    """Turn an ApplicationError that escaped an HTML view into a page with its translated message.

    The API has its own handler (JSON with the stable code); this covers the HTML side, so bad
    input or a denied action is never a 500. The transaction has already rolled back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from .errors import ApplicationError

        if not isinstance(exception, ApplicationError) or request.path.startswith("/api/"):
            return None
        return render(
            request,
            "core/error.html",
            {"error": exception, "status": exception.status},
            status=exception.status,
        )
