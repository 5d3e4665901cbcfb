"""Traces (OpenTelemetry) of every process: HTTP in and out, and Celery messages.

Off by default. ``OTEL_TRACES_EXPORTER`` chooses where spans go:

- ``otlp`` — to an OpenTelemetry collector over OTLP/HTTP (``OTEL_EXPORTER_OTLP_ENDPOINT``,
  whose presence alone turns this on; the exporter reads the other ``OTEL_EXPORTER_OTLP_*``);
- ``console`` — one JSON object per span, on standard output or appended to
  ``OTEL_TRACES_FILE`` (development, tests);
- ``none`` — no tracing at all: nothing is instrumented, requests pay nothing.

Instrumented: Django (incoming requests, the W3C ``traceparent`` header continues the
caller's trace), ``requests`` and ``urllib3`` (outgoing calls carry ``traceparent``),
all by OpenTelemetry's instrumentation packages. Messages are traced here
(``headers.in_context`` publishes in a producer span, ``tasks`` runs each task in a
consumer span continuing it): opentelemetry-instrumentation-celery starts a publish
span for ``send_task`` of a task the publishing process does not register (every
message here: the shop publishes the account's tasks) but never ends or detaches it,
so every later span of that thread would hang under it. The gateway's proxy path is
not Django: ``edge`` gives it a server span; its upstream calls (urllib3) are client
spans beneath it, which send ``traceparent``.
The service name is ``SERVICE_NAME`` of the settings (``OTEL_SERVICE_NAME`` overrides).
"""

from __future__ import annotations

import json
import os
import threading

from django.conf import settings
from opentelemetry import context as otel_context
from opentelemetry import trace

_lock = threading.Lock()
_configured = False
_provider = None
_instrumentors: list = []


def configure(exporter=None, *, simple: bool = False) -> bool:
    """Set up this process's tracer provider and instrumentations; True when tracing is on.

    ``exporter`` (a ``SpanExporter``) replaces the configured one: tests pass an in-memory
    one, exported span by span (``simple``) rather than in batches.
    """
    global _configured, _provider
    with _lock:
        if _configured:
            return True
        exporter = exporter or _exporter()
        if exporter is None:
            return False
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

        if _provider is None:
            name = os.environ.get("OTEL_SERVICE_NAME") or getattr(settings, "SERVICE_NAME", "polycode")
            _provider = TracerProvider(resource=Resource.create({"service.name": name}))
            trace.set_tracer_provider(_provider)
        simple = simple or getattr(exporter, "polycode_simple", False)
        _provider.add_span_processor(
            SimpleSpanProcessor(exporter) if simple else BatchSpanProcessor(exporter)
        )
        _instrumentors.extend(_instrument())
        _configured = True
        return True


def disable() -> None:
    """Tracing off again in this process (tests): instrumentations removed, nothing traced."""
    global _configured
    with _lock:
        while _instrumentors:
            _instrumentors.pop().uninstrument()
        _configured = False


def _exporter():
    kind = getattr(settings, "OTEL_TRACES_EXPORTER", "none")
    if kind == "none":
        return None
    if kind == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    if kind == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        path = getattr(settings, "OTEL_TRACES_FILE", "")
        out = open(path, "a", buffering=1) if path else None  # noqa: SIM115 - kept open for the process
        exporter = ConsoleSpanExporter(
            formatter=lambda span: json.dumps(json.loads(span.to_json()), separators=(",", ":")) + "\n",
            **({"out": out} if out else {}),
        )
        exporter.polycode_simple = True  # one line per span, written as it ends
        return exporter
    raise ValueError(f"OTEL_TRACES_EXPORTER: {kind!r} is none of otlp, console, none")


def _instrument() -> list:
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor
    from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor

    instrumentors = [DjangoInstrumentor(), RequestsInstrumentor(), URLLib3Instrumentor()]
    instrumentors[0].instrument(excluded_urls="health,ready,metrics")
    for instrumentor in instrumentors[1:]:
        instrumentor.instrument()
    return instrumentors


def enabled() -> bool:
    return _configured


def edge(handler, environ):
    """``handler(environ)`` (the gateway's proxy path, which is not Django) in a server span.

    The span starts a new trace: a public client's ``traceparent`` is not continued
    (the gateway drops it). Nothing happens with tracing off.
    """
    if not _configured:
        return handler(environ)
    method = environ.get("REQUEST_METHOD", "GET")
    attributes = {"http.request.method": method, "url.path": environ.get("PATH_INFO", "")}
    with tracer.start_as_current_span(
        f"{method} proxy", kind=trace.SpanKind.SERVER, attributes=attributes, context=otel_context.Context()
    ) as span:
        response = handler(environ)
        span.set_attribute("http.response.status_code", response.status)
        span.set_attribute("polycode.upstream.service", response.service)
        if response.route is not None:
            span.set_attribute("http.route", response.route.prefix)
        if response.status >= 500:
            span.set_status(trace.StatusCode.ERROR)
        return response


tracer = trace.get_tracer("polycode")
