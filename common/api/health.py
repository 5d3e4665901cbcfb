"""The health view of a service with a database: it answers, and its database does."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def database_health(request):
    """Readiness of this web process (``SERVICE_NAME``, ``/ready``): 503 while its database is down.

    Orchestrators take a pod out of its Service while this fails; liveness stays on
    ``/health`` (the shop's and the mailer's are this same view).
    """
    service = settings.SERVICE_NAME
    try:
        connection.ensure_connection()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "service": service, "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "service": service, "database": "ok"})
