"""Test settings: fast hashing, in-memory mail; DATABASE_URL picks PostgreSQL."""

from monolith.identity.conf import with_dev_signing_key
from monolith.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Waffle forgets a cached switch only when the saving transaction commits, which
# a test's wrapping transaction never does: tests read switches uncached.
CACHES = {**CACHES, "switches": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}  # noqa: F405

OAUTH2_PROVIDER = with_dev_signing_key(OAUTH2_PROVIDER)  # noqa: F405
