from django.urls import path
from django_prometheus.exports import ExportToDjangoView
from drf_spectacular.views import SpectacularAPIView

from common.api.docs import SwaggerUIView
from extracted.runner.apis import HealthApi, JudgeApi, LanguagesApi, RunApi

urlpatterns = [
    path("health", HealthApi.as_view(), name="health"),
    # Scraped by Prometheus on this process; the gateway never forwards /metrics.
    path("metrics", ExportToDjangoView, name="metrics"),
    # Ready as soon as it is alive: the sandbox is built before the first request.
    path("ready", HealthApi.as_view(), name="ready"),
    path("api/languages", LanguagesApi.as_view(), name="languages"),
    path("api/runs", RunApi.as_view(), name="runs"),
    path("api/judge", JudgeApi.as_view(), name="judge"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerUIView.as_view(url_name="schema"), name="swagger-ui"),
]

handler400 = "common.api.errors.json_400"
handler403 = "common.api.errors.json_403"
handler404 = "common.api.errors.json_404"
handler500 = "common.api.errors.json_500"
