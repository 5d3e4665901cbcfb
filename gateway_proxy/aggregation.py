"""``GET /api/v1/dashboard``: one call for the learner's home page, fanned out in parallel.

Each part is fetched through the route table (so it follows the route's mode:
legacy, extracted, canary...) with its own timeout, on a shared thread pool.
The answer has every part that succeeded under ``parts`` and names every part
that failed under ``errors`` (``timeout``, ``unavailable``, ``http_404``...).
"""

import json
from concurrent.futures import ThreadPoolExecutor, wait

from django.conf import settings

from common.identity.assertion import HEADER as ASSERTION_HEADER
from common.identity.assertion import Identity, issue
from common.identity.request_ids import HEADER as REQUEST_ID_HEADER
from gateway_proxy.proxy import paths
from gateway_proxy.proxy.errors import EdgeError
from gateway_proxy.proxy.upstream import upstreams
from gateway_proxy.routing import route_table

_executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="gw-aggregate")


def resolve(path: str, *, canary_key: str, method: str = "GET"):
    """(route, target) for ``path``, chosen in the request's thread (the route table is read here)."""
    route = route_table.match(path)
    if route is None:
        raise EdgeError(404, "no_route", f"No service answers {path}.")
    target, _ = route.choose(method=method, canary_key=lambda: canary_key)
    if target is None:
        raise EdgeError(503, "no_instance", f"Route {route.prefix} has no service.")
    return route, target


def call(
    method: str, path: str, route, target, *, identity: Identity, timeout: float, body: dict | None = None
) -> tuple[int, dict]:
    """``(status, JSON body)`` of one API call the gateway makes itself, as ``identity``."""

    def assert_identity(h):
        h[ASSERTION_HEADER] = issue(identity, audience=target.service, ttl=settings.GATEWAY_ASSERTION_TTL)

    headers = {"Accept": "application/json", REQUEST_ID_HEADER: identity.request_id}
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        headers.update({"Content-Type": "application/json", "Content-Length": str(len(data))})
    attempt = upstreams.send(
        service=target.service,
        method=method,
        path=paths.encode(route.upstream_path(target, path)),
        headers=headers,
        body=data,
        timeout=min(timeout, route.timeout),
        retries=0,
        headers_for_attempt=assert_identity,
    )
    try:
        status, raw = attempt.response.status, attempt.response.read()
    finally:
        attempt.response.release_conn()
    try:
        return status, json.loads(raw)
    except ValueError as exc:
        raise EdgeError(502, "bad_gateway", f"{path} did not answer JSON.") from exc


def fetch_part(path: str, route, target, *, identity: Identity, timeout: float) -> dict:
    status, body = call("GET", path, route, target, identity=identity, timeout=timeout)
    if status != 200:
        raise EdgeError(502, f"http_{status}", f"{path} answered {status}.")
    return body


def dashboard(*, identity: Identity, canary_key: str) -> dict:
    parts_conf = settings.GATEWAY_DASHBOARD_PARTS
    timeout = settings.GATEWAY_DASHBOARD_PART_TIMEOUT
    parts, failed, futures = {}, {}, {}
    for name, path in parts_conf.items():
        try:
            route, target = resolve(path, canary_key=canary_key)
        except EdgeError as exc:
            failed[name] = "unavailable" if exc.status == 503 else exc.code
            continue
        futures[name] = _executor.submit(fetch_part, path, route, target, identity=identity, timeout=timeout)
    wait(futures.values(), timeout=timeout + 0.5)
    for name, future in futures.items():
        if not future.done():
            future.cancel()
            failed[name] = "timeout"
            continue
        exc = future.exception()
        if exc is None:
            parts[name] = future.result()
        elif isinstance(exc, EdgeError):
            failed[name] = {
                "upstream_timeout": "timeout",
                "upstream_unreachable": "unavailable",
                "no_instance": "unavailable",
                "circuit_open": "unavailable",
            }.get(exc.code, exc.code)
        else:
            failed[name] = "error"
    return {"parts": parts, "errors": failed}
