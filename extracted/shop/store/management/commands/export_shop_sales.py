"""Export what the shop sold itself, and its stock, for the legacy shop (moving the shop back).

    POLYCODE_SERVICE=shop manage.py export_shop_sales --output var/shop_sales.json
    manage.py import_shop_sales --source var/shop_sales.json              # monolith side

The document is ``contracts.shop.ShopSalesExport`` (``extracted/shop/store/exports.py``);
``strangle`` takes the same document from ``GET /api/v1/shop/migration/export``.
"""

import sys

from django.core.management.base import BaseCommand

from extracted.shop.store.exports import shop_sales_export


class Command(BaseCommand):
    help = "Write the shop's own completed sales and its stock as JSON (stdout, or --output FILE)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="-", help="File to write; '-' for stdout.")

    def handle(self, *args, output: str = "-", **options):
        document = shop_sales_export()
        text = document.model_dump_json(indent=2)
        if output == "-":
            sys.stdout.write(text + "\n")
        else:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            self.stderr.write(
                f"exported {len(document.sales)} sale(s), {len(document.stock)} stock line(s), "
                f"{document.pending} order(s) pending"
            )
