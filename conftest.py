"""Suite-wide rules for tests that need a real server.

A test marked ``postgres``, ``rabbitmq`` or ``sandbox`` is skipped on a
machine without that server, but fails when ``CI=true``: CI must prove the
behaviour against the real thing, never silently pass by skipping it.
"""

import os
import shutil

import pytest

REAL_SERVER_MARKERS = ("postgres", "rabbitmq", "sandbox")


def _available(marker: str) -> tuple[bool, str]:
    if marker == "postgres":
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        return "postgresql" in engine, f"database engine is {engine}, not PostgreSQL (set DATABASE_URL)"
    if marker == "rabbitmq":
        url = os.environ.get("BROKER_URL", "")
        return url.startswith("amqp"), "BROKER_URL does not point to RabbitMQ"
    if marker == "sandbox":
        return shutil.which("bwrap") is not None, "bubblewrap (bwrap) is not installed"
    return True, ""


def pytest_runtest_setup(item):
    for marker in REAL_SERVER_MARKERS:
        if item.get_closest_marker(marker) is None:
            continue
        ok, why = _available(marker)
        if ok:
            continue
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI requires a real server for this test: {why}", pytrace=False)
        pytest.skip(why)
