"""Log context of Celery tasks: the request id and user id of what caused the message.

Published messages carry them in their headers (``headers.outgoing``); before a
task runs they become the task's context, so its log lines (and the messages and
calls it makes in turn) carry the request id of the HTTP request that caused it.
A message without them (published by an older producer) falls back to the
``correlation_id`` of its envelope.
"""

from __future__ import annotations

import os

from celery import signals

from common.identity import request_ids
from common.observability import headers, logs, metrics

_tokens: dict[str, object] = {}


def before_task(task_id=None, task=None, args=(), **kwargs) -> None:
    request = getattr(task, "request", None)
    request_id = getattr(request, headers.REQUEST_ID, None) or _correlation_id(args)
    logs.clear()
    logs.bind_user(getattr(request, headers.USER_ID, None))
    if task_id:
        _tokens[task_id] = request_ids.current.set(request_id or "")


def after_task(task_id=None, **kwargs) -> None:
    token = _tokens.pop(task_id, None) if task_id else None
    if token is not None:
        request_ids.current.reset(token)
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
