"""The Consul backend and the registrar against a double of Consul's HTTP API.

Consul's agent cannot run on this machine; ``ConsulDouble`` serves the same
endpoints (paths, methods, payloads, status codes) the code uses.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from common.registry.base import NoInstance, UnknownService
from common.registry.consul import ConsulRegistry, make_client
from common.registry.registrar import Registrar, Registration
from common.registry.tests.consul_double import ConsulDouble

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def consul():
    with ConsulDouble() as double:
        yield double


class Health:
    """A service instance whose /health answers 200 while ``up``."""

    def __init__(self):
        self.up = True
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self.send_response(200 if outer.up else 503)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def instance():
    health = Health()
    yield health
    health.close()


def test_only_healthy_instances_are_returned_round_robin(consul):
    consul.add_instance("runner", 9001)
    consul.add_instance("runner", 9002)
    consul.add_instance("runner", 9003, passing=False)
    registry = ConsulRegistry(make_client(consul.address), cache_seconds=0)

    ports = sorted({registry.choose("runner").port for _ in range(6)})

    assert ports == [9001, 9002]
    assert ("GET", "/v1/health/service/runner") in consul.calls


def test_answers_are_cached_for_a_few_seconds(consul):
    consul.add_instance("runner", 9001)
    registry = ConsulRegistry(make_client(consul.address), cache_seconds=60)
    registry.instances("runner")
    consul.add_instance("runner", 9002)

    assert [i.port for i in registry.instances("runner")] == [9001]
    assert consul.calls.count(("GET", "/v1/health/service/runner")) == 1


def test_a_service_consul_does_not_know_is_unknown_and_one_all_critical_has_no_instance(consul):
    consul.add_instance("mailer", 9004, passing=False)
    registry = ConsulRegistry(make_client(consul.address), cache_seconds=0)

    with pytest.raises(UnknownService):
        registry.instances("evil")
    with pytest.raises(NoInstance) as exc:
        registry.choose("mailer")
    assert not isinstance(exc.value, UnknownService)


def test_a_consul_outage_serves_the_last_answer_then_fails(consul):
    consul.add_instance("runner", 9001)
    registry = ConsulRegistry(make_client(consul.address, timeout=0.5), cache_seconds=0, stale_seconds=60)
    registry.instances("runner")
    consul.server.shutdown()
    consul.server.server_close()

    assert [i.port for i in registry.instances("runner")] == [9001]
    registry.stale_seconds = 0
    with pytest.raises(NoInstance, match="unreachable"):
        registry.instances("runner")


def test_the_registrar_registers_with_http_and_ttl_checks_and_heartbeats(consul, instance):
    registration = Registration(name="runner", address="127.0.0.1", port=instance.port, ttl_seconds=15)
    registrar = Registrar(make_client(consul.address), registration)
    registry = ConsulRegistry(make_client(consul.address), cache_seconds=0)

    registrar.register()
    assert registry.instances("runner") == []  # the TTL check starts critical
    assert registrar.heartbeat()
    assert [i.port for i in registry.instances("runner")] == [instance.port]

    instance.up = False
    assert not registrar.heartbeat()
    assert registry.instances("runner") == []
    kinds = sorted(c["kind"] for c in consul.checks.values())
    assert kinds == ["http", "ttl"]


def test_the_register_command_deregisters_on_sigterm(consul, instance):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gateway_proxy.settings.test", "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    command = [
        sys.executable, "manage.py", "consul_register", "--name", "runner", "--address", "127.0.0.1",
        "--port", str(instance.port), "--ttl", "3", "--consul", consul.address,
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        registry = ConsulRegistry(make_client(consul.address), cache_seconds=0)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not consul.services:
            time.sleep(0.05)
        while time.monotonic() < deadline and not registry.instances("runner"):
            time.sleep(0.05)
        assert [i.port for i in registry.instances("runner")] == [instance.port]

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0, process.stderr.read().decode()[-2000:]
    finally:
        if process.poll() is None:
            process.kill()

    assert consul.services == {}
    assert ("PUT", f"/v1/agent/service/deregister/runner-127.0.0.1-{instance.port}") in consul.calls
