"""The broker side: queue topology, the Celery app factory, confirmed publishing.

Topology, per consumer queue ``<name>`` (``mailer``, later ``account``…):

- a topic exchange ``<name>`` bound to the queue with routing key ``<name>``
  (topic, not direct, so Celery's native delayed delivery can hold retries in
  the broker instead of in the worker's memory);
- the queue itself, a RabbitMQ **quorum** queue (replicated, durable) with a
  delivery limit, whose rejected or over-delivered messages are dead-lettered
  (at-least-once dead-lettering) to
- the fanout exchange ``<name>.dead`` and its quorum queue ``<name>.dead``.

Every service declares the same arguments (they come from this module), which
RabbitMQ requires for a queue declared by several clients.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from celery import Celery, Task, bootsteps, signals
from celery.exceptions import Ignore, Reject
from celery.worker.consumer import Consumer as CeleryConsumer
from django.db import DatabaseError
from kombu import Exchange, Queue

import contracts
from common.messaging import conf, filesystem
from common.messaging.connections import after_task, before_task
from common.observability import headers as observability_headers
from common.observability import metrics as observability_metrics
from common.observability import tasks as observability_tasks

logger = logging.getLogger(__name__)


def dead_letter_name(queue: str) -> str:
    return f"{queue}.dead"


def task_queue(name: str) -> Queue:
    """The consumer queue ``name`` with its reliability arguments."""
    return Queue(
        name,
        Exchange(name, type="topic", durable=True),
        routing_key=name,
        durable=True,
        queue_arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": int(conf.get("MESSAGING_DELIVERY_LIMIT")),
            "x-dead-letter-exchange": dead_letter_name(name),
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        },
    )


def dead_letter_queue(name: str) -> Queue:
    """Where the messages of ``name`` go when they cannot be processed."""
    dead = dead_letter_name(name)
    return Queue(
        dead,
        Exchange(dead, type="fanout", durable=True),
        routing_key=dead,
        durable=True,
        queue_arguments={"x-queue-type": "quorum"},
    )


def known_queues() -> list[str]:
    """Every consumer queue named by a registered message contract."""
    return sorted({spec.queue for spec in contracts.registered()})


def declare_topology(connection, queues: Iterable[str]) -> None:
    """Declare the dead-letter queues, then the queues (idempotent)."""
    channel = connection.default_channel
    for name in queues:
        dead_letter_queue(name).bind(channel).declare()
        task_queue(name).bind(channel).declare()


def transport_options(url: str) -> dict[str, Any]:
    if conf.is_amqp(url):
        return {
            # Every publish waits for the broker's ack: a message the broker did
            # not take raises instead of vanishing.
            "confirm_publish": True,
            "connect_timeout": float(conf.get("MESSAGING_CONNECT_TIMEOUT")),
        }
    if url.startswith("filesystem"):
        root = conf.broker_dir()
        queue_dir, control_dir, processed_dir = root / "queue", root / "control", root / "processed"
        for folder in (queue_dir, control_dir, processed_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return {
            # One folder for in and out: producers and consumers are other processes.
            "data_folder_in": str(queue_dir),
            "data_folder_out": str(queue_dir),
            "control_folder": str(control_dir),
            "processed_folder": str(processed_dir),
            "store_processed": False,
        }
    return {}


def make_celery_app(main: str, *, consume: Sequence[str] = ()) -> Celery:
    """A Celery app configured for reliable delivery.

    ``consume`` names the queues a worker of this app reads (``["mailer"]``);
    a publishing-only app leaves it empty and knows every registered queue.
    """
    url = conf.broker_url()
    queue_names = list(consume) or known_queues()
    app = Celery(main, set_as_current=False)
    app.conf.update(
        broker_url=url,
        # The file-system broker writes its files atomically (common.messaging.filesystem).
        broker_transport=filesystem.TRANSPORT if url.startswith("filesystem") else None,
        broker_transport_options=transport_options(url),
        broker_connection_retry=True,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        broker_connection_timeout=float(conf.get("MESSAGING_CONNECT_TIMEOUT")),
        # Ack only once the task has finished, so a crash redelivers the message;
        # a task that fails is rejected (dead-lettered), never silently acked.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=False,
        worker_prefetch_multiplier=1,
        task_queues=[task_queue(name) for name in queue_names],
        task_routes={spec.task: {"queue": spec.queue} for spec in contracts.registered()},
        task_create_missing_queues=False,
        task_default_queue=queue_names[0] if queue_names else "celery",
        task_serializer="json",
        accept_content=["json"],
        result_backend=None,
        task_ignore_result=True,
        task_publish_retry=True,
        task_publish_retry_policy={"max_retries": 5, "interval_start": 0.2, "interval_step": 0.5},
        broker_native_delayed_delivery_queue_type="quorum",
        worker_consumer="common.messaging.broker:DeadLetteringConsumer",
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_send_sent_event=False,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        enable_utc=True,
    )
    # Celery's Django fix-up closes the database connection around every task
    # unless told to reuse it; Django's own rules (CONN_MAX_AGE, health checks,
    # dropping a connection that failed) decide instead, at each task's edges.
    app.conf.CELERY_DB_REUSE_MAX = 100_000
    signals.task_prerun.connect(before_task, dispatch_uid="messaging-close-old-connections-pre")
    signals.task_postrun.connect(after_task, dispatch_uid="messaging-close-old-connections-post")
    signals.worker_ready.connect(_touch_ready_file, dispatch_uid="messaging-ready-file")
    signals.worker_shutdown.connect(_remove_ready_file, dispatch_uid="messaging-ready-file-gone")
    app.steps["consumer"].add(DeclareDeadLetterQueues)
    observability_tasks.connect()
    return app


def _ready_file() -> Path | None:
    # For readiness probes (and tests): a file that exists while the worker consumes.
    path = os.environ.get("MESSAGING_READY_FILE")
    return Path(path) if path else None


def _touch_ready_file(**kwargs) -> None:
    if path := _ready_file():
        path.touch()


def _remove_ready_file(**kwargs) -> None:
    if path := _ready_file():
        path.unlink(missing_ok=True)


#: Keys of the last element of a task message's body (Celery protocol 2): canvas links,
#: which this system never sends (a message asking for them is not one of ours).
_CANVAS_KEYS = frozenset({"callbacks", "errbacks", "chain", "chord"})


def unprocessable_reason(message) -> str | None:
    """Why ``message`` is not a task message this system could have sent; None when it is one.

    Celery's worker assumes a well-formed protocol-2 message (headers naming the
    task and its id, a JSON body ``[args, kwargs, embed]``): a body such as
    ``{"a": 1}``, ``null`` or ``[[], {}, 5]`` raises inside its consumer (the
    worker process dies) or inside a pool thread (nothing ever acks the
    message). So every delivery is checked here first, once.
    """
    headers = message.headers
    if not isinstance(headers, dict):
        return "no headers: not a task message"
    for name in ("task", "id"):
        if not isinstance(headers.get(name), str):
            return f"header {name!r} missing or not a string: not a task message"
    try:
        body = message.decode()
    except Exception as exc:  # whatever the serializer raises, the body is unusable
        return f"undecodable body ({message.content_type}): {type(exc).__name__}: {exc}"
    if not isinstance(body, list | tuple) or len(body) != 3:
        return f"body is not [args, kwargs, embed] but {_shape(body)}"
    args, kwargs, embed = body
    if not isinstance(args, list | tuple):
        return f"args is not a list but {_shape(args)}"
    if not isinstance(kwargs, dict):
        return f"kwargs is not an object but {_shape(kwargs)}"
    if embed is not None and not (
        isinstance(embed, dict) and embed.keys() <= _CANVAS_KEYS and not any(embed.values())
    ):
        return f"embed is not an empty canvas ({_shape(embed)}): callbacks, chains and chords are not used"
    return None


def _shape(value) -> str:
    return "null" if value is None else type(value).__name__


class DeadLetteringConsumer(CeleryConsumer):
    """Celery's consumer, except that a message it cannot turn into a task is dead-lettered.

    Celery acks an undecodable message away, and lets anything else a malformed
    message raises escape and stop the worker. Here such a message is logged
    and rejected without requeue (the broker moves it to the queue's
    dead-letter queue), and the worker goes on with the next one. Connection
    and channel errors still propagate: the consumer reconnects on those.
    """

    def create_task_handler(self, *args, **kwargs):
        handle = super().create_task_handler(*args, **kwargs)
        recoverable = (*self.connection_errors, *self.channel_errors)

        def on_task_received(message):
            reason = unprocessable_reason(message)
            if reason is None:
                try:
                    return handle(message)
                except recoverable:
                    raise
                except Exception as exc:  # any other failure is the message's
                    reason = f"{type(exc).__name__}: {exc}"
            self.dead_letter_message(message, reason)

        return on_task_received

    def on_decode_error(self, message, exc):
        self.dead_letter_message(message, f"undecodable body: {type(exc).__name__}: {exc}")

    def dead_letter_message(self, message, reason: str) -> None:
        headers = message.headers if isinstance(message.headers, dict) else {}
        logger.error(
            "messaging.unprocessable_message queue=%s task=%.100r id=%.100r content_type=%s reason=%s: "
            "dead-lettered",
            (message.delivery_info or {}).get("routing_key"),
            headers.get("task"),
            headers.get("id"),
            message.content_type,
            reason[:500],
        )
        if not message.acknowledged:
            message.reject_log_error(logger, self.connection_errors, requeue=False)


class DeclareDeadLetterQueues(bootsteps.StartStopStep):
    """Declares the dead-letter queues of the consumed queues on every (re)connection."""

    requires = ("celery.worker.consumer.connection:Connection",)

    def start(self, c):
        declare_topology(c.connection, [q.name for q in c.app.amqp.queues.consume_from.values()])


def retry_delay(attempt: int, *, base: float | None = None, cap: float | None = None) -> float:
    """Exponential back-off with jitter, in seconds, before attempt ``attempt + 1``.

    "Equal jitter": half of the exponential delay is fixed, half random, so
    retries of many messages spread out but none comes back at once. ``base``
    and ``cap`` default to the consumers' settings.
    """
    base = float(conf.get("MESSAGING_RETRY_BACKOFF")) if base is None else base
    cap = float(conf.get("MESSAGING_RETRY_BACKOFF_MAX")) if cap is None else cap
    delay = min(cap, base * 2**attempt)
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not security


class MessageTask(Task):
    """Base of every consumer task: late ack, bounded retries, dead-lettering.

    A consumer task is thin: it parses the message with ``contracts.parse``,
    calls one service, and then returns (acked), calls :meth:`retry_later` for
    a transient failure, or :meth:`dead_letter` for one that will never pass.
    An unexpected exception is rejected without requeue: dead-lettered.
    """

    abstract = True
    acks_late = True
    reject_on_worker_lost = True
    acks_on_failure_or_timeout = False
    typing = False

    @property
    def attempts_allowed(self) -> int:
        return max(1, int(conf.get("MESSAGING_MAX_ATTEMPTS")))

    @property
    def attempt(self) -> int:
        """Number of this attempt, from 1."""
        return int(self.request.retries or 0) + 1

    @property
    def is_last_attempt(self) -> bool:
        return self.attempt >= self.attempts_allowed

    def consume(self, body, *, spec, service):
        """The usual consumer body: parse ``body`` as ``spec``, then ``service(message=...)``.

        A message that fails its contract is dead-lettered; a database error is
        retried later; whatever ``service`` returns is the task's result.
        """
        try:
            message = contracts.parse(body, expect=spec)
        except contracts.ContractError as exc:
            self.dead_letter(reason=f"contract: {exc}")
        try:
            return service(message=message)
        except DatabaseError as exc:
            self.retry_later(reason=f"database: {exc}")

    def retry_later(self, *, reason: str) -> NoReturn:
        """Publish the message again after a back-off; the current delivery is then acked.

        On the last attempt allowed, the message is dead-lettered instead.
        """
        if self.is_last_attempt:
            self.dead_letter(reason=f"gave up after {self.attempt} attempts: {reason}")
        delay = retry_delay(self.attempt - 1)
        if conf.is_amqp(self.app.conf.broker_url):
            # Native delayed delivery counts whole seconds.
            delay = round(delay)
        logger.warning(
            "messaging.retry task=%s id=%s attempt=%s/%s in=%.1fs reason=%s",
            self.name,
            self.request.id,
            self.attempt,
            self.attempts_allowed,
            delay,
            reason,
        )
        raise self.retry(countdown=delay, max_retries=self.attempts_allowed - 1)

    def dead_letter(self, *, reason: str) -> NoReturn:
        """Move the message to the dead-letter queue of its queue."""
        logger.error(
            "messaging.dead_letter task=%s id=%s attempt=%s reason=%s",
            self.name,
            self.request.id,
            self.attempt,
            reason,
        )
        if conf.is_amqp(self.app.conf.broker_url):
            # The broker moves it atomically through the queue's dead-letter exchange.
            raise Reject(reason, requeue=False)
        # Transports without dead-letter exchanges: publish a copy, then ack.
        queue = (self.request.delivery_info or {}).get("routing_key") or self.app.conf.task_default_queue
        self.app.send_task(
            self.name,
            args=self.request.args,
            kwargs=self.request.kwargs,
            task_id=self.request.id,
            exchange=dead_letter_name(queue),
            routing_key=dead_letter_name(queue),
            declare=[dead_letter_queue(queue)],
            headers={"x-dead-letter-reason": reason[:1000]},
        )
        raise Ignore()


@dataclass(frozen=True)
class Outgoing:
    """One message to publish as a Celery task message."""

    task: str
    queue: str
    message_id: str
    body: Any
    #: Request id, user id and trace context of what wrote the message (common/observability).
    headers: dict | None = None


class PublishError(RuntimeError):
    """The broker did not confirm a message."""


class Publisher:
    """Publishes messages as Celery task messages and waits for the broker's confirms.

    On RabbitMQ the channel is in confirm mode and a batch is pipelined: every
    message of the batch is sent, then the publisher waits until the broker
    has acked (or nacked) each one. A message counts as published only once
    acked: on a quorum queue that means stored by a majority of its replicas.

    One per thread (:func:`publisher`): AMQP channels are not thread-safe. Any
    error closes the connection; the next publish reconnects.
    """

    def __init__(self, app: Celery | None = None):
        self.app = app or producer_app()
        self._connection = None
        self._producer = None
        self._confirms = conf.is_amqp(self.app.conf.broker_url)
        self._next_tag = 1
        self._unsettled: set[int] = set()
        self._settled: dict[int, bool] = {}
        self._returned: dict[str, str] = {}

    def publish(self, *, task: str, queue: str, message_id: str, body: Any) -> None:
        """Publish one message; returns once the broker confirmed it, raises otherwise."""
        [(_, error)] = self.publish_many([Outgoing(task, queue, message_id, body)])
        if error is not None:
            raise PublishError(error)

    def publish_many(self, messages: Sequence[Outgoing]) -> list[tuple[str, str | None]]:
        """Publish ``messages``; returns ``(message_id, error or None)`` for each, in order.

        A connection kept from an earlier batch may have been closed by the
        broker meanwhile: then one fresh connection is tried before giving up.
        """
        if not messages:
            return []
        reused = self._producer is not None
        try:
            return self._publish_many(messages)
        except Exception as exc:
            self.close()
            if not reused:
                return [(m.message_id, _describe(exc)) for m in messages]
            logger.info("messaging.publisher_reconnect: the kept connection failed (%s)", _describe(exc))
        try:
            return self._publish_many(messages)
        except Exception as exc:
            self.close()
            return [(m.message_id, _describe(exc)) for m in messages]

    def _publish_many(self, messages: Sequence[Outgoing]) -> list[tuple[str, str | None]]:
        producer = self._producer_or_connect()
        tags = []
        for message in messages:
            send = observability_headers.in_context(message, self.app.send_task)
            send(
                message.task,
                args=[message.body],
                task_id=message.message_id,
                queue=message.queue,
                producer=producer,
                retry=False,
                ignore_result=True,
                # The headers name the message, they do not copy it: no recipient or
                # other personal data in broker tools and worker logs.
                argsrepr=_argsrepr(message.body),
                kwargsrepr="{}",
                # The topology was declared on connect. A message no queue would
                # take (the queue was deleted meanwhile) comes back instead of being
                # dropped: the broker returns it before confirming it.
                declare=[],
                mandatory=self._confirms,
                headers=observability_headers.for_publish(message.headers, message.body),
            )
            tags.append(self._next_tag)
            self._unsettled.add(self._next_tag)
            self._next_tag += 1
        if not self._confirms:
            self._unsettled.clear()
            results = [(m.message_id, None) for m in messages]
            observability_metrics.published(messages, results)
            return results
        deadline = time.monotonic() + float(conf.get("MESSAGING_CONFIRM_TIMEOUT"))
        while self._unsettled:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PublishError("timed out waiting for the broker's publisher confirms")
            try:
                self._connection.drain_events(timeout=remaining)
            except TimeoutError:
                continue
        results = []
        for message, tag in zip(messages, tags, strict=True):
            ok = self._settled.pop(tag)
            returned = self._returned.pop(message.message_id, None)
            if returned:
                results.append((message.message_id, f"the broker returned the message: {returned}"))
            else:
                results.append((message.message_id, None if ok else "the broker refused the message (nack)"))
        observability_metrics.published(messages, results)
        return results

    def _producer_or_connect(self):
        if self._producer is None:
            # Confirm mode is managed here (pipelined), not by the transport (one
            # round trip per message).
            connection = self.app.connection_for_write(transport_options={"confirm_publish": False})
            try:
                # No retry here: the relay has its own back-off, and the fast path must not wait.
                connection.ensure_connection(max_retries=0)
                declare_topology(connection, [q.name for q in self.app.amqp.queues.values()])
                if self._confirms:
                    channel = connection.default_channel
                    channel.confirm_select()
                    channel.events["basic_ack"].add(self._on_ack)
                    channel.events["basic_nack"].add(self._on_nack)
                    channel.events["basic_return"].add(self._on_return)
            except Exception:
                connection.release()
                raise
            self._connection = connection
            self._producer = self.app.amqp.Producer(connection, auto_declare=False)
            self._next_tag = 1
            self._unsettled, self._settled, self._returned = set(), {}, {}
        return self._producer

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple, ok=True)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple, ok=False)

    def _on_return(self, exc, exchange, routing_key, message) -> None:
        message_id = (message.properties or {}).get("correlation_id") or (message.headers or {}).get("id")
        self._returned[str(message_id)] = f"{exc} (exchange {exchange!r}, routing key {routing_key!r})"

    def _settle(self, delivery_tag: int, multiple: bool, *, ok: bool) -> None:
        tags = [t for t in self._unsettled if t <= delivery_tag] if multiple else [delivery_tag]
        for tag in tags:
            self._unsettled.discard(tag)
            self._settled[tag] = ok

    def close(self) -> None:
        connection, self._connection, self._producer = self._connection, None, None
        if connection is not None:
            with contextlib.suppress(Exception):  # the connection is being thrown away
                connection.release()


def _argsrepr(body) -> str:
    if isinstance(body, dict):
        return f"(<{body.get('type', 'message')} v{body.get('version', '?')}>,)"
    return f"(<{type(body).__name__}>,)"


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


_app_lock = threading.Lock()
_producer_app: Celery | None = None
_local = threading.local()


def producer_app() -> Celery:
    """The publishing Celery app of this process, built from settings on first use."""
    global _producer_app
    with _app_lock:
        if _producer_app is None:
            _producer_app = make_celery_app(f"{conf.producer_name()}-producer")
        return _producer_app


def publisher() -> Publisher:
    """This thread's publisher."""
    pub = getattr(_local, "publisher", None)
    if pub is None:
        pub = _local.publisher = Publisher()
    return pub


def reset() -> None:
    """Forget the process's app and publishers (settings changed: tests, forks)."""
    global _producer_app
    pub = getattr(_local, "publisher", None)
    if pub is not None:
        pub.close()
        _local.publisher = None
    with _app_lock:
        _producer_app = None
