"""Service discovery: which instances of a service can take a request now.

``get_registry()`` returns the process-wide registry chosen by
``SERVICE_REGISTRY``: ``static`` (URLs from ``SERVICE_URL_<NAME>``, the embedded
default) or ``consul`` (healthy instances from Consul's health API).
"""

from common.registry.base import Instance, NoInstance, Registry, UnknownService, get_registry

__all__ = ["Instance", "NoInstance", "Registry", "UnknownService", "get_registry"]
