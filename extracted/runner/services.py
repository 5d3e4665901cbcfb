"""Runner use cases: run a program, judge it against tests, start the sandbox.

The sandbox library does the work; this module maps its errors to the service's
error types and makes repeated requests with one ``Idempotency-Key`` return the
first result without running the program again. Nothing is written to a
database, so there is no transaction to open.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

from common.errors import Conflict, ServiceError, Unavailable
from common.observability import metrics
from extracted.runner import sandbox

logger = logging.getLogger(__name__)

IDEMPOTENCY_KEY_MAX = 255
FOLLOWER_WAIT_SECONDS = 120.0

_configured = threading.Lock()
_is_configured = False
_inflight_lock = threading.Lock()
_inflight: dict[str, threading.Event] = {}


class RunnerBusy(Unavailable):
    """Every run slot and queue place is taken; the client should retry later."""

    code = "busy"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def get_sandbox() -> sandbox.Sandbox:
    """The process-wide sandbox, configured from ``settings.RUNNER_SANDBOX`` on first use."""
    global _is_configured
    with _configured:
        if not _is_configured:
            options = {k: v for k, v in settings.RUNNER_SANDBOX.items() if v is not None}
            sandbox.configure(**options)
            _is_configured = True
    try:
        return sandbox.get_sandbox()
    except sandbox.SandboxUnavailable as exc:
        raise Unavailable(f"The sandbox is unavailable: {exc}") from exc


def sandbox_start() -> None:
    """Build the sandbox now; raise ``ImproperlyConfigured`` with the reason when it cannot be built."""
    if not settings.RUNNER_SANDBOX_AT_START:
        return
    try:
        box = get_sandbox()
    except Unavailable as exc:
        logger.critical("runner refusing to start: %s", exc.message)
        # An exception (not SystemExit) so that gunicorn treats it as a boot error and stops.
        raise ImproperlyConfigured(f"runner: refusing to start without a sandbox. {exc.message}") from exc
    logger.info(
        "runner sandbox ready: languages=%s cgroups=%s seccomp=%s",
        ",".join(box.languages),
        box.cgroups.report()["detail"],
        box.seccomp_filter is not None,
    )


def _call(work: Callable[[], dict]) -> dict:
    try:
        return work()
    except sandbox.InputError as exc:
        raise ServiceError(exc.message, field=exc.field) from exc
    except sandbox.Busy as exc:
        raise RunnerBusy(str(exc), retry_after=exc.retry_after) from exc


def _fingerprint(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _idempotent(
    *, key: str | None, scope: str, owner: str, payload: dict, work: Callable[[], dict]
) -> tuple[dict, bool]:
    """Run ``work`` once per ``key`` of one ``owner`` (the caller's user): (result, replayed).

    The same key with a different request is a conflict. A request arriving while
    the first one with its key still runs waits for that result.
    """
    if key is None:
        return _call(work), False
    if not key or len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise ServiceError(
            f"Must be 1 to {IDEMPOTENCY_KEY_MAX} printable characters.", field="Idempotency-Key"
        )
    cache = caches["idempotency"]
    # Keys are per user: one user's key never answers, nor blocks, another's request.
    digest = hashlib.sha256(f"{owner}\x00{key}".encode()).hexdigest()
    cache_key = f"runner:{scope}:{digest}"
    fingerprint = _fingerprint(payload)
    while True:
        cached = cache.get(cache_key)
        if cached is not None:
            if cached["fingerprint"] != fingerprint:
                raise Conflict(
                    "This Idempotency-Key was used for a different request.", field="Idempotency-Key"
                )
            return cached["result"], True
        with _inflight_lock:
            event = _inflight.get(cache_key)
            leader = event is None
            if leader:
                event = _inflight[cache_key] = threading.Event()
        if not leader:
            event.wait(FOLLOWER_WAIT_SECONDS)
            continue
        try:
            result = _call(work)
            cache.set(cache_key, {"fingerprint": fingerprint, "result": result})
            return result, False
        finally:
            with _inflight_lock:
                _inflight.pop(cache_key, None)
            event.set()


def run_execute(
    *,
    language: str,
    source: str,
    stdin: str = "",
    limits: dict | None = None,
    files: list[dict] | None = None,
    idempotency_key: str | None = None,
    owner: str = "",
) -> tuple[dict, bool]:
    """Compile if needed and run ``source`` once; (result, replayed)."""
    extra = {f["name"]: f["content"] for f in files or []}
    payload = {"language": language, "source": source, "stdin": stdin, "limits": limits, "files": extra}

    def work() -> dict:
        run = get_sandbox().run
        return metrics.runner_measured(
            language,
            "run",
            lambda: run(language=language, source=source, stdin=stdin, limits=limits, files=extra).as_dict(),
        )

    return _idempotent(key=idempotency_key, scope="run", owner=owner, payload=payload, work=work)


def judge_execute(
    *,
    language: str,
    source: str,
    tests: list[dict],
    limits: dict | None = None,
    compare: str = "lines",
    files: list[dict] | None = None,
    idempotency_key: str | None = None,
    owner: str = "",
) -> tuple[dict, bool]:
    """Compile once and run every test; one verdict per test plus a summary; (result, replayed)."""
    extra = {f["name"]: f["content"] for f in files or []}
    payload = {
        "language": language,
        "source": source,
        "tests": tests,
        "limits": limits,
        "compare": compare,
        "files": extra,
    }

    def work() -> dict:
        judge = get_sandbox().judge
        return metrics.runner_measured(
            language,
            "judge",
            lambda: judge(
                language=language, source=source, tests=tests, limits=limits, compare=compare, files=extra
            ).as_dict(),
        )

    return _idempotent(key=idempotency_key, scope="judge", owner=owner, payload=payload, work=work)
