"""Route the coding-interview pages to the monolith, which owns assessments. Reversible.

``/recruit/`` (a recruiting team's assessments, candidates and reports) and
``/assessment/`` (a candidate's start page and timed attempt, no account needed).
"""

import importlib

from django.db import migrations

defaults = importlib.import_module("gateway_proxy.migrations.0002_seed_default_routes")

PREFIXES = ["/recruit/", "/assessment/"]
SEEDS = [{"prefix": prefix, "legacy_service": "monolith"} for prefix in PREFIXES]


def seed(apps, schema_editor):
    defaults.seed_routes(apps, SEEDS, reason="page route")


def unseed(apps, schema_editor):
    defaults.unseed_routes(apps, PREFIXES)


class Migration(migrations.Migration):
    dependencies = [("gateway", "0005_certificate_pages_routes")]

    operations = [migrations.RunPython(seed, unseed)]
