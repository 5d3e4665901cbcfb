"""Record the shop service's sales and stock in the legacy shop (moving the shop back), then verify.

    POLYCODE_SERVICE=shop manage.py export_shop_sales --output var/shop_sales.json
    manage.py import_shop_sales --source var/shop_sales.json --dry-run
    manage.py import_shop_sales --source var/shop_sales.json

Idempotent: a second run records nothing and reports the same totals.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from pydantic import ValidationError

from contracts.shop import ShopSalesExport
from monolith.shop_legacy.sales_import import shop_sales_import


class Command(BaseCommand):
    help = "Record the shop service's sales (ownership, no charge) and stock in the legacy shop."

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, help="Export file of export_shop_sales.")
        parser.add_argument("--dry-run", action="store_true", help="Import, verify and roll back.")

    def handle(self, *args, source: str, dry_run: bool = False, **options):
        path = Path(source)
        if not path.is_file():
            raise CommandError(f"no such file: {source}")
        try:
            document = ShopSalesExport.model_validate_json(path.read_bytes())
        except ValidationError as exc:
            raise CommandError(f"{source} is not a shop sales export: {exc}") from None
        report = shop_sales_import(document=document, dry_run=dry_run)
        lines = report.lines(dry_run=dry_run)
        if not report.ok:
            raise CommandError("\n".join(lines))
        self.stdout.write("\n".join(lines))
