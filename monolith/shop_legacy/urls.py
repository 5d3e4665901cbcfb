"""Legacy shop API, mounted at ``/api/v1/shop/``; a trailing slash is optional on every route."""

from django.urls import path, re_path

from monolith.shop_legacy.apis import (
    ItemDetailApi,
    ItemListApi,
    OrderDetailApi,
    PurchaseDetailApi,
    PurchaseListCreateApi,
)
from monolith.shop_legacy.migration_apis import LegacyShopExportApi, ShopSalesImportApi

app_name = "shop_legacy"

urlpatterns = [
    # The strangler's data step: the gateway on its own behalf only.
    path("migration/export", LegacyShopExportApi.as_view(), name="migration-export"),
    path("migration/import", ShopSalesImportApi.as_view(), name="migration-import"),
    re_path(r"^items/?$", ItemListApi.as_view(), name="item-list"),
    re_path(r"^items/(?P<item_id>[0-9]+)/?$", ItemDetailApi.as_view(), name="item-detail"),
    re_path(r"^purchases/?$", PurchaseListCreateApi.as_view(), name="purchase-list"),
    re_path(r"^purchases/(?P<purchase_id>[0-9]+)/?$", PurchaseDetailApi.as_view(), name="purchase-detail"),
    # Orders live in the shop service: the status URL of a purchase forwarded there.
    re_path(
        r"^orders/(?P<order_id>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/?$",
        OrderDetailApi.as_view(),
        name="order-detail",
    ),
]
