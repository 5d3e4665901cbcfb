"""What a published message carries besides its body: who and what caused it.

``outgoing()`` is taken when a message is written (in the request or task that
wrote it): the request id, the user id and the W3C trace context
(``traceparent``) of that moment. The message is published later (right after
the commit, by another thread, or by the relay), so ``in_context()`` makes that
trace context current again around the publish (``in_context``): the Celery instrumentation then
records the publish as a child span and injects its own ``traceparent``.
"""

from __future__ import annotations

import functools

import structlog
from opentelemetry import context as otel_context
from opentelemetry import propagate

from common.identity import request_ids

#: Message header names (task message headers; Celery hands them to the worker's task request).
REQUEST_ID = "polycode_request_id"
USER_ID = "polycode_user_id"
TRACE_CONTEXT = "polycode_trace"


def outgoing(*, correlation_id: str | None = None) -> dict:
    """Headers for a message written now."""
    bound = structlog.contextvars.get_contextvars()
    carrier: dict[str, str] = {}
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


def in_context(message_headers: dict | None, send):
    """``send``, run with the trace context the message was written in made current."""
    carrier = (message_headers or {}).get(TRACE_CONTEXT)
    if not carrier:
        return send

    @functools.wraps(send)
    def send_in_context(*args, **kwargs):
        token = otel_context.attach(propagate.extract(carrier))
        try:
            return send(*args, **kwargs)
        finally:
            otel_context.detach(token)

    return send_in_context
