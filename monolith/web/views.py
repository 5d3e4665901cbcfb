"""Error answers of the monolith: JSON for API clients, a page for people.

The API keeps its one JSON error shape (``common.api.errors``); a browser
asking for a page gets the site's layout with a sentence, never a debug page.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from common.api import errors

JSON_PREFIXES = ("/api/", "/o/")


def wants_json(request) -> bool:
    if request.path_info.startswith(JSON_PREFIXES):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _page(request, status: int, title: str, message: str):
    return render(request, "web/error.html", {"title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    if wants_json(request):
        return errors.json_400(request, exception)
    return _page(request, 400, _("Bad request"), _("PolyCode could not understand this request."))


def permission_denied(request, exception=None):
    if wants_json(request):
        return errors.json_403(request, exception)
    return _page(request, 403, _("Not allowed"), _("You are not allowed to see this page."))


def page_not_found(request, exception=None):
    if wants_json(request):
        return errors.json_404(request, exception)
    return _page(request, 404, _("Page not found"), _("There is nothing at this address."))


def server_error(request):
    """A 500 page — or 503 with Retry-After when the database dropped or refused the connection
    (``errors.json_500`` decides the same for JSON). Rendered without the request's context:
    the signed-in user, the session, the CSRF token may all need the database that just failed."""
    if wants_json(request):
        return errors.json_500(request)
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        status, title = 503, _("PolyCode is busy")
        message = _("PolyCode could not reach its data. Try again in a moment.")
    else:
        status, title = 500, _("Something went wrong")
        message = _("PolyCode hit an error. Please try again.")
    page = render_to_string("web/error.html", {"title": title, "message": message})
    response = HttpResponse(page, status=status)
    if status == 503:
        response["Retry-After"] = str(errors.DATABASE_RETRY_AFTER)
    return response


def csrf_failure(request, reason=""):
    if wants_json(request):
        return errors.json_403(request)
    return _page(
        request,
        403,
        _("Your session expired"),
        _("The form was not sent. Go back, reload the page and try again: what you typed is kept."),
    )
