"""Calling upstream services: urllib3 connection pools, retries, pybreaker circuit breakers.

One urllib3 ``HTTPConnectionPool`` per upstream instance (keep-alive, idle
connections checked for a closed peer before reuse) is shared by every
greenlet or thread of the process. A ``pybreaker.CircuitBreaker`` per instance
opens after ``GATEWAY_BREAKER_FAILURES`` consecutive transport failures
(refused, reset, timed out, not HTTP) and, after ``GATEWAY_BREAKER_COOLDOWN``
seconds, lets one trial request through (pybreaker lets every caller through
while half-open; the gateway refuses the others until the trial has answered).
Breakers are used through ``calling()``: ``CircuitBreaker.call`` would hold the
breaker's lock for the whole upstream call and serialise the instance's traffic.

Only requests the upstream may receive twice are ever sent again: idempotent
methods, or a write carrying an ``Idempotency-Key`` (the upstreams that take
writes honour it), with a body the gateway holds whole. Their ``urllib3.Retry``
counts the attempts and decides, by the kind of failure, whether another is
allowed; each attempt goes to another instance when there is one. Every other
request is sent with ``retries=False``: once a byte of it may have reached the
upstream it is never sent again, not even on a fresh connection when a
kept-alive one turns out closed. Timeouts are not retried.
A request body that the client cut short is the client's failure: a 400,
never counted against the instance and never retried.

Cost (``bench/gateway/bench_gateway.py --old-tree``, concurrency 1, 3 passes of 5 s on an idle
2-core machine, same run as the gateway before this client and the observability hooks):
1.60-1.69 CPU-ms per request against 1.11-1.19 (x1.34-1.45), 1.70-1.79 ms added p50 against
1.23-1.32 (x1.29-1.38), of an end-to-end p50 near 1.9 ms: over the 15 % rule, kept because
the client is part of the request-smuggling and retry-safety surface (docs/style.md).
Most of the difference is http.client's header parsing and
urllib3's layers; checking an idle connection with gevent's ``poll`` costs some 50 us more
than ``select`` would, but ``select`` fails on descriptors over 1024, which a gevent worker
with 1000 connections reaches. Figures: ``bench/results/gateway-new-vs-old-c1.json``.
"""

import logging
import math
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

import pybreaker
import urllib3
from django.conf import settings
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util import SKIP_HEADER

from common.registry import Instance, NoInstance, UnknownService, get_registry
from gateway_proxy.proxy import errors
from gateway_proxy.proxy.errors import ClientBodyError

logger = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Added by urllib3 / http.client unless told otherwise; the upstream sees only what the client sent.
_DEFAULT_HEADERS = ("User-Agent", "Accept-Encoding")


def may_resend(method: str, names: set[str]) -> bool:
    """Whether receiving this request twice is harmless for the upstream (``names``: lower-case)."""
    return method in IDEMPOTENT_METHODS or "idempotency-key" in names


def retry_policy(method: str, names: set[str], *, replayable: bool, retries: int) -> urllib3.Retry | bool:
    """The attempts after the first one a request may get: ``False`` when it must be sent once."""
    if not (replayable and retries > 0 and may_resend(method, names)):
        return False
    allowed = IDEMPOTENT_METHODS if method in IDEMPOTENT_METHODS else frozenset({method})
    return urllib3.Retry(total=retries, redirect=False, status=0, allowed_methods=allowed, backoff_factor=0)


def check_answer(response: urllib3.HTTPResponse) -> None:
    """Refuse answers a proxy must not pass on: interim or upgrade statuses, broken framing headers."""
    if response.status < 200:
        # http.client skips only "100 Continue": another interim answer would leave the final one
        # unread on a connection that could be reused for someone else's request.
        raise ProtocolError(f"interim or upgrade answer {response.status} is not proxied")
    lengths = response.headers.get("Content-Length")
    if lengths is not None and len({v.strip() for v in lengths.split(",")}) != 1:
        raise ProtocolError("conflicting Content-Length")
    if lengths is not None and not lengths.split(",")[0].strip().isdigit():
        raise ProtocolError("invalid Content-Length")


@dataclass
class Attempt:
    """What one upstream call returned (its body not read yet; ``release_conn()`` when done)."""

    instance: Instance
    response: urllib3.HTTPResponse


@dataclass
class Breaker:
    circuit: pybreaker.CircuitBreaker
    storage: pybreaker.CircuitMemoryStorage

    @property
    def failures(self) -> int:
        return self.circuit.fail_counter

    @property
    def state(self) -> str:
        return self.circuit.current_state

    def retry_after(self) -> int:
        opened_at = self.storage.opened_at or datetime.now(UTC)
        left = self.circuit.reset_timeout - (datetime.now(UTC) - opened_at).total_seconds()
        return max(1, math.ceil(left))


class Upstreams:
    def __init__(self):
        self._pools: dict[str, urllib3.HTTPConnectionPool] = {}
        self._breakers: dict[str, Breaker] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            for pool in self._pools.values():
                pool.close()
            self._pools.clear()
            self._breakers.clear()

    def pool(self, instance: Instance) -> urllib3.HTTPConnectionPool:
        pool = self._pools.get(instance.url)
        if pool is None:
            with self._lock:
                pool = self._pools.get(instance.url)
                if pool is None:
                    pool = urllib3.connection_from_url(
                        instance.url, maxsize=settings.GATEWAY_POOL_SIZE, block=False, retries=False
                    )
                    self._pools[instance.url] = pool
        return pool

    def breaker(self, instance: Instance) -> Breaker:
        breaker = self._breakers.get(instance.url)
        if breaker is None:
            with self._lock:
                breaker = self._breakers.get(instance.url)
                if breaker is None:
                    storage = pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED)
                    circuit = pybreaker.CircuitBreaker(
                        fail_max=settings.GATEWAY_BREAKER_FAILURES,
                        reset_timeout=settings.GATEWAY_BREAKER_COOLDOWN,
                        exclude=[ClientBodyError],  # the client's failure says nothing about the instance
                        state_storage=storage,
                        throw_new_error_on_trip=False,
                        name=instance.url,
                    )
                    breaker = self._breakers[instance.url] = Breaker(circuit, storage)
        return breaker

    def _candidates(self, service: str, tried: set[str]) -> list[Instance]:
        registry = get_registry()
        try:
            instances = registry.instances(service)
        except (UnknownService, NoInstance) as exc:
            raise errors.unavailable("no_instance", str(exc)) from exc
        if not instances:
            raise errors.unavailable("no_instance", f"No healthy instance of {service}.")
        first = registry.choose(service)
        ordered = [first] + [i for i in instances if i != first]
        return [i for i in ordered if i.url not in tried] or ordered

    def _call(
        self, instance: Instance, method: str, path: str, headers, body, *, timeout: float, chunked: bool
    ):
        """One request on one instance through its breaker; ``CircuitBreakerError`` when it is open."""
        breaker = self.breaker(instance)
        if breaker.state == pybreaker.STATE_HALF_OPEN:
            raise pybreaker.CircuitBreakerError("a trial request is under way")
        with breaker.circuit.calling():
            response = self.pool(instance).urlopen(
                method,
                path,
                body=body,
                headers=headers,
                retries=False,
                redirect=False,
                assert_same_host=False,
                timeout=urllib3.Timeout(connect=settings.GATEWAY_CONNECT_TIMEOUT, read=timeout),
                chunked=chunked,
                preload_content=False,
                decode_content=False,
            )
            try:
                check_answer(response)
            except ProtocolError:
                response.close()  # this connection cannot be reused
                response.release_conn()
                raise
            return response

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

        ``body`` is bytes (replayable) or an iterator (streamed, never retried: framed by
        the ``Content-Length`` in ``headers``, or chunked without one);
        ``headers_for_attempt(headers)`` adds per-attempt headers (a fresh assertion).
        """
        replayable = body is None or isinstance(body, bytes)
        names = {name.lower() for name in headers}
        chunked = not replayable and "content-length" not in names
        retry = None  # made on the first failure: most requests never need one
        tried: set[str] = set()
        while True:
            sent = dict(headers)
            for name in _DEFAULT_HEADERS:
                if name.lower() not in names:
                    sent[name] = SKIP_HEADER
            retry_after = None
            for instance in self._candidates(service, tried):
                sent["Host"] = instance.netloc
                if headers_for_attempt is not None:
                    headers_for_attempt(sent)
                try:
                    response = self._call(
                        instance, method, path, sent, body, timeout=timeout, chunked=chunked
                    )
                except pybreaker.CircuitBreakerError:
                    retry_after = min(retry_after or 10**6, self.breaker(instance).retry_after())
                    continue
                except ClientBodyError as exc:
                    # The client's body ended early or could not be read: neither the
                    # instance's fault (no breaker failure) nor worth a retry.
                    logger.info("%s %s: the client's body failed: %s", method, path, exc)
                    raise exc.error from exc
                except NewConnectionError as exc:  # refused, unreachable: nothing was sent
                    failure, error = exc, errors.unreachable(service)
                    logger.warning("%s %s: %s unreachable: %s", method, path, instance.url, exc)
                    tried.add(instance.url)
                    break
                except (ConnectTimeoutError, ReadTimeoutError) as exc:
                    logger.warning("%s %s: timeout on %s: %s", method, path, instance.url, exc)
                    raise errors.timeout(service, timeout) from exc
                except (HTTPError, OSError) as exc:
                    failure, error = exc, errors.bad_gateway()
                    logger.warning("%s %s: bad answer from %s: %s", method, path, instance.url, exc)
                    tried.add(instance.url)
                    break
                return Attempt(instance, response)
            else:
                raise errors.unavailable(
                    "circuit_open",
                    f"The {service} service is failing; the gateway stopped calling it.",
                    retry_after,
                )
            if retry is None:
                retry = retry_policy(method, names, replayable=replayable, retries=retries)
            if retry is False:
                raise error from failure
            try:
                retry = retry.increment(method, path, error=_as_retry_error(failure))
            except HTTPError as exc:  # MaxRetryError, or a failure this request may not be resent after
                raise error from exc


def _as_retry_error(exc: Exception) -> Exception:
    """urllib3's own kinds, as ``Retry.increment`` tells connect errors from read errors."""
    if isinstance(exc, HTTPError):
        return exc
    return ProtocolError("Connection aborted.", exc)


upstreams = Upstreams()
