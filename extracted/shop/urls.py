from django.contrib import admin
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from extracted.shop.store.apis import (
    ItemDetailApi,
    ItemListApi,
    OrderDetailApi,
    OrderListApi,
    PurchaseListCreateApi,
)


@require_GET
def health(request):
    """Liveness and readiness of the shop web process: it answers and its database does."""
    try:
        connection.ensure_connection()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "service": "shop", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "service": "shop", "database": "ok"})


shop_api = [
    re_path(r"^items/?$", ItemListApi.as_view(), name="item-list"),
    re_path(r"^items/(?P<item_id>[0-9]{1,19})/?$", ItemDetailApi.as_view(), name="item-detail"),
    re_path(r"^purchases/?$", PurchaseListCreateApi.as_view(), name="purchase-list"),
    re_path(r"^orders/?$", OrderListApi.as_view(), name="order-list"),
    re_path(
        r"^orders/(?P<order_id>[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12})/?$",
        OrderDetailApi.as_view(),
        name="order-detail",
    ),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health", health, name="health"),
    path("api/v1/shop/", include((shop_api, "shop"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

handler400 = "common.api.errors.json_400"
handler403 = "common.api.errors.json_403"
handler404 = "common.api.errors.json_404"
handler500 = "common.api.errors.json_500"
