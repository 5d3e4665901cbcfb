"""Shadow traffic: the legacy answer is served, the extracted one only compared.

Comparisons run on a small thread pool after the response has been handed
over, with a bounded backlog (when it is full, comparisons are skipped rather
than queued), so shadowing never slows or endangers the real response.
"""

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection

from gateway_proxy.metrics import traffic
from gateway_proxy.proxy.errors import EdgeError

logger = logging.getLogger(__name__)

MAX_DIFFERENCES = 20
SAMPLE_BYTES = 4000
_MISSING = "<missing>"


def diff(legacy, extracted, *, ignore=frozenset(), path="$", out=None) -> list[dict]:
    """Differences between two JSON values, skipping keys named in ``ignore`` at any depth."""
    out = [] if out is None else out
    if len(out) >= MAX_DIFFERENCES:
        return out
    if isinstance(legacy, dict) and isinstance(extracted, dict):
        for key in sorted(set(legacy) | set(extracted), key=str):
            if key in ignore:
                continue
            diff(
                legacy.get(key, _MISSING),
                extracted.get(key, _MISSING),
                ignore=ignore,
                path=f"{path}.{key}",
                out=out,
            )
    elif isinstance(legacy, list) and isinstance(extracted, list):
        if len(legacy) != len(extracted):
            out.append({"path": f"{path}.length", "legacy": len(legacy), "extracted": len(extracted)})
        for i, (a, b) in enumerate(zip(legacy, extracted, strict=False)):
            diff(a, b, ignore=ignore, path=f"{path}[{i}]", out=out)
    elif legacy != extracted or type(legacy) is not type(extracted):
        out.append({"path": path, "legacy": legacy, "extracted": extracted})
    return out[:MAX_DIFFERENCES]


def _parse(body: bytes):
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def compare(*, legacy_status, legacy_body, extracted_status, extracted_body, ignore) -> list[dict]:
    differences = []
    if legacy_status != extracted_status:
        differences.append({"path": "status", "legacy": legacy_status, "extracted": extracted_status})
    a, b = _parse(legacy_body), _parse(extracted_body)
    if a is None or b is None:
        if legacy_body != extracted_body:
            differences.append({"path": "body", "legacy": "<non-JSON body>", "extracted": "<differs>"})
        return differences
    return differences + diff(a, b, ignore=ignore)


class ShadowRunner:
    def __init__(self):
        self._executor: ThreadPoolExecutor | None = None
        self._pending = 0
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self.skipped = 0

    def submit(self, fn, *args) -> bool:
        with self._lock:
            if self._pending >= settings.GATEWAY_SHADOW_QUEUE:
                self.skipped += 1
                return False
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    settings.GATEWAY_SHADOW_WORKERS, thread_name_prefix="gw-shadow"
                )
            self._pending += 1
        self._executor.submit(self._run, fn, *args)
        return True

    def _run(self, fn, *args):
        try:
            fn(*args)
        except EdgeError as exc:
            logger.info("shadow call failed: %s %s", exc.code, exc.detail)
        except Exception:
            logger.exception("shadow comparison failed")
        finally:
            connection.close()
            with self._lock:
                self._pending -= 1
                if self._pending == 0:
                    self._idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        with self._lock:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)


shadow_runner = ShadowRunner()


def record(
    *, route, target, method, path, request_id, legacy_status, legacy_body, extracted_status, extracted_body
):
    from gateway_proxy.services import shadow_mismatch_record

    differences = compare(
        legacy_status=legacy_status,
        legacy_body=legacy_body,
        extracted_status=extracted_status,
        extracted_body=extracted_body,
        ignore=route.shadow_ignore_fields,
    )
    traffic.shadow(prefix=route.prefix, service=target.service, mismatched=bool(differences))
    if differences:
        shadow_mismatch_record(
            route_prefix=route.prefix,
            method=method,
            path=path[:1000],
            request_id=request_id,
            legacy_status=legacy_status,
            extracted_status=extracted_status,
            differences=json.loads(json.dumps(differences, default=str)),
            legacy_sample=legacy_body[:SAMPLE_BYTES].decode("utf-8", "replace"),
            extracted_sample=(extracted_body or b"")[:SAMPLE_BYTES].decode("utf-8", "replace"),
        )
    return differences
