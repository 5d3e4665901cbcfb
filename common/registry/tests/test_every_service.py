"""Every service honours SERVICE_REGISTRY, in its own production settings.

Each case starts a fresh interpreter with one service's production settings (as
the container's entrypoint does) and asks its process-wide registry for an
instance. Consul's agent cannot run here: ``consul`` is answered by the HTTP
double of its agent API (consul_double.py).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from common.registry.tests.consul_double import ConsulDouble

ROOT = Path(__file__).resolve().parents[3]
SETTINGS = {
    "monolith": "monolith.settings.production",
    "mailer": "extracted.mailer.settings.production",
    "shop": "extracted.shop.settings.production",
    "runner": "extracted.runner.settings.production",
    "gateway": "gateway_proxy.settings.production",
}
ASK = """
import json, django
django.setup()
from django.conf import settings
from common.registry.base import NoInstance, get_registry
registry = get_registry()
try:
    url = registry.choose("runner").url
except NoInstance as exc:
    url = f"none: {exc}"
print(json.dumps({"kind": type(registry).__name__, "setting": settings.SERVICE_REGISTRY, "runner": url}))
"""


def production_environ(settings: str, **extra: str) -> dict:
    """The environment a production container gets (placeholder secrets: nothing is signed here)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SERVICE_URL_", "DJANGO_"))}
    environ.update(
        DJANGO_SETTINGS_MODULE=settings,
        SECRET_KEY="registry-test-placeholder",
        ALLOWED_HOSTS="localhost",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/dep_unused",
        MAILER_DATABASE_URL="postgres://postgres@127.0.0.1:5432/dep_unused",
        SHOP_DATABASE_URL="postgres://postgres@127.0.0.1:5432/dep_unused",
        GATEWAY_DATABASE_URL="postgres://postgres@127.0.0.1:5432/dep_unused",
        BROKER_URL="amqp://guest:guest@127.0.0.1:5672//",
        REDIS_URL="redis://127.0.0.1:6379/0",
        EMAIL_HOST="localhost",
        DEFAULT_FROM_EMAIL="PolyCode <no-reply@example.org>",
        SITE_URL="https://polycode.example.org",
        OIDC_ISSUER="https://keycloak.example.org/realms/polycode",
        OIDC_RP_CLIENT_ID="polycode-gateway",
        OIDC_RP_CLIENT_SECRET="registry-test-placeholder",
        GATEWAY_ASSERTION_PRIVATE_KEY="registry-test-placeholder",
        SERVICE_ASSERTION_PRIVATE_KEY="registry-test-placeholder",
        OIDC_RSA_PRIVATE_KEY="registry-test-placeholder",
        RUNNER_SANDBOX_AT_START="false",
        **extra,
    )
    return environ


def ask(settings: str, **extra: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", ASK],
        cwd=ROOT,
        env=production_environ(settings, **extra),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_under_consul_each_service_resolves_the_instances_consul_reports_passing(service):
    with ConsulDouble() as consul:
        consul.add_instance("runner", 18003, address="10.1.2.3")
        consul.add_instance("runner", 18004, address="10.1.2.4", passing=False)
        answer = ask(SETTINGS[service], SERVICE_REGISTRY="consul", CONSUL_HTTP_ADDR=consul.address)
        asked = [path for method, path in consul.calls if method == "GET"]
    assert answer == {"kind": "ConsulRegistry", "setting": "consul", "runner": "http://10.1.2.3:18003"}
    assert "/v1/health/service/runner" in asked


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_static_each_service_calls_the_url_it_is_given_such_as_its_mesh_sidecar_upstream(service):
    answer = ask(SETTINGS[service], SERVICE_REGISTRY="static", SERVICE_URL_RUNNER="http://127.0.0.1:20003")
    assert answer == {"kind": "StaticRegistry", "setting": "static", "runner": "http://127.0.0.1:20003"}


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_in_production_a_service_the_environment_does_not_name_is_unknown(service):
    answer = ask(SETTINGS[service], SERVICE_REGISTRY="static")
    assert answer["kind"] == "StaticRegistry"
    assert answer["runner"].startswith("none: No service named 'runner'")
