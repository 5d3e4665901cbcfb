"""Routes for the pages people see, all rendered by the monolith (it owns their data).

The embedded identity provider (``/o/``) is routed too, so its sign-in page is on
the gateway's origin like every other page. Reversible like 0002.
"""

import importlib

from django.db import migrations

defaults = importlib.import_module("gateway_proxy.migrations.0002_seed_default_routes")

PAGE_PREFIXES = [
    "/o/",
    "/learn/",
    "/dashboard/",
    "/leaderboard/",
    "/signup/",
    "/password/",
    "/settings/",
    "/teams/",
    "/emails/",
]
SEEDS = [{"prefix": prefix, "legacy_service": "monolith"} for prefix in PAGE_PREFIXES]


def seed(apps, schema_editor):
    defaults.seed_routes(apps, SEEDS, reason="page route")


def unseed(apps, schema_editor):
    defaults.unseed_routes(apps, PAGE_PREFIXES)


class Migration(migrations.Migration):
    dependencies = [("gateway", "0002_seed_default_routes")]

    operations = [migrations.RunPython(seed, unseed)]
