"""Production: secrets and the identity provider come from the environment."""
# ruff: noqa: I001 - the production hardening must come after, and override, the dev defaults

from gateway_proxy.settings.base import *  # noqa: F403
from common.settings.production import *  # noqa: F403
from gateway_proxy.settings.base import env, service_database

DATABASES = {"default": service_database("GATEWAY_DATABASE_URL")}
OIDC_ISSUER = env.str("OIDC_ISSUER").rstrip("/")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET")
OIDC_ACCEPTED_AUDIENCES = env.list("OIDC_ACCEPTED_AUDIENCES", default=[OIDC_RP_CLIENT_ID])
GATEWAY_ASSERTION_PRIVATE_KEY = env.str("GATEWAY_ASSERTION_PRIVATE_KEY", multiline=True)
# The gateway's own key for its calls to services (manage.py strangle, the migration dashboard: the
# monolith's switch API, both sides' data steps), never its user assertion key (common/identity/README.md).
SERVICE_ASSERTION_PRIVATE_KEY = env.str("SERVICE_ASSERTION_PRIVATE_KEY", multiline=True)
TRUSTED_PROXIES = env.list("GATEWAY_TRUSTED_PROXIES", default=[])
# Sessions, rate limits and revocations shared by every gateway process (REDIS_URL is required).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}}
