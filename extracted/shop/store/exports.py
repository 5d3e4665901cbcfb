"""What the shop sold itself, and its stock, for the legacy shop (``contracts.shop.ShopSalesExport``).

Completed orders not imported from the legacy shop (each with the ledger reference of its payment),
how many orders are still in their saga, and the stock of the imported items. Read by
``manage.py export_shop_sales`` and by the strangler's data step (``GET /api/v1/shop/migration/export``).
"""

from django.utils import timezone

from contracts.shop import ShopSalesExport
from extracted.shop.store.models import Item, Order


def shop_sales_export() -> ShopSalesExport:
    orders = Order.objects.filter(state=Order.State.COMPLETED, legacy_purchase_id__isnull=True).order_by(
        "completed_at", "id"
    )
    return ShopSalesExport(
        exported_at=timezone.now().isoformat(),
        sales=[
            {
                "order_id": str(order.id),
                "user_id": order.user_id,
                "item_id": order.item_id,
                "price": order.price,
                "debit_reference": order.debit_step_id,
                "completed_at": (order.completed_at or order.updated_at).isoformat(),
            }
            for order in orders
        ],
        pending=Order.objects.filter(state=Order.State.PENDING).count(),
        stock=[
            {"item_id": item.legacy_id, "stock": item.stock}
            for item in Item.objects.filter(legacy_id__isnull=False).order_by("legacy_id")
        ],
    )
