"""One purchase is one trace: gateway → monolith → shop web → account worker → shop worker.

Every process of the stack is separate, so each exports its spans (OpenTelemetry's console
exporter, one JSON object per line) to the file the stack gives them; the test collects
that file and looks for the trace of its own request.
"""

import base64
import json
import time
import urllib.error
import urllib.request
import uuid

import pytest

from e2e.stack import Stack

LEARNER = ("learner", "learner-dev-password")


def call(stack: Stack, method: str, path: str, body: dict | None = None, **headers):
    token = base64.b64encode(":".join(LEARNER).encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - the stack on loopback
        stack.url + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Basic {token}", "Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read() or b"null"), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null"), dict(exc.headers)


def spans(stack: Stack) -> list[dict]:
    if not stack.traces_path.exists():
        return []
    found = []
    for line in stack.traces_path.read_text().splitlines():
        try:
            found.append(json.loads(line))
        except ValueError:
            continue  # a line another process is still writing
    return found


def where(span: dict) -> str:
    service = span["resource"]["attributes"].get("service.name")
    if span["name"].startswith("run "):
        return f"{service} worker"
    return f"{service} web" if span["kind"] == "SpanKind.SERVER" else service


def test_a_purchase_is_one_trace_from_the_gateway_to_the_account_worker_and_back(stack, strangler):
    if strangler == "off":
        pytest.skip("the saga runs with the switches on: the legacy purchase is one local transaction")
    status, items, _ = call(stack, "GET", "/api/v1/shop/items")
    assert status == 200, items
    request_id = f"trace-{uuid.uuid4().hex}"
    for item in items["results"] if isinstance(items, dict) else items:
        status, order, headers = call(
            stack, "POST", "/api/v1/shop/purchases", {"item_id": item["id"]},
            **{"X-Request-ID": request_id, "Idempotency-Key": uuid.uuid4().hex},
        )  # fmt: skip
        if status == 202:
            break
    else:
        pytest.fail("the learner could buy none of the demo items")
    assert headers.get("X-Request-ID") == request_id

    # The purchase's end: the shop worker has applied the account's reply.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, ended, _ = call(stack, "GET", f"/api/v1/shop/orders/{order['id']}?wait=5")
        if ended.get("state") in ("completed", "rejected"):
            break
    assert ended["state"] in ("completed", "rejected"), ended

    def the_trace() -> list[dict]:
        found = spans(stack)
        [edge] = [
            s for s in found
            if s["resource"]["attributes"].get("service.name") == "gateway"
            and s["kind"] == "SpanKind.SERVER"
            and s["attributes"].get("url.path") == "/api/v1/shop/purchases"
            and s["attributes"].get("http.request.method") == "POST"
            and s["attributes"].get("http.response.status_code") == 202
        ]  # fmt: skip
        return [s for s in found if s["context"]["trace_id"] == edge["context"]["trace_id"]]

    expected = {"gateway web", "monolith web", "shop web", "monolith worker", "shop worker"}
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not expected <= {where(s) for s in the_trace()}:
        time.sleep(0.5)
    trace = the_trace()
    assert expected <= {where(s) for s in trace}, sorted((where(s), s["name"]) for s in trace)
    names = {s["name"] for s in trace}
    assert {"publish account.saga.debit", "run account.saga.debit"} <= names
    assert {"publish shop.saga.debit_replied", "run shop.saga.debit_replied"} <= names
    # One tree: every span but the gateway's has its parent in the trace.
    ids = {s["context"]["span_id"] for s in trace}
    roots = [s for s in trace if s.get("parent_id") not in ids]
    assert [where(s) for s in roots] == ["gateway web"], roots
