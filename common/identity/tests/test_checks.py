from common.identity.checks import replay_cache_is_shared

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}


def test_a_per_process_replay_cache_is_flagged_when_assertions_are_required(settings):
    settings.REQUIRE_GATEWAY_ASSERTION = True
    settings.IDENTITY_REPLAY_CACHE = "default"
    settings.CACHES = LOCMEM

    assert [w.id for w in replay_cache_is_shared(None)] == ["identity.W001"]


def test_a_shared_replay_cache_passes(settings):
    settings.REQUIRE_GATEWAY_ASSERTION = True
    settings.IDENTITY_REPLAY_CACHE = "default"
    settings.CACHES = REDIS

    assert replay_cache_is_shared(None) == []


def test_nothing_is_flagged_while_assertions_are_optional(settings):
    settings.REQUIRE_GATEWAY_ASSERTION = False
    settings.CACHES = LOCMEM

    assert replay_cache_is_shared(None) == []
