"""Test settings: short saga timeout and retries; the broker is whatever the tests start.

Tests that run real worker processes share the test database, so the SQLite
test database is a file (an in-memory one cannot be opened by another process).
"""

from extracted.shop.settings.base import *  # noqa: F403
from extracted.shop.settings.base import DATABASES, VAR_DIR, env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_shop.sqlite3")}

SHOP_SWEEP_INTERVAL = env.float("SHOP_SWEEP_INTERVAL", default=0.5)
SHOP_REFUND_RESEND_AFTER = env.float("SHOP_REFUND_RESEND_AFTER", default=3.0)
MESSAGING_MAX_ATTEMPTS = env.int("SHOP_MAX_ATTEMPTS", default=3)
MESSAGING_RETRY_BACKOFF = 0.2
MESSAGING_RETRY_BACKOFF_MAX = 0.5

OUTBOX_FAST_PATH = env.bool("OUTBOX_FAST_PATH", default=True)
OUTBOX_FAST_PATH_PAUSE = 0.5
OUTBOX_RELAY_INTERVAL = 0.1
OUTBOX_RELAY_BACKOFF = 0.05
OUTBOX_RELAY_BACKOFF_MAX = 0.2
MESSAGING_CONNECT_TIMEOUT = 2.0
