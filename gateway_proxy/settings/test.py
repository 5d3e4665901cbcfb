"""Test settings: fast hashing, no background flush, a short route cache."""

from gateway_proxy.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
REDIS_URL = ""
GATEWAY_METRICS_FLUSH_SECONDS = 0
GATEWAY_ROUTE_TTL = 0.2
GATEWAY_ACCESS_LOG = False
SERVICE_REGISTRY = "static"
SERVICE_REGISTRY_DEV_DEFAULTS = False
# The test monolith does not cache its switches: the route cache and a running request remain.
STRANGLER_SETTLE_SECONDS = 0.5
