"""Routes of the live interview pad. Reversible.

``Route.websocket``: a route on which the gateway proxies a WebSocket upgrade
(every other route refuses one). ``/pad/`` (the candidate's page) goes to the
monolith; ``/pad/ws/`` (the pad's WebSocket) to ``monolith_ws``, the monolith's
ASGI process (Procfile ``monolith-ws``).
"""

import importlib

from django.db import migrations, models

defaults = importlib.import_module("gateway_proxy.migrations.0002_seed_default_routes")

SEEDS = [
    {"prefix": "/pad/", "legacy_service": "monolith"},
    # A WebSocket lives long: the timeout is the handshake's only.
    {"prefix": "/pad/ws/", "legacy_service": "monolith_ws", "websocket": True, "retries": 0},
]


def seed(apps, schema_editor):
    defaults.seed_routes(apps, SEEDS, reason="live interview pad")


def unseed(apps, schema_editor):
    defaults.unseed_routes(apps, [seed["prefix"] for seed in SEEDS])


class Migration(migrations.Migration):
    dependencies = [("gateway", "0007_service_admin_routes")]

    operations = [
        migrations.AddField(
            model_name="route",
            name="websocket",
            field=models.BooleanField(
                default=False,
                help_text="Proxy WebSocket upgrades on this route (refused on every other route).",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
