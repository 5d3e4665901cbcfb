"""Route the certification pages to the monolith, which owns exams and certificates. Reversible.

``/exams/`` (taking an exam), ``/certificates/`` (the holder's list, public
verification and PDFs) and ``/u/`` (public profiles).
"""

import importlib

from django.db import migrations

defaults = importlib.import_module("gateway_proxy.migrations.0002_seed_default_routes")

PREFIXES = ["/exams/", "/certificates/", "/u/"]
SEEDS = [{"prefix": prefix, "legacy_service": "monolith"} for prefix in PREFIXES]


def seed(apps, schema_editor):
    defaults.seed_routes(apps, SEEDS, reason="page route")


def unseed(apps, schema_editor):
    defaults.unseed_routes(apps, PREFIXES)


class Migration(migrations.Migration):
    dependencies = [("gateway", "0004_campaign_pages_route")]

    operations = [migrations.RunPython(seed, unseed)]
