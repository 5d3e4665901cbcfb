"""Third-party registration in Consul for hosts without an orchestrator.

A registrar runs beside a service instance: it registers the instance with an
HTTP health check (run by the Consul agent) and a TTL check that it keeps
passing itself while the instance answers its health URL. If the registrar or
the host dies, the TTL check turns critical and Consul stops returning the
instance (and deregisters it after ``deregister_after``). On SIGTERM it
deregisters the instance before exiting, so a planned stop drops no traffic.
"""

import contextlib
import logging
import threading
from dataclasses import dataclass

import consul
import requests

logger = logging.getLogger(__name__)


@dataclass
class Registration:
    name: str
    address: str
    port: int
    service_id: str = ""
    health_path: str = "/health"
    scheme: str = "http"
    ttl_seconds: int = 15
    check_interval: str = "10s"
    deregister_after: str = "1m"
    tags: tuple[str, ...] = ()

    def __post_init__(self):
        self.service_id = self.service_id or f"{self.name}-{self.address}-{self.port}"

    @property
    def health_url(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.scheme}://{host}:{self.port}{self.health_path}"

    @property
    def ttl_check_id(self) -> str:
        return f"service:{self.service_id}:ttl"

    @property
    def http_check_id(self) -> str:
        return f"service:{self.service_id}:http"


class Registrar:
    def __init__(self, client: consul.Consul, registration: Registration, *, probe_timeout: float = 2.0):
        self.client = client
        self.registration = registration
        self.probe_timeout = probe_timeout
        self.stop = threading.Event()

    def register(self) -> None:
        r = self.registration
        http_check = {
            "CheckID": r.http_check_id,
            "Name": f"{r.name} health endpoint",
            "HTTP": r.health_url,
            "Interval": r.check_interval,
            "Timeout": "2s",
            "DeregisterCriticalServiceAfter": r.deregister_after,
        }
        ttl_check = {
            "CheckID": r.ttl_check_id,
            "Name": f"{r.name} registrar heartbeat",
            "TTL": f"{r.ttl_seconds}s",
            "DeregisterCriticalServiceAfter": r.deregister_after,
        }
        self.client.agent.service.register(
            r.name,
            service_id=r.service_id,
            address=r.address,
            port=r.port,
            tags=list(r.tags),
            meta={"scheme": r.scheme},
            check=http_check,
            extra_checks=[ttl_check],
            replace_existing_checks=True,
        )
        logger.info("registered %s as %s at %s", r.name, r.service_id, r.health_url)

    def healthy(self) -> bool:
        try:
            return requests.get(self.registration.health_url, timeout=self.probe_timeout).status_code == 200
        except requests.RequestException:
            return False

    def heartbeat(self) -> bool:
        """Report the instance's health on the TTL check; returns whether it passed."""
        check_id = self.registration.ttl_check_id
        if self.healthy():
            self.client.agent.check.ttl_pass(check_id, notes="health endpoint answers")
            return True
        self.client.agent.check.ttl_fail(check_id, notes="health endpoint does not answer")
        return False

    def deregister(self) -> None:
        self.client.agent.service.deregister(self.registration.service_id)
        logger.info("deregistered %s", self.registration.service_id)

    def run(self) -> None:
        """Register, heartbeat every third of the TTL until ``stop`` is set, then deregister."""
        interval = max(1.0, self.registration.ttl_seconds / 3)
        self.register()
        try:
            while not self.stop.is_set():
                try:
                    self.heartbeat()
                except (consul.ConsulException, requests.RequestException) as exc:
                    # The agent may be restarting: register again on the next beat.
                    logger.warning("heartbeat failed (%s); registering again", exc)
                    with contextlib.suppress(consul.ConsulException, requests.RequestException):
                        self.register()
                self.stop.wait(interval)
        finally:
            self.deregister()
