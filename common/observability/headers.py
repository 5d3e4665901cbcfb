"""What a published message carries besides its body: who and what caused it.

``outgoing()`` is taken when a message is written (in the request or task that
wrote it): the request id, the user id and the W3C trace context
(``traceparent``) of that moment. The message is published later (right after
the commit, by another thread, or by the relay), so ``in_context()`` publishes it in
a span that continues that trace. A message the relay publishes after a restart has
no trace context (the outbox row keeps only the request id, as the envelope's
``correlation_id``): its consumer starts a new trace.
"""

from __future__ import annotations

import functools

import structlog
from opentelemetry import propagate, trace

from common.identity import request_ids
from common.observability import tracing

#: Message header names (task message headers; Celery hands them to the worker's task request).
REQUEST_ID = "polycode_request_id"
USER_ID = "polycode_user_id"
TRACE_CONTEXT = "polycode_trace"


def outgoing(*, correlation_id: str | None = None) -> dict:
    """Headers for a message written now."""
    bound = structlog.contextvars.get_contextvars()
    carrier: dict[str, str] = {}
    if tracing.enabled():
        propagate.inject(carrier)
    found = {
        REQUEST_ID: request_ids.current.get() or correlation_id or "",
        USER_ID: bound.get("user_id") if bound.get("user_id") not in (None, "-") else "",
        TRACE_CONTEXT: carrier,
    }
    return {name: value for name, value in found.items() if value}


def for_publish(message_headers: dict | None, body) -> dict:
    """The headers to publish with: those taken when written, else the envelope's correlation id."""
    if message_headers:
        return {k: v for k, v in message_headers.items() if k != TRACE_CONTEXT}
    correlation_id = body.get("correlation_id") if isinstance(body, dict) else None
    return {REQUEST_ID: correlation_id} if correlation_id else {}


def in_context(message, send):
    """``send`` (Celery's ``send_task``) for ``message`` (an ``Outgoing``), traced.

    With tracing on, the publish is a producer span, child of the context the message
    was written in, and the message's headers carry that span's ``traceparent``: the
    consumer's span (``common.observability.tasks``) continues the same trace.
    """
    if not tracing.enabled():
        return send
    carrier = (message.headers or {}).get(TRACE_CONTEXT) or {}

    @functools.wraps(send)
    def send_traced(*args, **kwargs):
        attributes = {
            "messaging.system": "rabbitmq",
            "messaging.operation.type": "publish",
            "messaging.destination.name": message.queue,
            "messaging.message.id": str(message.message_id),
            "celery.task_name": message.task,
        }
        with tracing.tracer.start_as_current_span(
            f"publish {message.task}",
            context=propagate.extract(carrier),
            kind=trace.SpanKind.PRODUCER,
            attributes=attributes,
        ):
            headers = dict(kwargs.get("headers") or {})
            propagate.inject(headers)
            return send(*args, **{**kwargs, "headers": headers})

    return send_traced
