from django.contrib import admin
from django.urls import path
from django_prometheus.exports import ExportToDjangoView

from common.api.health import database_health

urlpatterns = [
    # Reached through the gateway at /mailer/admin/ (its own route; /admin/ is the monolith's).
    path("mailer/admin/", admin.site.urls),
    path("health", database_health, name="health"),
    # Scraped by Prometheus on this process; the gateway never forwards /metrics.
    path("metrics", ExportToDjangoView, name="metrics"),
    path("ready", database_health, name="ready"),
]

handler400 = "common.api.errors.json_400"
handler403 = "common.api.errors.json_403"
handler404 = "common.api.errors.json_404"
handler500 = "common.api.errors.json_500"
