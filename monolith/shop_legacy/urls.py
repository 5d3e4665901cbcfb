"""Legacy shop API, mounted at ``/api/v1/shop/``; a trailing slash is optional on every route."""

from django.urls import re_path

from monolith.shop_legacy.apis import (
    ItemDetailApi,
    ItemListApi,
    OrderDetailApi,
    PurchaseDetailApi,
    PurchaseListCreateApi,
)

app_name = "shop_legacy"

urlpatterns = [
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
