"""Test settings: short retries; SMTP and the broker are whatever the tests start.

Tests that run a real worker process share its database, so the SQLite test
database is a file (an in-memory one cannot be opened by another process).
"""

from extracted.mailer.settings.base import *  # noqa: F403
from extracted.mailer.settings.base import DATABASES, VAR_DIR, env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_mailer.sqlite3")}

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env("EMAIL_HOST", default="127.0.0.1")
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=5.0)
MESSAGING_MAX_ATTEMPTS = env.int("MAILER_MAX_ATTEMPTS", default=3)
MESSAGING_RETRY_BACKOFF = env.float("MAILER_RETRY_BACKOFF", default=0.2)
MESSAGING_RETRY_BACKOFF_MAX = env.float("MAILER_RETRY_BACKOFF_MAX", default=0.5)
MESSAGING_DELIVERY_LIMIT = env.int("MESSAGING_DELIVERY_LIMIT", default=5)
OUTBOX_FAST_PATH = env.bool("OUTBOX_FAST_PATH", default=False)
OUTBOX_RELAY_BACKOFF = 0.05
OUTBOX_RELAY_BACKOFF_MAX = 0.2
MESSAGING_CONNECT_TIMEOUT = 2.0
