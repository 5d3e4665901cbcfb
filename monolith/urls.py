from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django_prometheus.exports import ExportToDjangoView
from drf_spectacular.views import SpectacularAPIView

from common.api.docs import SwaggerUIView
from common.api.health import database_health


def health(request):
    return JsonResponse({"status": "ok", "service": "monolith"})


api_v1 = [
    path("accounts/", include("monolith.accounts.urls")),
    path("learning/", include("monolith.learning.urls")),
    path("shop/", include("monolith.shop_legacy.urls")),
    path("switches/", include("monolith.switches.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health", health, name="health"),
    # Scraped by Prometheus on this process; the gateway never forwards /metrics.
    path("metrics", ExportToDjangoView, name="metrics"),
    path("ready", database_health, name="ready"),
    path("o/", include("monolith.identity.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerUIView.as_view(url_name="schema"), name="swagger-ui"),
    # Pages people see (reached through the gateway's page routes).
    path("", include("monolith.accounts.pages.urls")),
    path("", include("monolith.learning.pages.urls")),
    path("", include("monolith.campaigns.urls")),
    path("", include("monolith.certificates.urls")),
    path("", include("monolith.interviews.urls")),
]

# JSON for API clients, a page for people (monolith/web/views.py).
handler400 = "monolith.web.views.bad_request"
handler403 = "monolith.web.views.permission_denied"
handler404 = "monolith.web.views.page_not_found"
handler500 = "monolith.web.views.server_error"
