"""Production: every secret comes from the environment, none has a default."""
# ruff: noqa: I001 - the production hardening must come after, and override, the dev defaults

from monolith.settings.base import *  # noqa: F403
from common.settings.production import *  # noqa: F403
from monolith.settings.base import env

DATABASES = {"default": env.db("DATABASE_URL")}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
