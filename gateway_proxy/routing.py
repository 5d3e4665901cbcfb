"""The in-process route table and the choice of upstream for one request.

The table is read from the database at most every ``GATEWAY_ROUTE_TTL``
seconds per process (a change made anywhere is live everywhere within that
time, without a restart); requests in between use immutable snapshots and
never query the database.

Prefix rules: the longest matching prefix wins; ``/api/v1/shop`` also matches
the route ``/api/v1/shop/``. On the chosen side the prefix is replaced by that
side's ``*_prefix`` (blank: kept), so ``/api/runner/runs`` with
``extracted_prefix=/api/`` reaches the runner as ``/api/runs``.
"""

import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

LEGACY = "legacy"
EXTRACTED = "extracted"
CANARY = "canary"
SHADOW = "shadow"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def canary_bucket(salt: str, key: str) -> int:
    """A stable bucket in 0..9999 for ``key`` (a user id, a visitor cookie, an IP)."""
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 10000


@dataclass(frozen=True)
class Target:
    """One side of a route: the service, and how the path is rewritten for it."""

    service: str
    side: str
    upstream_prefix: str


@dataclass(frozen=True)
class RouteSnapshot:
    prefix: str
    mode: str
    legacy: Target | None
    extracted: Target | None
    canary_threshold: int
    canary_salt: str
    timeout: float
    retries: int
    auth_required: bool
    rate_limit_user: int | None
    rate_limit_ip: int | None
    max_body_bytes: int | None
    shadow_ignore_fields: frozenset
    websocket: bool = False

    @classmethod
    def from_model(cls, route) -> "RouteSnapshot":
        legacy = (
            Target(route.legacy_service, LEGACY, route.legacy_prefix or route.prefix)
            if route.legacy_service
            else None
        )
        extracted = (
            Target(route.extracted_service, EXTRACTED, route.extracted_prefix or route.prefix)
            if route.extracted_service
            else None
        )
        return cls(
            prefix=route.prefix,
            mode=route.mode,
            legacy=legacy,
            extracted=extracted,
            canary_threshold=int(Decimal(route.canary_percent) * 100),
            canary_salt=route.canary_salt,
            timeout=route.timeout_seconds,
            retries=route.retries,
            auth_required=route.auth_required,
            rate_limit_user=route.rate_limit_user,
            rate_limit_ip=route.rate_limit_ip,
            max_body_bytes=route.max_body_bytes,
            shadow_ignore_fields=frozenset(route.shadow_ignore_fields or ()),
            websocket=route.websocket,
        )

    def matches(self, path: str) -> bool:
        return path.startswith(self.prefix) or path == self.prefix[:-1]

    def in_canary(self, key: str) -> bool:
        return canary_bucket(self.canary_salt, key) < self.canary_threshold

    def choose(self, *, method: str, canary_key) -> tuple[Target | None, Target | None]:
        """(the side that serves, the side to shadow or ``None``).

        ``canary_key`` is called only in canary mode, to get the stable key.
        """
        if self.mode == EXTRACTED:
            return self.extracted, None
        if self.mode == CANARY:
            if self.canary_threshold >= 10000:
                return self.extracted, None
            if self.canary_threshold > 0 and self.in_canary(canary_key()):
                return self.extracted, None
            return self.legacy, None
        if self.mode == SHADOW:
            return self.legacy, (self.extracted if method in SAFE_METHODS else None)
        return self.legacy, None

    def upstream_path(self, target: Target, path: str) -> str:
        if path == self.prefix[:-1]:
            return target.upstream_prefix[:-1] or "/"
        return target.upstream_prefix + path[len(self.prefix) :]


class RouteTable:
    def __init__(self):
        self._routes: tuple[RouteSnapshot, ...] = ()
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        self._loaded_at = float("-inf")

    def routes(self) -> tuple[RouteSnapshot, ...]:
        if time.monotonic() - self._loaded_at >= settings.GATEWAY_ROUTE_TTL:
            self._refresh()
        return self._routes

    def _refresh(self) -> None:
        # One thread reloads; the others keep serving the previous snapshot.
        blocking = self._loaded_at == float("-inf") and not self._routes
        if not self._lock.acquire(blocking=blocking):
            return
        try:
            from gateway_proxy.models import Route

            rows = list(Route.objects.all())
            snapshots = sorted(
                (RouteSnapshot.from_model(r) for r in rows), key=lambda r: len(r.prefix), reverse=True
            )
            self._routes = tuple(snapshots)
            self._loaded_at = time.monotonic()
        except DatabaseError:
            logger.exception("route table could not be loaded; keeping the previous one")
            connection.close()
            self._loaded_at = time.monotonic() - settings.GATEWAY_ROUTE_TTL + 1.0
        finally:
            self._lock.release()

    def match(self, path: str) -> RouteSnapshot | None:
        for route in self.routes():
            if route.matches(path):
                return route
        return None


route_table = RouteTable()
