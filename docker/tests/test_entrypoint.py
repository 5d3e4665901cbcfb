"""The image's entrypoint starts every process of the Procfile, outside a container.

Each command runs exactly as in the image (``docker/entrypoint.sh web gateway``…),
with production settings, against the real PostgreSQL and RabbitMQ of this
machine; only the interpreter's location differs (the image's /opt/venv is this
checkout's virtualenv, first on PATH). Secrets reach the processes through
``NAME_FILE`` variables, as from the compose file's keys volume or mounted
Kubernetes Secrets.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
import requests

from common.messaging.testing import RabbitVhost, free_port, wait_until, with_database

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
# The server the suite's DATABASE_URL names (bin/test), else the local one.
POSTGRES = with_database(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/x", "postgres")
DATABASES = {
    "DATABASE_URL": "dep_entry_monolith",
    "MAILER_DATABASE_URL": "dep_entry_mailer",
    "SHOP_DATABASE_URL": "dep_entry_shop",
    "GATEWAY_DATABASE_URL": "dep_entry_gateway",
}
pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


def create_databases():
    connection = psycopg.connect(POSTGRES, autocommit=True)
    with connection.cursor() as cursor:
        for name in DATABASES.values():
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


@pytest.fixture(scope="module")
def environ(tmp_path_factory):
    """A production container's environment, pointing at this machine's servers."""
    if not os.environ.get("BROKER_URL", "").startswith("amqp"):
        pytest.skip("BROKER_URL does not point to RabbitMQ")
    create_databases()
    keys = tmp_path_factory.mktemp("keys")
    # As the compose file's one-shot keys service does.
    subprocess.run(
        [sys.executable, "docker/compose_keys.py", str(keys)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
    )
    venv_bin = Path(sys.executable).parent
    with RabbitVhost(os.environ["BROKER_URL"], prefix="dep-entrypoint") as vhost:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SERVICE_URL_"))}
        env.update({name: with_database(POSTGRES, db) for name, db in DATABASES.items()})
        env.update(
            PATH=f"{venv_bin}{os.pathsep}{env.get('PATH', '')}",
            POLYCODE_ENV="production",
            POLYCODE_VAR_DIR=str(tmp_path_factory.mktemp("var")),
            SECRET_KEY_FILE=str(keys / "secret-key"),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            BROKER_URL=vhost.url,
            REDIS_URL="redis://127.0.0.1:6379/0",
            SITE_URL="http://localhost:8000",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(free_port()),
            DEFAULT_FROM_EMAIL="PolyCode <no-reply@polycode.localhost>",
            SERVICE_REGISTRY="static",
            OIDC_ISSUER="http://127.0.0.1:1/realms/polycode",
            OIDC_RP_CLIENT_ID="polycode-gateway",
            OIDC_RP_CLIENT_SECRET_FILE=str(keys / "secret-key"),
            GATEWAY_ASSERTION_PRIVATE_KEY_FILE=str(keys / "gateway-assertion.pem"),
            GATEWAY_ASSERTION_PUBLIC_KEY_FILE=str(keys / "gateway-assertion.pub.pem"),
            SERVICE_ASSERTION_PRIVATE_KEY_FILE=str(keys / "monolith-assertion.pem"),
            SERVICE_ASSERTION_PUBLIC_KEY_MONOLITH_FILE=str(keys / "monolith-assertion.pub.pem"),
            OIDC_RSA_PRIVATE_KEY_FILE=str(keys / "oidc-rsa.pem"),
            WEB_WORKERS="1",
            WEB_THREADS="2",
            WORKER_CONCURRENCY="1",
        )
        for service in ("monolith", "mailer", "shop", "gateway"):
            done = run("migrate", service, env=env)
            assert done.returncode == 0, done.stdout
        yield env


def run(*command: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ENTRYPOINT), *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class Started:
    """A long-running process started by the entrypoint, stopped with SIGTERM like a pod."""

    def __init__(self, *command: str, env: dict):
        self.log = Path(env["POLYCODE_VAR_DIR"]) / f"{'-'.join(command)}.log"
        self.handle = self.log.open("w")
        self.process = subprocess.Popen(
            [str(ENTRYPOINT), *command],
            cwd=ROOT,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text()

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> int:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            code = self.process.wait()
        self.handle.close()
        return code


def get(url: str):
    try:
        return requests.get(url, timeout=2)
    except requests.RequestException:
        return None


WEB = ["monolith", "mailer", "shop", "gateway", pytest.param("runner", marks=pytest.mark.sandbox)]


@pytest.mark.parametrize("service", WEB)
def test_web_serves_health_and_readiness_with_production_settings_under_gunicorn(environ, service):
    port = free_port()
    web = Started("web", service, env={**environ, "PORT": str(port), "BIND_ADDRESS": "127.0.0.1"})
    try:
        health = wait_until(
            lambda: get(f"http://127.0.0.1:{port}/health") or (not web.alive() and "exited"),
            timeout=60,
            interval=0.2,
            what=f"{service} /health",
        )
        assert health != "exited", web.output()
        ready = get(f"http://127.0.0.1:{port}/ready")
    finally:
        code = web.stop()
    assert health.status_code == 200, health.text
    assert ready is not None
    assert ready.status_code == 200, ready.text
    log = web.output()
    assert "gunicorn" in log.lower()
    assert code == 0, log


@pytest.mark.parametrize("queue", ["mailer", "shop", "account"])
def test_worker_consumes_its_queue_on_rabbitmq_and_stops_on_sigterm(environ, queue):
    worker = Started("worker", queue, env=environ)
    try:
        wait_until(
            lambda: "ready." in worker.output() or not worker.alive(),
            timeout=60,
            interval=0.2,
            what=f"{queue} worker ready",
        )
        assert worker.alive(), worker.output()
    finally:
        code = worker.stop()
    log = worker.output()
    assert f".> {queue}" in log, log
    assert code == 0, log


@pytest.mark.parametrize(
    ("service", "module"),
    [
        ("monolith", "monolith.settings.production"),
        ("mailer", "extracted.mailer.settings.production"),
        ("shop", "extracted.shop.settings.production"),
        ("runner", "extracted.runner.settings.production"),
        ("gateway", "gateway_proxy.settings.production"),
    ],
)
def test_every_command_of_a_service_runs_with_its_production_settings(environ, service, module):
    probe = "from django.conf import settings; print(settings.SETTINGS_MODULE)"
    done = run("manage", service, "shell", "-c", probe, env={**environ, "RUNNER_SANDBOX_AT_START": "false"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == module


@pytest.mark.parametrize("service", ["monolith", "mailer", "shop"])
def test_relay_runs_until_sigterm(environ, service):
    relay = Started("relay", service, env=environ)
    try:
        time.sleep(3)
        assert relay.alive(), relay.output()
    finally:
        code = relay.stop()
    assert code in (0, -signal.SIGTERM), relay.output()


def test_periodic_shop_sweep_runs_once_against_the_shop_database(environ):
    done = run("periodic", "shop-sweep", env=environ)
    assert done.returncode == 0, done.stderr
    assert "expired 0 order(s)" in done.stdout


def test_migrate_applies_each_service_to_its_own_database(environ):
    done = run("manage", "shop", "showmigrations", "store", env=environ)
    assert done.returncode == 0, done.stderr
    assert "[ ]" not in done.stdout
    assert "[X]" in done.stdout


def test_an_unknown_process_is_refused_with_the_valid_names(environ):
    done = run("worker", "billing", env=environ)
    assert done.returncode == 64
    assert "mailer, shop, account" in done.stderr


class KeycloakDiscovery:
    """Keycloak's discovery document for realm ``polycode``, with Keycloak's endpoint paths.

    Keycloak cannot run here (no container engine); only the document the gateway
    reads at login is served, shaped as Keycloak 26 publishes it.
    """

    def __init__(self):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path != "/realms/polycode/.well-known/openid-configuration":
                    self.send_response(404)
                    self.end_headers()
                    return
                raw = json.dumps(outer.document()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}/realms/polycode"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def document(self) -> dict:
        protocol = f"{self.issuer}/protocol/openid-connect"
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{protocol}/auth",
            "token_endpoint": f"{protocol}/token",
            "userinfo_endpoint": f"{protocol}/userinfo",
            "jwks_uri": f"{protocol}/certs",
            "end_session_endpoint": f"{protocol}/logout",
            "code_challenge_methods_supported": ["plain", "S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_the_gateway_sends_browsers_to_keycloak_with_its_client_and_pkce(environ):
    keycloak = KeycloakDiscovery()
    port = free_port()
    env = {**environ, "PORT": str(port), "BIND_ADDRESS": "127.0.0.1", "OIDC_ISSUER": keycloak.issuer}
    web = Started("web", "gateway", env=env)
    try:
        wait_until(
            lambda: get(f"http://127.0.0.1:{port}/health") or not web.alive(), timeout=60, interval=0.2
        )
        assert web.alive(), web.output()
        response = requests.get(
            f"http://127.0.0.1:{port}/oidc/authenticate/", allow_redirects=False, timeout=5
        )
    finally:
        web.stop()
        keycloak.close()
    assert response.status_code == 302, web.output()
    location = urlsplit(response.headers["Location"])
    query = parse_qs(location.query)
    assert (
        f"{location.scheme}://{location.netloc}{location.path}"
        == f"{keycloak.issuer}/protocol/openid-connect/auth"
    )
    assert query["client_id"] == ["polycode-gateway"]
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert "openid" in query["scope"][0].split()


def test_web_monolith_ws_serves_the_pads_websocket_under_daphne_with_production_settings(environ):
    port = free_port()
    web = Started("web", "monolith-ws", env={**environ, "PORT": str(port), "BIND_ADDRESS": "127.0.0.1"})
    try:
        health = wait_until(
            lambda: get(f"http://127.0.0.1:{port}/health") or (not web.alive() and "exited"),
            timeout=60,
            interval=0.2,
            what="monolith-ws /health",
        )
        assert health != "exited", web.output()
        ready = get(f"http://127.0.0.1:{port}/ready")
        page = get(f"http://127.0.0.1:{port}/recruit/")  # pages are the WSGI process's
    finally:
        code = web.stop()
    assert (health.status_code, ready.status_code, page.status_code) == (200, 200, 404)
    assert "daphne" in web.output().lower()
    assert code == 0, web.output()
