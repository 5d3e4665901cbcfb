"""Context of Celery tasks: request id, user id and trace of what caused the message.

Published messages carry them in their headers (``headers.outgoing``, ``headers.in_context``);
before a task runs they become the task's context, so its log lines (and the messages
and calls it makes in turn) carry the request id of the HTTP request that caused it,
and with tracing on the task runs in a consumer span continuing the publisher's trace.
A message without them (published by an older producer) falls back to the
``correlation_id`` of its envelope for the request id.
"""

from __future__ import annotations

import os

from celery import signals
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace

from common.identity import request_ids
from common.observability import headers, logs, metrics, tracing

_TRACE_HEADERS = ("traceparent", "tracestate")
#: Per running task id: (request id token, span, context token).
_running: dict[str, tuple] = {}


def before_task(task_id=None, task=None, args=(), **kwargs) -> None:
    request = getattr(task, "request", None)
    request_id = getattr(request, headers.REQUEST_ID, None) or _correlation_id(args)
    logs.clear()
    logs.bind_user(getattr(request, headers.USER_ID, None))
    if not task_id:
        return
    span = context_token = None
    if tracing.enabled():
        carrier = {name: value for name in _TRACE_HEADERS if (value := getattr(request, name, None))}
        span = tracing.tracer.start_span(
            f"run {getattr(task, 'name', 'task')}",
            context=propagate.extract(carrier),
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.operation.type": "process",
                "messaging.message.id": task_id,
                "celery.task_name": getattr(task, "name", ""),
            },
        )
        context_token = otel_context.attach(trace.set_span_in_context(span))
    _running[task_id] = (request_ids.current.set(request_id or ""), span, context_token)


def after_task(task_id=None, state=None, **kwargs) -> None:
    running = _running.pop(task_id, None) if task_id else None
    if running is not None:
        request_token, span, context_token = running
        if span is not None:
            if state not in (None, "SUCCESS"):
                span.set_attribute("celery.state", str(state))
            if state == "FAILURE":
                span.set_status(trace.StatusCode.ERROR)
            otel_context.detach(context_token)
            span.end()
        request_ids.current.reset(request_token)
    logs.clear()


def _correlation_id(args) -> str | None:
    body = args[0] if args else None
    return body.get("correlation_id") if isinstance(body, dict) else None


def _django_logging(**kwargs) -> None:
    """Celery leaves logging alone: Django's ``LOGGING`` (``logs.logging_config``) formats its lines too."""


def _export_metrics(**kwargs) -> None:
    """A worker exports its metrics on ``METRICS_PORT`` (it serves no /metrics of its own)."""
    port = os.environ.get("METRICS_PORT")
    if port:
        metrics.serve(int(port))


def connect() -> None:
    """Called by ``common.messaging.broker.make_celery_app`` for every Celery app."""
    signals.setup_logging.connect(_django_logging, dispatch_uid="observability-django-logging")
    signals.worker_ready.connect(_export_metrics, dispatch_uid="observability-metrics-port")
    signals.task_prerun.connect(before_task, dispatch_uid="observability-task-context")
    signals.task_postrun.connect(after_task, dispatch_uid="observability-task-context-end")
