"""Export what the shop sold itself, and its stock, for the legacy shop (moving the shop back).

    POLYCODE_SERVICE=shop manage.py export_shop_sales --output var/shop_sales.json
    manage.py import_shop_sales --source var/shop_sales.json              # monolith side

The document is ``contracts.shop.ShopSalesExport`` (``extracted/shop/store/exports.py``);
``strangle`` takes the same document from ``GET /api/v1/shop/migration/export``.
"""

from common.api.documents import ExportCommand
from extracted.shop.store.exports import shop_sales_export


class Command(ExportCommand):
    help = "Write the shop's own completed sales and its stock as JSON (stdout, or --output FILE)."
    export = staticmethod(shop_sales_export)
    summary = staticmethod(
        lambda d: (
            f"exported {len(d.sales)} sale(s), {len(d.stock)} stock line(s), {d.pending} order(s) pending"
        )
    )
