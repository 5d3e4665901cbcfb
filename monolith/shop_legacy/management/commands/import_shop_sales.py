"""Record the shop service's sales and stock in the legacy shop (moving the shop back), then verify.

    POLYCODE_SERVICE=shop manage.py export_shop_sales --output var/shop_sales.json
    manage.py import_shop_sales --source var/shop_sales.json --dry-run
    manage.py import_shop_sales --source var/shop_sales.json

Idempotent: a second run records nothing and reports the same totals.
"""

from common.api.documents import ImportCommand
from contracts.shop import ShopSalesExport
from monolith.shop_legacy.sales_import import shop_sales_import


class Command(ImportCommand):
    help = "Record the shop service's sales (ownership, no charge) and stock in the legacy shop."
    document = ShopSalesExport
    document_name = "shop sales export"
    importer = staticmethod(shop_sales_import)
