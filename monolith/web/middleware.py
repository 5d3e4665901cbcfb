"""The page language: the signed-in user's ``preferred_language``, else the browser's.

Runs after ``LocaleMiddleware`` (which reads Accept-Language and the language
cookie) and after the identity middleware has set ``request.user``. API calls keep
the language their client asks for (Accept-Language) and cost no account lookup here.
"""

from django.conf import settings
from django.utils import translation

SUPPORTED = {code for code, _ in settings.LANGUAGES}


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        page = not request.path_info.startswith("/api/")
        language = getattr(user, "preferred_language", "") if page and user.is_authenticated else ""
        if language in SUPPORTED:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
