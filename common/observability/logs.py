"""Structured logs: structlog for every logger, stdlib ones included.

One configuration for every process (web, worker, beat, relay): ``logging_config``
gives the ``LOGGING`` dict of the settings, whose one handler formats every
record (Django's, Celery's, the services' own ``logging.getLogger`` calls and
structlog's loggers alike) through structlog's ``ProcessorFormatter``: JSON
lines in production (``LOG_FORMAT=json``), aligned and coloured text in
development (``LOG_FORMAT=console``).

Every line carries the request id and the user id of the request or task being
handled: the request id from ``common.identity.request_ids.current`` (set by
the identity middleware, the gateway's edge handler and, for tasks, by
``common.observability.tasks`` from the message headers), the user id and
anything else bound with ``structlog.contextvars.bind_contextvars``.
"""

from __future__ import annotations

import structlog

from common.identity import request_ids


def add_request_id(logger, method_name: str, event_dict: dict) -> dict:
    """``request_id`` of the request or task being handled (``-`` outside one)."""
    event_dict.setdefault("request_id", request_ids.current.get() or "-")
    return event_dict


def shared_processors() -> list:
    """What every line gets, whether it comes from structlog or from stdlib logging."""
    return [
        structlog.contextvars.merge_contextvars,
        add_request_id,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def renderer(log_format: str):
    if log_format == "json":
        return structlog.processors.JSONRenderer()
    if log_format == "console":
        return structlog.dev.ConsoleRenderer(colors=False)
    raise ValueError(f"LOG_FORMAT: {log_format!r} is neither 'json' nor 'console'")


def configure_structlog() -> None:
    """structlog's own loggers hand their events to stdlib logging (and so to the formatter)."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared_processors(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


class Formatter(structlog.stdlib.ProcessorFormatter):
    """The one formatter of ``LOGGING``: structlog's, with this module's processors."""

    def __init__(self, log_format: str = "console", **kwargs):
        configure_structlog()
        super().__init__(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer(log_format),
            ],
            foreign_pre_chain=[*shared_processors(), structlog.stdlib.PositionalArgumentsFormatter()],
            **kwargs,
        )


def logging_config(*, level: str = "INFO", log_format: str = "console") -> dict:
    """The ``LOGGING`` setting of every service."""
    renderer(log_format)  # a wrong LOG_FORMAT stops the process at start, naming the variable
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": {"()": "common.observability.logs.Formatter", "log_format": log_format}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "filters": {"forbidden_without_traceback": {"()": "common.api.logs.ForbiddenWithoutTraceback"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "django.request": {"filters": ["forbidden_without_traceback"]},
        },
    }


def bind_user(user_id) -> None:
    """Every following line of this request or task carries ``user_id``."""
    structlog.contextvars.bind_contextvars(user_id=str(user_id) if user_id else "-")


def clear() -> None:
    structlog.contextvars.clear_contextvars()


get_logger = structlog.stdlib.get_logger
