"""Deployment checks of the identity assertion (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.security, deploy=True)
def replay_cache_is_shared(app_configs, **kwargs):
    """A replayed assertion is caught only if every process of the service shares the cache."""
    if not getattr(settings, "REQUIRE_GATEWAY_ASSERTION", False):
        return []
    name = getattr(settings, "IDENTITY_REPLAY_CACHE", "default")
    backend = settings.CACHES.get(name, {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        return [
            Warning(
                f"IDENTITY_REPLAY_CACHE ({name!r}) is a per-process cache: with several workers or "
                "replicas an identity assertion can be replayed against another process within its "
                "lifetime.",
                hint="Point IDENTITY_REPLAY_CACHE at a cache every process shares (Redis).",
                id="identity.W001",
            )
        ]
    return []
