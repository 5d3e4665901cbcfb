from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from common.api.docs import SwaggerUIView


def health(request):
    return JsonResponse({"status": "ok", "service": "monolith"})


api_v1 = [
    path("accounts/", include("monolith.accounts.urls")),
    path("learning/", include("monolith.learning.urls")),
    path("shop/", include("monolith.shop_legacy.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health", health, name="health"),
    path("o/", include("monolith.identity.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerUIView.as_view(url_name="schema"), name="swagger-ui"),
]

handler400 = "common.api.errors.json_400"
handler403 = "common.api.errors.json_403"
handler404 = "common.api.errors.json_404"
handler500 = "common.api.errors.json_500"
