"""Route the campaign pages (``/campaigns/``) to the monolith, which owns campaigns. Reversible."""

import importlib

from django.db import migrations

defaults = importlib.import_module("gateway_proxy.migrations.0002_seed_default_routes")

PREFIXES = ["/campaigns/"]
SEEDS = [{"prefix": prefix, "legacy_service": "monolith"} for prefix in PREFIXES]


def seed(apps, schema_editor):
    defaults.seed_routes(apps, SEEDS, reason="page route")


def unseed(apps, schema_editor):
    defaults.unseed_routes(apps, PREFIXES)


class Migration(migrations.Migration):
    dependencies = [("gateway", "0003_page_routes")]

    operations = [migrations.RunPython(seed, unseed)]
