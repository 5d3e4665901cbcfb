"""Production: every secret and server comes from the environment, none has a default."""
# ruff: noqa: I001 - the production hardening must come after, and override, the dev defaults

from extracted.mailer.settings.base import *  # noqa: F403
from common.settings.production import *  # noqa: F403
from extracted.mailer.settings.base import env, service_database

DATABASES = {"default": service_database("MAILER_DATABASE_URL")}
BROKER_URL = env("BROKER_URL")
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env("EMAIL_HOST")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")
CACHES = {**CACHES, **REPLAY_CACHES}  # noqa: F405
