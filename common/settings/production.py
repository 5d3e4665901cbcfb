"""Production hardening shared by every service: secrets have no default."""

from common.observability.logs import logging_config
from common.settings.base import LOG_LEVEL, env

SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The gateway's addresses (common/identity/proxies.py): X-Forwarded-* from any other peer is dropped.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS only, for a year, subdomains included (sent on HTTPS responses).
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Only the gateway's signed identity assertion authenticates (common/identity);
# the keys come from the environment, never from a generated dev key pair.
REQUIRE_GATEWAY_ASSERTION = env.bool("REQUIRE_GATEWAY_ASSERTION", default=True)
GATEWAY_ASSERTION_DEV_KEYS = False
# Only the services the environment names (SERVICE_URL_<NAME>) or Consul knows exist.
SERVICE_REGISTRY_DEV_DEFAULTS = False
# Used assertions are remembered in Redis, shared by every process of the service:
# a per-process replay memory stops the service at start (common/identity/checks.py).
# Each service's production settings add REPLAY_CACHES to its CACHES.
IDENTITY_REPLAY_CACHE = env.str("IDENTITY_REPLAY_CACHE", default="identity_replay")
IDENTITY_REPLAY_CACHE_SHARED = True
REPLAY_CACHES = {
    "identity_replay": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.str("IDENTITY_REPLAY_REDIS_URL", default="") or env.str("REDIS_URL"),
        "KEY_PREFIX": "identity-replay",
    }
}
# One JSON object per log line, for the log collector.
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = logging_config(level=LOG_LEVEL, log_format=LOG_FORMAT)
