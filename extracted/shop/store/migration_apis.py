"""The shop's side of the strangler's data step (``common/api/documents.py``), for the gateway only.

``POST /api/v1/shop/migration/import``: the legacy shop's export (``LegacyShopExport``), imported
on the way out. ``GET /api/v1/shop/migration/export``: what the shop sold (``ShopSalesExport``),
for the legacy shop on the way back.
"""

from common.api.documents import ExportApi, ImportApi
from contracts.shop import LegacyShopExport
from extracted.shop.store.exports import shop_sales_export
from extracted.shop.store.legacy_import import legacy_shop_import


class ShopSalesExportApi(ExportApi):
    export = staticmethod(shop_sales_export)


class LegacyShopImportApi(ImportApi):
    document = LegacyShopExport
    importer = staticmethod(legacy_shop_import)
