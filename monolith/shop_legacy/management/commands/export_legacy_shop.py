"""Export the legacy shop (items, stock, purchase history) as JSON for the shop service's import.

    manage.py export_legacy_shop --output var/legacy_shop.json

The shop service reads this file (``import_legacy_shop --source``); it never
reads the monolith's tables. The document is ``contracts.shop.LegacyShopExport``;
``strangle`` takes the same document from ``GET /api/v1/shop/migration/export``.
"""

from common.api.documents import ExportCommand
from monolith.shop_legacy.exports import legacy_shop_export


class Command(ExportCommand):
    help = "Write the legacy shop's items and purchases as JSON (stdout, or --output FILE)."
    export = staticmethod(legacy_shop_export)
    summary = staticmethod(lambda d: f"exported {len(d.items)} item(s), {len(d.purchases)} purchase(s)")
