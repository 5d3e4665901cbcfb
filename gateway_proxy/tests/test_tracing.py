"""Traces at the edge: the gateway starts each trace and sends its context upstream."""

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from common.observability import tracing

CLIENT_TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.fixture
def api(route, monolith):
    route("/api/v1/", legacy_service="monolith")
    return monolith


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    tracing.configure(exporter, simple=True)
    yield exporter
    tracing.disable()


def sent_trace_headers(seen: dict) -> list[tuple[str, str]]:
    return [(k, v) for k, v in seen["headers"].items() if k.lower() in ("traceparent", "tracestate")]


def test_the_upstream_call_continues_the_gateway_s_span_not_the_client_s_trace(gateway, api, spans):
    response = gateway.get("/api/v1/things", headers={"traceparent": CLIENT_TRACEPARENT, "tracestate": "x=1"})

    assert response.status == 200
    finished = spans.get_finished_spans()
    [edge] = [s for s in finished if s.name == "GET proxy"]
    [(name, traceparent)] = sent_trace_headers(api.requests[-1])
    assert name.lower() == "traceparent"
    _, trace_id, parent_id, _ = traceparent.split("-")
    assert int(trace_id, 16) == edge.context.trace_id
    # The upstream call is urllib3's client span, beneath the gateway's.
    [call] = [s for s in finished if s.context.span_id == int(parent_id, 16)]
    assert call.kind == SpanKind.CLIENT
    assert call.parent.span_id == edge.context.span_id
    assert trace_id != CLIENT_TRACEPARENT.split("-")[1]
    assert edge.parent is None
    assert edge.attributes["http.response.status_code"] == 200
    assert edge.attributes["http.route"] == "/api/v1/"


def test_with_tracing_off_no_trace_context_crosses_the_gateway(gateway, api):
    assert not tracing.enabled()

    gateway.get("/api/v1/things", headers={"traceparent": CLIENT_TRACEPARENT})

    assert sent_trace_headers(api.requests[-1]) == []
