"""Import the legacy shop's export into the shop database, then verify it.

    POLYCODE_SERVICE=monolith manage.py export_legacy_shop --output var/legacy_shop.json
    POLYCODE_SERVICE=shop manage.py import_legacy_shop --source var/legacy_shop.json --dry-run
    POLYCODE_SERVICE=shop manage.py import_legacy_shop --source var/legacy_shop.json

``--source`` is a file or an http(s) URL serving the export. Idempotent: a
second run imports nothing and reports the same totals.
"""

import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from pydantic import ValidationError

from contracts.shop import LegacyShopExport
from extracted.shop.store.legacy_import import legacy_shop_import


class Command(BaseCommand):
    help = "Copy the legacy shop's items, stock and purchase history into the shop database."

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, help="Export file (export_legacy_shop) or URL.")
        parser.add_argument("--dry-run", action="store_true", help="Import, verify and roll back.")

    def handle(self, *args, source: str, dry_run: bool = False, **options):
        raw = self._read(source)
        try:
            document = LegacyShopExport.model_validate_json(raw)
        except ValidationError as exc:
            raise CommandError(f"{source} is not a legacy shop export: {exc}") from None
        report = legacy_shop_import(document=document, dry_run=dry_run)
        lines = report.lines(dry_run=dry_run)
        if not report.ok:
            raise CommandError("\n".join(lines))
        self.stdout.write("\n".join(lines))

    def _read(self, source: str) -> bytes:
        if source.startswith(("http://", "https://")):
            with urllib.request.urlopen(source, timeout=30) as response:  # noqa: S310 - http(s) only
                return response.read()
        path = Path(source)
        if not path.is_file():
            raise CommandError(f"no such file: {source}")
        return path.read_bytes()
