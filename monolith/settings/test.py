"""Test settings: fast hashing, in-memory mail (unless EMAIL_BACKEND says); DATABASE_URL picks PostgreSQL."""

from monolith.identity.conf import with_dev_signing_key
from monolith.settings.base import *  # noqa: F403
from monolith.settings.base import env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In memory; a monolith started as a process of a test stack may send through SMTP instead
# (EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT). pytest's own tests always get the in-memory outbox.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Waffle forgets a cached switch only when the saving transaction commits, which
# a test's wrapping transaction never does: tests read switches uncached.
CACHES = {**CACHES, "switches": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}  # noqa: F405

OAUTH2_PROVIDER = with_dev_signing_key(OAUTH2_PROVIDER)  # noqa: F405
