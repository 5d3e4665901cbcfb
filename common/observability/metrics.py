"""Domain metrics of PolyCode (Prometheus, ``prometheus_client``).

Request metrics (latency, status, per view) come from django-prometheus's middleware;
these are the ones only the code knows. Each service increments its own; every
process exports them at ``/metrics`` (web) or on ``METRICS_PORT`` (workers, relays,
the gateway: ``serve``).

Several processes (gunicorn workers; in development a service's web, worker and
relay) share one ``PROMETHEUS_MULTIPROC_DIR``: prometheus_client's multiprocess
mode then writes every sample to files there, and a scrape of any of them sums
every process's samples. Without the variable each process exports its own.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess, start_http_server

#: Run times of the sandbox, compile included: from a trivial program to the wall-clock limit.
RUN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30)
#: From placement to completed/rejected: milliseconds when all is well, the saga's deadline at worst.
SAGA_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
#: Written to published: the fast path's milliseconds, the relay's seconds.
LAG_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)

runner_verdicts = Counter(
    "polycode_runner_verdicts_total",
    "Sandbox runs by language, kind (run, judge) and verdict.",
    ["language", "kind", "verdict"],
)
runner_seconds = Histogram(
    "polycode_runner_run_seconds",
    "Time of one sandbox run or judging, by language and kind.",
    ["language", "kind"],
    buckets=RUN_BUCKETS,
)
saga_outcomes = Counter(
    "polycode_saga_outcomes_total",
    "Purchases that reached their end, by outcome and reason.",
    ["outcome", "reason"],
)
saga_seconds = Histogram(
    "polycode_saga_time_to_terminal_seconds",
    "From an order's placement to its end state, by outcome.",
    ["outcome"],
    buckets=SAGA_BUCKETS,
)
outbox_lag = Histogram(
    "polycode_outbox_lag_seconds",
    "From a message written to the outbox to the broker's confirm, by queue.",
    ["queue"],
    buckets=LAG_BUCKETS,
)
outbox_publish_failures = Counter(
    "polycode_outbox_publish_failures_total",
    "Publish attempts the broker did not confirm, by queue.",
    ["queue"],
)
mails = Counter(
    "polycode_mails_total",
    "Mails handed to SMTP, by result (sent, retry, dead) and kind.",
    ["result", "kind"],
)
gateway_requests = Counter(
    "polycode_gateway_requests_total",
    "Requests the gateway answered, by route, mode, service and status.",
    ["route", "mode", "service", "status"],
)
gateway_seconds = Histogram(
    "polycode_gateway_request_seconds",
    "Time to the upstream's answer (headers), by route and service.",
    ["route", "service"],
)


def runner_measured(language: str, kind: str, work: Callable[[], dict]) -> dict:
    """``work()`` (one sandbox run returning its result dict), counted and timed."""
    started = time.perf_counter()
    result = work()
    runner_seconds.labels(language, kind).observe(time.perf_counter() - started)
    runner_verdicts.labels(language, kind, str(result.get("verdict", "unknown"))).inc()
    return result


def saga_ended(*, outcome: str, reason: str = "", placed_at: datetime | None) -> None:
    """An order reached ``outcome``; counted once the transaction that ended it commits."""
    from django.db import transaction

    def count() -> None:
        saga_outcomes.labels(outcome, reason or "").inc()
        if placed_at is not None:
            saga_seconds.labels(outcome).observe(max(0.0, (datetime.now(UTC) - placed_at).total_seconds()))

    transaction.on_commit(count)


def published(messages: Sequence, results: Sequence[tuple[str, str | None]]) -> None:
    """The outcome of one batch of outbox messages (``Outgoing``), from their envelope's ``occurred_at``."""
    now = datetime.now(UTC)
    for message, (_, error) in zip(messages, results, strict=False):
        if error is not None:
            outbox_publish_failures.labels(message.queue).inc()
            continue
        occurred = message.body.get("occurred_at") if isinstance(message.body, dict) else None
        try:
            written = datetime.fromisoformat(occurred) if occurred else None
        except (TypeError, ValueError):
            written = None
        if written is not None and written.tzinfo is not None:
            outbox_lag.labels(message.queue).observe(max(0.0, (now - written).total_seconds()))


def mail_result(result: str, kind: str) -> None:
    mails.labels(result, kind or "unknown").inc()


def gateway_answered(*, route, service: str, status: int, seconds: float) -> None:
    prefix = route.prefix if route is not None else "-"
    gateway_requests.labels(prefix, route.mode if route is not None else "-", service, str(status)).inc()
    gateway_seconds.labels(prefix, service).observe(seconds)


def registry() -> CollectorRegistry:
    """What a scrape of this process returns: every process of the directory in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)
        return collected
    from prometheus_client import REGISTRY

    return REGISTRY


def serve(port: int, addr: str = "0.0.0.0") -> None:  # noqa: S104 - scraped from inside the cluster
    """Export on a port of its own (processes without Django's /metrics: workers, relays, the gateway)."""
    start_http_server(port, addr=addr, registry=registry())
