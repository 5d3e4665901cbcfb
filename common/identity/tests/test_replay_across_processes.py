"""An assertion is accepted once by a service, whichever of its processes receives it.

Each service runs under gunicorn with its production settings and two worker
processes; the same assertion is sent on fresh connections, so both workers
see it. Production settings without a shared replay cache refuse to start.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from common.identity import keys
from common.identity.assertion import Identity, issue
from common.messaging.testing import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[3]
GATEWAY_KEY = keys.generate_private_pem()
SERVICE_KEY = keys.generate_private_pem()
# The monolith's production settings need its identity provider's RSA signing key.
OIDC_KEY = (
    rsa.generate_private_key(public_exponent=65537, key_size=2048)
    .private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    .decode()
)

# service -> (its WSGI application, its production settings)
SERVICES = {
    "monolith": ("monolith.wsgi:application", "monolith.settings.production"),
    "mailer": ("extracted.mailer.wsgi:application", "extracted.mailer.settings.production"),
    "shop": ("extracted.shop.wsgi:application", "extracted.shop.settings.production"),
}


def production_env(workdir: Path, **extra) -> dict:
    env = {
        **os.environ,
        "SECRET_KEY": "replay-suite-secret-key-0123456789abcdef0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{workdir / 'monolith.sqlite3'}",
        "SHOP_DATABASE_URL": f"sqlite:///{workdir / 'shop.sqlite3'}",
        "MAILER_DATABASE_URL": f"sqlite:///{workdir / 'mailer.sqlite3'}",
        "BROKER_URL": "memory://",
        "SITE_URL": "http://localhost:8000",
        "EMAIL_HOST": "127.0.0.1",
        "DEFAULT_FROM_EMAIL": "PolyCode <no-reply@example.com>",
        "POLYCODE_VAR_DIR": str(workdir),
        "GATEWAY_ASSERTION_PUBLIC_KEY": keys.public_pem(GATEWAY_KEY),
        "SERVICE_ASSERTION_PRIVATE_KEY": SERVICE_KEY,
        "SERVICE_ASSERTION_PUBLIC_KEY_MONOLITH": keys.public_pem(SERVICE_KEY),
        "OIDC_RSA_PRIVATE_KEY": OIDC_KEY,
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "LOG_LEVEL": "WARNING",
    }
    env.update(extra)
    return env


@pytest.fixture(params=list(SERVICES))
def service(request, tmp_path):
    name = request.param
    app, settings_module = SERVICES[name]
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), app, "-b", f"127.0.0.1:{port}", "-w", "2", "-k", "gthread", "--threads", "2",
         "--log-level", "warning"],
        cwd=ROOT, env=production_env(tmp_path, DJANGO_SETTINGS_MODULE=settings_module),
    )  # fmt: skip
    if not wait_for_port(port, 60):
        process.kill()
        pytest.fail(f"the {name} service did not start")
    yield name, f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=15)


def test_an_assertion_replayed_against_any_process_of_a_service_is_refused(service):
    name, url = service
    token = issue(Identity(user_id="1", username="ada"), audience=name, private_pem=GATEWAY_KEY)

    answers = []
    for _ in range(12):
        with requests.Session() as fresh_connection:
            response = fresh_connection.get(
                f"{url}/api/__replay_probe__/", headers={"X-PolyCode-Identity": token}, timeout=10
            )
        answers.append(response.json().get("code") if response.status_code == 401 else response.status_code)

    assert answers[0] != "assertion_replayed"
    assert answers[1:] == ["assertion_replayed"] * 11


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"REDIS_URL": ""}, "REDIS_URL"),
        ({"IDENTITY_REPLAY_CACHE": "default"}, "per-process cache"),
    ],
)
def test_production_settings_without_a_shared_replay_cache_refuse_to_start(tmp_path, extra, message):
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="monolith.settings.production", **extra)
    if not env["REDIS_URL"]:
        env.pop("REDIS_URL")

    started = subprocess.run(
        [sys.executable, "-c", "from monolith.wsgi import application"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr
    assert message in started.stderr
