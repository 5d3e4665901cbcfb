"""Rate limits per user and per IP address: GCRA (a token bucket kept as one timestamp).

With ``REDIS_URL`` set, every gateway process shares the buckets through one Lua
script (atomic, one round trip for all the keys of a request, Redis's clock).
Without it, or while Redis cannot be reached, an in-process limiter with the
same algorithm is used, so a Redis outage degrades to per-process limits rather
than to no limits or to refusing traffic.

A check is allowed only if every one of its buckets has room, and then takes
one token from each; a refused check takes none. The proxy and the learner
dashboard check the per-IP bucket before authenticating (so invalid bearer
tokens are limited too) and the per-user bucket after it; a request refused by
its user's bucket has already taken its IP token.
"""

import logging
import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings

from gateway_proxy.proxy.errors import EdgeError

logger = logging.getLogger(__name__)

PERIOD_SECONDS = 60.0


@dataclass(frozen=True)
class Rule:
    key: str
    limit: int  # requests per PERIOD_SECONDS, also the burst size


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0

    @property
    def retry_after_header(self) -> str:
        return str(max(1, math.ceil(self.retry_after)))


class LocalLimiter:
    """GCRA in process memory (one bucket per key, pruned as it empties)."""

    def __init__(self, period: float = PERIOD_SECONDS):
        self.period = period
        self._tat: dict[str, float] = {}
        self._lock = threading.Lock()
        self._next_prune = 0.0

    def hit(self, rules: list[Rule], now: float | None = None) -> Decision:
        now = time.monotonic() if now is None else now
        with self._lock:
            wait = 0.0
            new_tats = []
            for rule in rules:
                interval = self.period / rule.limit
                tat = max(self._tat.get(rule.key, now), now)
                allow_at = tat + interval - self.period
                if now < allow_at:
                    wait = max(wait, allow_at - now)
                new_tats.append((rule.key, tat + interval))
            if wait:
                return Decision(False, wait)
            for key, tat in new_tats:
                self._tat[key] = tat
            if now >= self._next_prune:
                self._tat = {k: v for k, v in self._tat.items() if v > now}
                self._next_prune = now + self.period
        return Decision(True)


# KEYS: bucket keys; ARGV: period (ms), then one limit per key.
GCRA_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local period = tonumber(ARGV[1])
local wait = 0
local tats = {}
for i, key in ipairs(KEYS) do
  local interval = period / tonumber(ARGV[i + 1])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local allow_at = tat + interval - period
  if now < allow_at and allow_at - now > wait then wait = allow_at - now end
  tats[i] = tat + interval
end
if wait > 0 then return math.ceil(wait) end
for i, key in ipairs(KEYS) do
  redis.call('SET', key, tats[i], 'PX', math.ceil(tats[i] - now) + 1)
end
return 0
"""


class RedisLimiter:
    def __init__(self, url: str, *, prefix: str = "gw:rl:", period: float = PERIOD_SECONDS, fallback=None):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)
        self.script = self.client.register_script(GCRA_LUA)
        self.prefix = prefix
        self.period_ms = int(period * 1000)
        self.fallback = fallback or LocalLimiter(period)
        self._down_until = 0.0

    def hit(self, rules: list[Rule]) -> Decision:
        now = time.monotonic()
        if now < self._down_until:
            return self.fallback.hit(rules)
        import redis

        try:
            wait_ms = self.script(
                keys=[self.prefix + r.key for r in rules], args=[self.period_ms, *(r.limit for r in rules)]
            )
        except redis.RedisError as exc:
            logger.warning("rate limits fall back to this process: %s", exc)
            self._down_until = now + 5.0
            return self.fallback.hit(rules)
        wait = float(wait_ms) / 1000.0
        return Decision(wait <= 0, wait)


_limiter = None
_limiter_lock = threading.Lock()


def get_limiter():
    global _limiter
    if _limiter is None:
        with _limiter_lock:
            if _limiter is None:
                url = getattr(settings, "REDIS_URL", "")
                _limiter = RedisLimiter(url) if url else LocalLimiter()
    return _limiter


def reset_limiter(limiter=None) -> None:
    global _limiter
    _limiter = limiter


def ip_rules(route, *, client_ip: str) -> list[Rule]:
    """The per-IP bucket: checked before authentication, so bad tokens cannot be tried for free."""
    ip_limit = route.rate_limit_ip or settings.GATEWAY_RATE_LIMIT_IP
    return [Rule(f"ip:{route.prefix}:{client_ip}", ip_limit)] if ip_limit else []


def user_rules(route, *, user_id: str) -> list[Rule]:
    """The per-user bucket: checked once the caller is known."""
    user_limit = route.rate_limit_user or settings.GATEWAY_RATE_LIMIT_USER
    return [Rule(f"u:{route.prefix}:{user_id}", user_limit)] if user_id and user_limit else []


def enforce(rules: list[Rule]) -> None:
    """Take one token from every bucket, or raise the 429 (with ``Retry-After``)."""
    if not rules:
        return
    decision = get_limiter().hit(rules)
    if not decision.allowed:
        raise EdgeError(
            429,
            "rate_limited",
            "Too many requests; try again later.",
            headers=[("Retry-After", decision.retry_after_header)],
        )
