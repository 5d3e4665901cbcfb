#!/usr/bin/env python
"""Runs any PolyCode Django service; the monolith's by default.

Pick a service with ``--settings=extracted.shop.settings.local`` or with the
``POLYCODE_SERVICE`` environment variable (monolith, mailer, shop, runner,
gateway) and ``POLYCODE_ENV`` (local, production, test).
"""

import os
import sys

SERVICES = {
    "monolith": "monolith.settings",
    "mailer": "extracted.mailer.settings",
    "shop": "extracted.shop.settings",
    "runner": "extracted.runner.settings",
    "gateway": "gateway_proxy.settings",
}


def main() -> None:
    service = os.environ.get("POLYCODE_SERVICE", "monolith")
    if service not in SERVICES:
        sys.exit(f"POLYCODE_SERVICE must be one of {', '.join(SERVICES)}, not {service!r}")
    flavour = os.environ.get("POLYCODE_ENV", "local")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"{SERVICES[service]}.{flavour}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
