"""The single-use check of identity assertions needs a cache every process shares.

Each process of a service that kept its own memory of used assertions would
accept an assertion replayed against another process. Where
``IDENTITY_REPLAY_CACHE_SHARED`` is on (every production settings module), a
per-process ``IDENTITY_REPLAY_CACHE`` stops the service at start
(``ImproperlyConfigured`` from the middleware), like a missing key.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
)


def require_shared_replay_cache() -> None:
    if not getattr(settings, "IDENTITY_REPLAY_CACHE_SHARED", False):
        return
    name = getattr(settings, "IDENTITY_REPLAY_CACHE", "default")
    backend = settings.CACHES.get(name, {}).get("BACKEND", "")
    if not backend:
        raise ImproperlyConfigured(f"IDENTITY_REPLAY_CACHE names {name!r}, which is not in CACHES.")
    if backend in PER_PROCESS_CACHES:
        raise ImproperlyConfigured(
            f"IDENTITY_REPLAY_CACHE ({name!r}) is a per-process cache ({backend}): an identity assertion "
            "could be replayed against another process of this service. Point it at a cache every "
            "process shares (REDIS_URL)."
        )
