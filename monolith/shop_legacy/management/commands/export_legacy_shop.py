"""Export the legacy shop (items, stock, purchase history) as JSON for the shop service's import.

    manage.py export_legacy_shop --output var/legacy_shop.json

The shop service reads this file (``import_legacy_shop --source``); it never
reads the monolith's tables. The document is ``contracts.shop.LegacyShopExport``;
``strangle`` takes the same document from ``GET /api/v1/shop/migration/export``.
"""

import sys

from django.core.management.base import BaseCommand

from monolith.shop_legacy.exports import legacy_shop_export


class Command(BaseCommand):
    help = "Write the legacy shop's items and purchases as JSON (stdout, or --output FILE)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="-", help="File to write; '-' for stdout.")

    def handle(self, *args, output: str = "-", **options):
        document = legacy_shop_export()
        text = document.model_dump_json(indent=2)
        if output == "-":
            sys.stdout.write(text + "\n")
        else:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            self.stderr.write(
                f"exported {len(document.items)} item(s), {len(document.purchases)} purchase(s) to {output}"
            )
