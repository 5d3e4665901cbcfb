"""What the legacy shop sold, as the document the shop service imports (``contracts.shop.LegacyShopExport``).

Read by ``manage.py export_legacy_shop`` and by the strangler's data step
(``GET /api/v1/shop/migration/export``); the shop never reads the monolith's tables.
"""

from django.utils import timezone

from contracts.shop import LegacyShopExport
from monolith.shop_legacy.models import Item, Purchase


def legacy_shop_export() -> LegacyShopExport:
    return LegacyShopExport(
        exported_at=timezone.now().isoformat(),
        items=[
            {
                "id": item.id,
                "kind": item.kind,
                "exercise_id": item.exercise_id,
                "validator_id": item.validator_id,
                "title": item.title,
                "hint_text": item.hint_text,
                "cost": item.cost,
                "stock": item.stock,
                "is_active": item.is_active,
                "exercise_title": item.exercise.title[:200],
            }
            for item in Item.objects.select_related("exercise").order_by("id")
        ],
        purchases=[
            {
                "id": purchase.id,
                "user_id": purchase.user_id,
                "item_id": purchase.item_id,
                "price_paid": purchase.price_paid,
                "debit_reference": purchase.debit_reference,
                "created_at": purchase.created_at.isoformat(),
            }
            for purchase in Purchase.objects.order_by("id")
        ],
    )
