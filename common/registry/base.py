"""The registry interface and the process-wide instance."""

import itertools
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string


class NoInstance(Exception):
    """The service is known but has no healthy instance right now."""

    def __init__(self, service: str, detail: str = ""):
        super().__init__(detail or f"No healthy instance of {service}.")
        self.service = service


class UnknownService(NoInstance):
    """No service of that name is registered at all."""

    def __init__(self, service: str):
        super().__init__(service, f"No service named {service!r} is registered.")


@dataclass(frozen=True)
class Instance:
    """One reachable instance of a service: ``scheme://host:port``, nothing more."""

    service: str
    url: str

    def __post_init__(self):
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{self.service}: {self.url!r} is not an http(s)://host:port URL")
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError(f"{self.service}: {self.url!r} must name only scheme, host and port")
        object.__setattr__(self, "url", f"{parts.scheme}://{parts.netloc}")

    @cached_property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    @cached_property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @cached_property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @cached_property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc


class Registry(ABC):
    """Where the instances of each service are; ``choose`` balances round robin."""

    def __init__(self):
        self._counters: dict[str, itertools.count] = {}
        self._lock = threading.Lock()

    @abstractmethod
    def instances(self, service: str) -> list[Instance]:
        """Healthy instances of ``service``; raises ``UnknownService`` / ``NoInstance``."""

    def choose(self, service: str) -> Instance:
        instances = self.instances(service)
        if not instances:
            raise NoInstance(service)
        counter = self._counters.get(service)
        if counter is None:
            with self._lock:
                counter = self._counters.setdefault(service, itertools.count())
        return instances[next(counter) % len(instances)]

    def knows(self, service: str) -> bool:
        try:
            self.instances(service)
        except UnknownService:
            return False
        except NoInstance:
            return True
        return True


_registry: Registry | None = None
_registry_lock = threading.Lock()


def build_registry() -> Registry:
    kind = getattr(settings, "SERVICE_REGISTRY", "static")
    if kind == "static":
        from common.registry.static import StaticRegistry

        return StaticRegistry.from_settings()
    if kind == "consul":
        from common.registry.consul import ConsulRegistry

        return ConsulRegistry.from_settings()
    return import_string(kind)()


def get_registry() -> Registry:
    global _registry
    if _registry is None:
        with _registry_lock:
            if _registry is None:
                _registry = build_registry()
    return _registry


def reset_registry() -> None:
    """Forget the process-wide registry (settings changed, tests)."""
    global _registry
    _registry = None
