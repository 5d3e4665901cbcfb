from django.contrib import admin
from django.urls import include, path, re_path
from django_prometheus.exports import ExportToDjangoView
from drf_spectacular.views import SpectacularAPIView

from common.api.docs import SwaggerUIView
from common.api.health import database_health
from extracted.shop.store.apis import (
    ItemDetailApi,
    ItemListApi,
    OrderDetailApi,
    OrderListApi,
    PurchaseListCreateApi,
)
from extracted.shop.store.migration_apis import LegacyShopImportApi, ShopSalesExportApi

shop_api = [
    # The strangler's data step: the gateway on its own behalf only.
    path("migration/export", ShopSalesExportApi.as_view(), name="migration-export"),
    path("migration/import", LegacyShopImportApi.as_view(), name="migration-import"),
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
    # Reached through the gateway at /shop/admin/ (its own route; /admin/ is the monolith's).
    path("shop/admin/", admin.site.urls),
    path("health", database_health, name="health"),
    # Scraped by Prometheus on this process; the gateway never forwards /metrics.
    path("metrics", ExportToDjangoView, name="metrics"),
    path("ready", database_health, name="ready"),
    path("api/v1/shop/", include((shop_api, "shop"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerUIView.as_view(url_name="schema"), name="swagger-ui"),
]

handler400 = "common.api.errors.json_400"
handler403 = "common.api.errors.json_403"
handler404 = "common.api.errors.json_404"
handler500 = "common.api.errors.json_500"
