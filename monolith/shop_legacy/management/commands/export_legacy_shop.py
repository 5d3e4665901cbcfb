"""Export the legacy shop (items, stock, purchase history) as JSON for the shop service's import.

    manage.py export_legacy_shop --output var/legacy_shop.json

The shop service reads this file (``import_legacy_shop --source``); it never
reads the monolith's tables. The document is ``contracts.shop.LegacyShopExport``.
"""

import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from contracts.shop import LegacyShopExport
from monolith.shop_legacy.models import Item, Purchase


class Command(BaseCommand):
    help = "Write the legacy shop's items and purchases as JSON (stdout, or --output FILE)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="-", help="File to write; '-' for stdout.")

    def handle(self, *args, output: str = "-", **options):
        document = LegacyShopExport(
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
        text = document.model_dump_json(indent=2)
        if output == "-":
            sys.stdout.write(text + "\n")
        else:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            self.stderr.write(
                f"exported {len(document.items)} item(s), {len(document.purchases)} purchase(s) to {output}"
            )
