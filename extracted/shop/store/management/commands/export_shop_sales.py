"""Export what the shop sold itself, and its stock, for the legacy shop (moving the shop back).

    POLYCODE_SERVICE=shop manage.py export_shop_sales --output var/shop_sales.json
    manage.py import_shop_sales --source var/shop_sales.json              # monolith side

The document is ``contracts.shop.ShopSalesExport``: completed orders not imported from the
legacy shop (each with the ledger reference of its payment) and the stock of the imported items.
"""

import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from contracts.shop import ShopSalesExport
from extracted.shop.store.models import Item, Order


class Command(BaseCommand):
    help = "Write the shop's own completed sales and its stock as JSON (stdout, or --output FILE)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="-", help="File to write; '-' for stdout.")

    def handle(self, *args, output: str = "-", **options):
        orders = Order.objects.filter(state=Order.State.COMPLETED, legacy_purchase_id__isnull=True).order_by(
            "completed_at", "id"
        )
        document = ShopSalesExport(
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
