"""Import the legacy shop's export into the shop database, then verify it.

    POLYCODE_SERVICE=monolith manage.py export_legacy_shop --output var/legacy_shop.json
    POLYCODE_SERVICE=shop manage.py import_legacy_shop --source var/legacy_shop.json --dry-run
    POLYCODE_SERVICE=shop manage.py import_legacy_shop --source var/legacy_shop.json

``--source`` is a file or an http(s) URL serving the export. Idempotent: a
second run imports nothing and reports the same totals.
"""

from common.api.documents import ImportCommand
from contracts.shop import LegacyShopExport
from extracted.shop.store.legacy_import import legacy_shop_import


class Command(ImportCommand):
    help = "Copy the legacy shop's items, stock and purchase history into the shop database."
    document = LegacyShopExport
    document_name = "legacy shop export"
    importer = staticmethod(legacy_shop_import)
