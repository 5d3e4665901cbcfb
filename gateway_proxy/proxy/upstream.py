"""Calling upstream services: pooled connections, retries, circuit breakers.

One keep-alive connection pool per upstream instance (``http1.Pool``) is
shared by every thread of the process. A breaker per instance opens after
``GATEWAY_BREAKER_FAILURES`` consecutive transport failures (refused,
reset, timed out, not HTTP) and lets one trial request through after
``GATEWAY_BREAKER_COOLDOWN`` seconds. Only requests the upstream may receive
twice are ever sent again (idempotent methods, or a request carrying an
``Idempotency-Key``, which the upstreams that take writes honour): on another
instance when there is one, and only after a transport failure. A POST or PATCH
without one is sent once, even on a kept-alive connection found closed after
the request was written.
A request body that the client cut short is the client's failure: a 400,
never counted against the instance and never retried.
"""

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings

from common.registry import Instance, NoInstance, UnknownService, get_registry
from gateway_proxy.proxy import errors, http1

logger = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def may_resend(method: str, headers: dict[str, str]) -> bool:
    """Whether receiving this request twice is harmless for the upstream."""
    return method in IDEMPOTENT_METHODS or any(name.lower() == "idempotency-key" for name in headers)


class Breaker:
    CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"

    def __init__(self, *, failures: int, cooldown: float):
        self.threshold = failures
        self.cooldown = cooldown
        self.state = self.CLOSED
        self.failures = 0
        self.opened_at = 0.0
        self._lock = threading.Lock()

    def allow(self) -> bool:
        if self.state == self.CLOSED:
            return True
        with self._lock:
            if self.state == self.OPEN and time.monotonic() - self.opened_at >= self.cooldown:
                self.state = self.HALF_OPEN  # this caller is the one trial
                return True
            return False

    def retry_after(self) -> int:
        return max(1, int(self.cooldown - (time.monotonic() - self.opened_at)) + 1)

    def success(self) -> None:
        if self.state != self.CLOSED or self.failures:
            with self._lock:
                self.state = self.CLOSED
                self.failures = 0

    def abandon(self) -> None:
        """A call that says nothing about the instance (the client gave up): a trial lets the next one try."""
        if self.state == self.HALF_OPEN:
            with self._lock:
                if self.state == self.HALF_OPEN:
                    self.state = self.OPEN  # the cooldown is already over

    def failure(self) -> None:
        with self._lock:
            self.failures += 1
            if self.state == self.HALF_OPEN or self.failures >= self.threshold:
                if self.state != self.OPEN:
                    logger.warning("circuit opened after %d failures", self.failures)
                self.state = self.OPEN
                self.opened_at = time.monotonic()


@dataclass
class Attempt:
    """What one upstream call returned (its body not read yet)."""

    instance: Instance
    response: http1.Response


class Upstreams:
    def __init__(self):
        self._pools: dict[str, http1.Pool] = {}
        self._breakers: dict[str, Breaker] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            for pool in self._pools.values():
                pool.close()
            self._pools.clear()
            self._breakers.clear()

    def pool(self, instance: Instance) -> http1.Pool:
        pool = self._pools.get(instance.url)
        if pool is None:
            with self._lock:
                pool = self._pools.get(instance.url)
                if pool is None:
                    pool = http1.Pool(
                        instance.host,
                        instance.port,
                        tls=instance.scheme == "https",
                        maxsize=settings.GATEWAY_POOL_SIZE,
                    )
                    self._pools[instance.url] = pool
        return pool

    def breaker(self, instance: Instance) -> Breaker:
        breaker = self._breakers.get(instance.url)
        if breaker is None:
            with self._lock:
                breaker = self._breakers.setdefault(
                    instance.url,
                    Breaker(
                        failures=settings.GATEWAY_BREAKER_FAILURES, cooldown=settings.GATEWAY_BREAKER_COOLDOWN
                    ),
                )
        return breaker

    def _pick(self, service: str, tried: set[str]) -> Instance:
        registry = get_registry()
        try:
            instances = registry.instances(service)
        except UnknownService as exc:
            raise errors.unavailable("no_instance", str(exc)) from exc
        except NoInstance as exc:
            raise errors.unavailable("no_instance", str(exc)) from exc
        if not instances:
            raise errors.unavailable("no_instance", f"No healthy instance of {service}.")
        first = registry.choose(service)
        ordered = [first] + [i for i in instances if i != first]
        candidates = [i for i in ordered if i.url not in tried] or ordered
        retry_after = None
        for instance in candidates:
            breaker = self.breaker(instance)
            if breaker.allow():
                return instance
            retry_after = min(retry_after or 10**6, breaker.retry_after())
        raise errors.unavailable(
            "circuit_open", f"The {service} service is failing; the gateway stopped calling it.", retry_after
        )

    def send(
        self,
        *,
        service: str,
        method: str,
        path: str,
        headers: dict[str, str],
        body,
        timeout: float,
        retries: int,
        headers_for_attempt=None,
    ) -> Attempt:
        """Send the request to one instance of ``service``; raises ``EdgeError`` on failure.

        ``body`` is bytes (replayable) or an iterator (streamed, never retried);
        ``headers_for_attempt(headers)`` adds per-attempt headers (a fresh assertion).
        """
        replayable = body is None or isinstance(body, bytes)
        resend = replayable and may_resend(method, headers)
        attempts = 1 + (retries if resend else 0)
        tried: set[str] = set()
        last_error: errors.EdgeError | None = None
        for _ in range(attempts):
            instance = self._pick(service, tried)
            tried.add(instance.url)
            breaker = self.breaker(instance)
            sent = dict(headers)
            sent["Host"] = instance.netloc
            if headers_for_attempt is not None:
                headers_for_attempt(sent)
            try:
                response = self.pool(instance).request(
                    method,
                    path,
                    sent,
                    body,
                    connect_timeout=settings.GATEWAY_CONNECT_TIMEOUT,
                    read_timeout=timeout,
                    resend=resend,
                )
            except http1.BodyIncomplete as exc:
                # The client's body ended early or could not be read: neither the
                # instance's fault (no breaker failure) nor worth a retry.
                breaker.abandon()
                logger.info("%s %s: the client's body broke off: %s", method, path, exc)
                raise errors.incomplete_body() from exc
            except http1.ConnectFailed as exc:
                breaker.failure()
                last_error = errors.unreachable(service)
                logger.warning("%s %s: %s unreachable: %s", method, path, instance.url, exc)
                continue
            except (http1.ConnectTimeout, http1.ReadTimeout) as exc:
                breaker.failure()
                logger.warning("%s %s: timeout on %s: %s", method, path, instance.url, exc)
                raise errors.timeout(service, timeout) from exc
            except http1.UpstreamError as exc:
                breaker.failure()
                last_error = errors.bad_gateway()
                logger.warning("%s %s: bad answer from %s: %s", method, path, instance.url, exc)
                continue
            breaker.success()
            return Attempt(instance, response)
        assert last_error is not None
        raise last_error


upstreams = Upstreams()
