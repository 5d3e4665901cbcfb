"""The legacy shop's side of the strangler's data step (``common/api/documents.py``), for the gateway only.

``GET /api/v1/shop/migration/export``: what the legacy shop sold (``LegacyShopExport``), for the
shop's import on the way out. ``POST /api/v1/shop/migration/import``: what the shop sold
(``ShopSalesExport``), recorded here on the way back.
"""

from common.api.documents import ExportApi, ImportApi
from contracts.shop import ShopSalesExport
from monolith.shop_legacy.exports import legacy_shop_export
from monolith.shop_legacy.sales_import import shop_sales_import


class LegacyShopExportApi(ExportApi):
    export = staticmethod(legacy_shop_export)


class ShopSalesImportApi(ImportApi):
    document = ShopSalesExport
    importer = staticmethod(shop_sales_import)
