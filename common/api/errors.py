"""One JSON error shape for every PolyCode API.

``{"code": "...", "detail": "...", "fields": {"name": ["..."]}}`` — ``fields``
is present when the error concerns specific input fields, so a client always
knows which one to fix.
"""

import logging
import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import ServiceError

logger = logging.getLogger(__name__)


def _flatten(detail):
    """DRF error details -> plain JSON-able structures (strings, lists, dicts)."""
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_flatten(v) for v in detail]
    return str(detail)


def _body(*, code: str, detail: str, fields=None) -> dict:
    body = {"code": code, "detail": detail}
    if fields:
        body["fields"] = fields
    return body


def exception_handler(exc, context):
    """DRF exception handler: domain and Django errors become JSON 4xx."""
    if isinstance(exc, ServiceError):
        fields = {exc.field: [exc.message]} if exc.field else None
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
        return Response(
            _body(code=exc.code, detail=exc.message, fields=fields), status=exc.status, headers=headers
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = _flatten(exc.detail)
        if isinstance(detail, list):
            detail = {"non_field_errors": detail}
        response.data = _body(code="invalid", detail="Invalid input.", fields=detail)
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        response.data = _body(code=code, detail=str(getattr(exc, "detail", exc)))
    return response


def json_404(request, exception=None):
    return JsonResponse(_body(code="not_found", detail="Not found."), status=status.HTTP_404_NOT_FOUND)


#: Seconds a client is asked to wait when the database could not be reached.
DATABASE_RETRY_AFTER = 1


def json_500(request):
    """``handler500`` of every service: 503 with ``Retry-After`` when the database is unreachable.

    Django calls it while handling the uncaught exception, so that exception is
    at hand. A connection the database dropped or refused (``OperationalError``,
    ``InterfaceError`` for one already closed: a restart, a failover, a killed
    backend, too many clients) is a transient outage, not a server bug: the
    client may try again, and Django opens a new connection for the next request.
    API views end here too (the DRF handler leaves these errors unhandled).
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = JsonResponse(
            _body(code="database_unavailable", detail="The database is unavailable; try again shortly."),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    return JsonResponse(
        _body(code="server_error", detail="Internal server error."),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def json_400(request, exception=None):
    return JsonResponse(_body(code="bad_request", detail="Bad request."), status=status.HTTP_400_BAD_REQUEST)


def json_403(request, exception=None):
    return JsonResponse(
        _body(code="permission_denied", detail="Permission denied."), status=status.HTTP_403_FORBIDDEN
    )
