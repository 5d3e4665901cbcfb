"""Default routes: the whole API on the monolith, the runner on its service.

Reversible: the reverse removes only the routes this migration created (and
their audit entries) if they are still as seeded.
"""

import secrets

from django.db import migrations

SEEDS = [
    {"prefix": "/api/v1/", "legacy_service": "monolith"},
    {"prefix": "/api/v1/accounts/", "legacy_service": "monolith"},
    {"prefix": "/api/v1/learning/", "legacy_service": "monolith"},
    {
        "prefix": "/api/v1/shop/",
        "legacy_service": "monolith",
        "extracted_service": "shop",
        "shadow_ignore_fields": ["id", "created_at", "updated_at", "status_url"],
    },
    {
        "prefix": "/api/runner/",
        "mode": "extracted",
        "legacy_service": "",
        "extracted_service": "runner",
        "extracted_prefix": "/api/",
        "timeout_seconds": 60.0,
        "retries": 0,
    },
    {"prefix": "/api/schema/", "legacy_service": "monolith"},
    {"prefix": "/api/docs/", "legacy_service": "monolith"},
    {"prefix": "/admin/", "legacy_service": "monolith"},
    {"prefix": "/static/", "legacy_service": "monolith"},
]


def snapshot(route):
    return {
        "prefix": route.prefix,
        "mode": route.mode,
        "legacy_service": route.legacy_service,
        "extracted_service": route.extracted_service,
        "extracted_prefix": route.extracted_prefix,
    }


def seed_routes(apps, seeds, *, reason: str) -> None:
    """Create the routes of ``seeds`` that do not exist yet, each with its audit entry."""
    Route = apps.get_model("gateway", "Route")
    RouteChange = apps.get_model("gateway", "RouteChange")
    for fields in seeds:
        values = {"mode": "legacy", "canary_salt": secrets.token_hex(8), **fields}
        prefix = values.pop("prefix")
        route, created = Route.objects.get_or_create(prefix=prefix, defaults=values)
        if created:
            RouteChange.objects.create(
                route=route,
                prefix=prefix,
                action="create",
                actor="migration",
                after=snapshot(route),
                reason=reason,
            )


def unseed_routes(apps, prefixes) -> None:
    """Remove the seeded routes of ``prefixes`` that nobody has changed since."""
    Route = apps.get_model("gateway", "Route")
    RouteChange = apps.get_model("gateway", "RouteChange")
    RouteChange.objects.filter(prefix__in=prefixes, actor="migration").delete()
    Route.objects.filter(prefix__in=prefixes, changes__isnull=True).delete()


def seed(apps, schema_editor):
    seed_routes(apps, SEEDS, reason="default route")


def unseed(apps, schema_editor):
    unseed_routes(apps, [s["prefix"] for s in SEEDS])


class Migration(migrations.Migration):
    dependencies = [("gateway", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
