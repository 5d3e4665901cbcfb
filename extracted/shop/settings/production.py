"""Production: every secret and server comes from the environment, none has a default."""
# ruff: noqa: I001 - the production hardening must come after, and override, the dev defaults

from extracted.shop.settings.base import *  # noqa: F403
from common.settings.production import *  # noqa: F403
from extracted.shop.settings.base import env, service_database

DATABASES = {"default": service_database("SHOP_DATABASE_URL")}
BROKER_URL = env("BROKER_URL")
SITE_URL = env("SITE_URL")
CACHES = {**CACHES, **REPLAY_CACHES}  # noqa: F405
