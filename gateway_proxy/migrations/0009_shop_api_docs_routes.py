"""Routes to the shop's own API docs: ``/shop/api/docs/`` and ``/shop/api/schema/``. Reversible.

``/api/docs/`` and ``/api/schema/`` are the monolith's; the shop's docs page names its script and
schema from the path the client asked for (``common/api/docs.py``), so it loads the shop's.
"""

import importlib

from django.db import migrations

defaults = importlib.import_module("gateway_proxy.migrations.0002_seed_default_routes")

SEEDS = [
    {
        "prefix": f"/shop/api/{page}/",
        "mode": "extracted",
        "legacy_service": "",
        "extracted_service": "shop",
        "extracted_prefix": f"/api/{page}/",
    }
    for page in ("docs", "schema")
]


def seed(apps, schema_editor):
    defaults.seed_routes(apps, SEEDS, reason="the shop's API docs")


def unseed(apps, schema_editor):
    defaults.unseed_routes(apps, [s["prefix"] for s in SEEDS])


class Migration(migrations.Migration):
    dependencies = [("gateway", "0008_pad_routes")]

    operations = [migrations.RunPython(seed, unseed)]
