"""Mailer service settings shared by every environment."""

from common.settings.base import *  # noqa: F403
from common.settings.base import DJANGO_APPS, THIRD_PARTY_APPS, env, service_database

SERVICE_NAME = "mailer"

INSTALLED_APPS = [
    *DJANGO_APPS,
    *THIRD_PARTY_APPS,
    "common.messaging",
    "extracted.mailer.deliveries",
    *OBSERVABILITY_APPS,  # noqa: F405
]
MIDDLEWARE = observed_middleware(MIDDLEWARE)  # noqa: F405

# Under its own prefix, so that the gateway can route it (/static/ is the monolith's).
STATIC_URL = "/mailer/static/"
ROOT_URLCONF = "extracted.mailer.urls"
WSGI_APPLICATION = "extracted.mailer.wsgi.application"

# The mailer's own database: MAILER_DATABASE_URL, else var/mailer.sqlite3. Never the
# monolith's DATABASE_URL, so one shell can configure every service (database per service).
DATABASES = {"default": service_database("MAILER_DATABASE_URL", "mailer")}

# Broker the worker consumes (queue "mailer") and the relay publishes resends to.
BROKER_URL = env("BROKER_URL", default="filesystem://")
MESSAGING_MAX_ATTEMPTS = env.int("MAILER_MAX_ATTEMPTS", default=8)
MESSAGING_RETRY_BACKOFF = env.float("MAILER_RETRY_BACKOFF", default=2.0)
MESSAGING_RETRY_BACKOFF_MAX = env.float("MAILER_RETRY_BACKOFF_MAX", default=600.0)

# SMTP: every value from the environment.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=30.0)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="PolyCode <no-reply@polycode.localhost>")
# Right-hand side of the Message-ID header, which is derived from the message id.
MAILER_MESSAGE_ID_DOMAIN = env("MAILER_MESSAGE_ID_DOMAIN", default="polycode.mailer")
# An SMTP connection idle longer than this is checked (NOOP) before it is reused.
MAILER_SMTP_IDLE_CHECK = env.float("MAILER_SMTP_IDLE_CHECK", default=30.0)

SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,  # noqa: F405
    "TITLE": "PolyCode mailer",
    "DESCRIPTION": "Sends the platform's email from the mailer queue; health only over HTTP.",
}
