"""Routes to the shop's and the mailer's own admin and static files.

A staff member signed in at the gateway reaches them with the gateway's identity
assertion, like the monolith's ``/admin/``. Reversible like ``0002``.
"""

import secrets

from django.db import migrations

SEEDS = [
    {"prefix": "/shop/admin/", "extracted_service": "shop"},
    {"prefix": "/shop/static/", "extracted_service": "shop"},
    {"prefix": "/mailer/admin/", "extracted_service": "mailer"},
    {"prefix": "/mailer/static/", "extracted_service": "mailer"},
]


def seed(apps, schema_editor):
    Route = apps.get_model("gateway", "Route")
    RouteChange = apps.get_model("gateway", "RouteChange")
    for fields in SEEDS:
        values = {"mode": "extracted", "legacy_service": "", "canary_salt": secrets.token_hex(8), **fields}
        prefix = values.pop("prefix")
        route, created = Route.objects.get_or_create(prefix=prefix, defaults=values)
        if created:
            RouteChange.objects.create(
                route=route,
                prefix=prefix,
                action="create",
                actor="migration",
                after={
                    "prefix": prefix,
                    "mode": route.mode,
                    "legacy_service": route.legacy_service,
                    "extracted_service": route.extracted_service,
                    "extracted_prefix": route.extracted_prefix,
                },
                reason="service admin route",
            )


def unseed(apps, schema_editor):
    Route = apps.get_model("gateway", "Route")
    RouteChange = apps.get_model("gateway", "RouteChange")
    prefixes = [s["prefix"] for s in SEEDS]
    RouteChange.objects.filter(prefix__in=prefixes, actor="migration").delete()
    Route.objects.filter(prefix__in=prefixes, changes__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("gateway", "0002_seed_default_routes")]

    operations = [migrations.RunPython(seed, unseed)]
