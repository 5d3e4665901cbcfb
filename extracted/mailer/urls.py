from django.contrib import admin
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET


@require_GET
def health(request):
    """Liveness and readiness of the mailer web process: it answers and its database does."""
    try:
        connection.ensure_connection()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "service": "mailer", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "service": "mailer", "database": "ok"})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("health", health, name="health"),
]

handler400 = "common.api.errors.json_400"
handler403 = "common.api.errors.json_403"
handler404 = "common.api.errors.json_404"
handler500 = "common.api.errors.json_500"
