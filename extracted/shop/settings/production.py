"""Production: every secret and server comes from the environment, none has a default."""
# ruff: noqa: I001 - the production hardening must come after, and override, the dev defaults

from extracted.shop.settings.base import *  # noqa: F403
from common.settings.production import *  # noqa: F403
from extracted.shop.settings.base import env, service_database

DATABASES = {"default": service_database("SHOP_DATABASE_URL")}
BROKER_URL = env("BROKER_URL")
SITE_URL = env("SITE_URL")
CACHES = {**CACHES, **REPLAY_CACHES}  # noqa: F405
# The monolith's forwarded purchases are accepted by default (SERVICE_ASSERTION_PUBLIC_KEY_MONOLITH);
# the gateway's calls (the strangle control's data steps) only when the environment lists it, as
# the Helm chart and the compose file do: SERVICE_ASSERTION_CALLERS=monolith,gateway with the
# public half of the gateway's own service key in SERVICE_ASSERTION_PUBLIC_KEY_GATEWAY (without
# it the shop refuses to start).
SERVICE_ASSERTION_CALLERS = env.list("SERVICE_ASSERTION_CALLERS", default=["monolith"])
