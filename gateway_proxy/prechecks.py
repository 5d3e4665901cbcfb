"""What must hold before a capability moves: each check says what it saw.

- the extracted service healthy (every registered instance's ``/health`` answers 200);
- its consumers alive and its queues drained enough (RabbitMQ: a passive declare reports
  consumers and ready messages; at most ``STRANGLER_MAX_QUEUE_DEPTH`` waiting);
- the monolith's switch API reachable (the switch moves with the route);
- its data imported and verified (``gateway_proxy/datamove.py``, dry run: counts, points, stock,
  the export's checksum).
"""

from dataclasses import dataclass

import requests
from django.conf import settings
from kombu import Connection

from common.registry.base import NoInstance, get_registry
from gateway_proxy import switches

HEALTH_TIMEOUT = 10.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"[{'ok' if self.ok else 'FAIL'}] {self.name}: {self.detail}"


def service_healthy(service: str) -> Check:
    name = f"{service} healthy"
    try:
        instances = get_registry().instances(service)
    except NoInstance as exc:
        return Check(name, False, str(exc) or f"no instance of {service}")
    if not instances:
        return Check(name, False, f"no instance of {service}")
    seen = []
    for instance in instances:
        url = instance.url.rstrip("/") + "/health"
        try:
            status = requests.get(url, timeout=HEALTH_TIMEOUT).status_code
        except requests.RequestException as exc:
            return Check(name, False, f"{url}: {exc.__class__.__name__}")
        if status != 200:
            return Check(name, False, f"{url} answered {status}")
        seen.append(url)
    return Check(name, True, f"{len(seen)} instance(s) answer /health: {', '.join(seen)}")


def queue_consumed(queue: str) -> Check:
    name = f"queue {queue} consumed"
    url = getattr(settings, "BROKER_URL", "") or ""
    if not url.startswith(("amqp://", "amqps://", "pyamqp://")):
        return Check(name, False, "BROKER_URL is not a RabbitMQ URL: consumers cannot be counted")
    limit = getattr(settings, "STRANGLER_MAX_QUEUE_DEPTH", 1000)
    try:
        with Connection(url, connect_timeout=HEALTH_TIMEOUT) as connection:
            _, ready, consumers = connection.default_channel.queue_declare(queue=queue, passive=True)
    except Exception as exc:
        return Check(name, False, f"{exc.__class__.__name__}: {exc}")
    detail = f"{consumers} consumer(s), {ready} message(s) waiting (limit {limit})"
    return Check(name, consumers > 0 and ready <= limit, detail)


def switch_api_reachable() -> Check:
    try:
        states = {s["name"]: s["active"] for s in switches.switches_read()["switches"]}
    except switches.SwitchApiError as exc:
        return Check("monolith switch API", False, str(exc))
    shown = ", ".join(f"{name}={'on' if on else 'off'}" for name, on in states.items())
    return Check("monolith switch API", True, shown)
