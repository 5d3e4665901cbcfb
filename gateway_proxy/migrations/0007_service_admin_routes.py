"""Routes to the shop's and the mailer's own admin and static files.

A staff member signed in at the gateway reaches them with the gateway's identity
assertion, like the monolith's ``/admin/``. Reversible like ``0002``.
"""

import importlib

from django.db import migrations

defaults = importlib.import_module("gateway_proxy.migrations.0002_seed_default_routes")

SEEDS = [
    {"prefix": prefix, "mode": "extracted", "legacy_service": "", "extracted_service": service}
    for service in ("shop", "mailer")
    for prefix in (f"/{service}/admin/", f"/{service}/static/")
]


def seed(apps, schema_editor):
    defaults.seed_routes(apps, SEEDS, reason="service admin route")


def unseed(apps, schema_editor):
    defaults.unseed_routes(apps, [s["prefix"] for s in SEEDS])


class Migration(migrations.Migration):
    dependencies = [("gateway", "0006_interview_pages_routes")]

    operations = [migrations.RunPython(seed, unseed)]
