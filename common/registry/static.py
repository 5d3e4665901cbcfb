"""Static registry: service URLs from the environment (the embedded default).

``SERVICE_URL_<NAME>=http://127.0.0.1:8003`` (several instances comma-separated)
registers ``<name>``. In development the well-known local ports are registered
unless overridden; production registers only what the environment names.
"""

import os
from collections.abc import Iterable, Mapping

from django.conf import settings

from common.ports import dev_url
from common.registry.base import Instance, Registry, UnknownService

PREFIX = "SERVICE_URL_"
# The local ports follow POLYCODE_PORT_BASE (common/ports.py).
DEV_DEFAULTS = {name: dev_url(name) for name in ("monolith", "shop", "runner", "mailer")}
# The monolith's WebSocket process (``SERVICE_URL_MONOLITH_WS``): a service name has no "-".
DEV_DEFAULTS["monolith_ws"] = dev_url("monolith-ws")


class StaticRegistry(Registry):
    def __init__(self, urls: Mapping[str, Iterable[str]]):
        super().__init__()
        self._instances = {
            name.lower(): [Instance(name.lower(), url.strip()) for url in group if url.strip()]
            for name, group in urls.items()
        }

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], *, defaults: Mapping[str, str] | None = None):
        urls = {name: [url] for name, url in (defaults or {}).items()}
        for key, value in environ.items():
            if key.startswith(PREFIX) and value.strip():
                urls[key[len(PREFIX) :].lower()] = value.split(",")
        return cls(urls)

    @classmethod
    def from_settings(cls):
        defaults = DEV_DEFAULTS if getattr(settings, "SERVICE_REGISTRY_DEV_DEFAULTS", True) else {}
        extra = getattr(settings, "SERVICE_URLS", {}) or {}
        registry = cls.from_environ(os.environ, defaults=defaults)
        for name, url in extra.items():
            registry._instances[name.lower()] = [Instance(name.lower(), u) for u in url.split(",")]
        return registry

    def instances(self, service: str) -> list[Instance]:
        try:
            return self._instances[service]
        except KeyError:
            raise UnknownService(service) from None

    def services(self) -> list[str]:
        return sorted(self._instances)
