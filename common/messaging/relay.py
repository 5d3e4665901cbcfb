"""Publishing the outbox: the on-commit fast path, and the relay that guarantees it.

One path publishes a committed row: ``publish_now``, the ``on_commit``
callback ``outbox_publish`` registers (``OUTBOX_FAST_PATH``, on by default),
in the thread that committed. The relay (``manage.py outbox_relay``) is the
backstop: it leaves a fresh row to the fast path for ``OUTBOX_FAST_PATH_GRACE``
seconds, then publishes whatever is still pending (a failed fast path, a
process that died after its commit, the fast path off). No thread is started
here. The relay is a process of its own, not Celery beat: it polls every
``OUTBOX_RELAY_INTERVAL`` (0.5 s), and a beat task that often would put a
tick message on the broker twice a second to learn that nothing is due.
Pruning of the messaging tables is a beat task (``common.messaging.tasks``).

A row is marked sent only after the broker confirmed it (publisher confirms on
RabbitMQ: the message is on a quorum of the queue's replicas). A crash between
the confirm and the commit of ``sent_at`` publishes the row again later: the
relay is at-least-once, and consumers are idempotent by message id (inbox).

Several relays may run against PostgreSQL: each locks its batch with
``SELECT … FOR UPDATE SKIP LOCKED`` and the others skip those rows. On SQLite
(embedded development default) run one relay.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import DatabaseError, close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from common.messaging import broker, conf
from common.messaging.models import OutboxMessage
from common.messaging.selectors import outbox_due
from common.messaging.services import outgoing_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchResult:
    published: int
    error: str | None = None


def _backoff(attempt: int) -> float:
    """The relay's back-off before its ``attempt``-th try (the consumers' formula, the relay's settings)."""
    return broker.retry_delay(
        max(0, attempt - 1),
        base=float(conf.get("OUTBOX_RELAY_BACKOFF")),
        cap=float(conf.get("OUTBOX_RELAY_BACKOFF_MAX")),
    )


def _publish_rows(rows: list[OutboxMessage], *, pub: broker.Publisher, using: str) -> BatchResult:
    """Publish locked ``rows`` (pipelined, confirmed); mark the confirmed ones sent, back off the others."""
    results = pub.publish_many([outgoing_for(row) for row in rows])
    now = timezone.now()
    confirmed = [row.pk for row, (_, error) in zip(rows, results, strict=True) if error is None]
    if confirmed:
        OutboxMessage.objects.using(using).filter(pk__in=confirmed).update(
            sent_at=now, attempts=F("attempts") + 1
        )
    error = None
    for row, (_, row_error) in zip(rows, results, strict=True):
        if row_error is None:
            continue
        error = error or row_error
        OutboxMessage.objects.using(using).filter(pk=row.pk).update(
            attempts=F("attempts") + 1,
            last_error=row_error,
            available_at=now + timedelta(seconds=_backoff(row.attempts + 1)),
        )
    return BatchResult(published=len(confirmed), error=error)


def relay_batch(
    *, limit: int | None = None, pub: broker.Publisher | None = None, using: str = "default"
) -> BatchResult:
    """Publish up to ``limit`` due outbox rows and mark those the broker confirmed as sent.

    A row the broker did not confirm keeps ``sent_at`` empty and gets its error
    and a back-off (``available_at``).
    """
    pub = pub or broker.publisher()
    limit = limit or int(conf.get("OUTBOX_RELAY_BATCH"))
    with transaction.atomic(using=using):
        rows = list(outbox_due(using=using).select_for_update(skip_locked=True)[:limit])
        return _publish_rows(rows, pub=pub, using=using)


_fast_path_paused_until = 0.0


def publish_now(
    *messages: broker.Outgoing, using: str = "default", pub: broker.Publisher | None = None
) -> int:
    """Fast path: publish these just-committed outbox messages, then mark their rows sent.

    ``outbox_publish`` registers it as an ``on_commit`` callback of the
    caller's transaction: it runs in the committing thread, with that thread's
    publisher (:func:`broker.publisher`), right after the commit. The messages
    come from memory (the caller wrote them), so the fast path costs one
    ``UPDATE``, not a locked read. The relay leaves a row alone for
    ``OUTBOX_FAST_PATH_GRACE`` seconds after it was written, so the two do not
    publish the same fresh row; a row the fast path could not publish is given
    back to the relay at once (with its error). If a row was already
    sent meanwhile, its message goes out once more, which consumers absorb
    (inbox): the outbox is at-least-once either way.

    Never raises, and gives up at once when the broker does not answer. After a
    failure the fast path pauses for ``OUTBOX_FAST_PATH_PAUSE`` seconds so that
    nobody waits for a broker that is down. Returns the number published.
    """
    confirmed = _publish_fresh(messages, using=using, pub=pub)
    _mark_sent(confirmed, using=using)
    return len(confirmed)


def _publish_fresh(messages, *, using: str, pub: broker.Publisher | None) -> list[str]:
    """Publish ``messages``; give failed ones back to the relay; the ids the broker confirmed."""
    global _fast_path_paused_until
    if not messages or time.monotonic() < _fast_path_paused_until:
        return []
    try:
        results = (pub or broker.publisher()).publish_many(messages)
        failed = [(message_id, error) for message_id, error in results if error is not None]
        now = timezone.now()
        for message_id, error in failed:
            OutboxMessage.objects.using(using).filter(pk=message_id, sent_at__isnull=True).update(
                attempts=F("attempts") + 1, last_error=error, available_at=now
            )
        error = failed[0][1] if failed else None
        confirmed = [message_id for message_id, error in results if error is None]
    except Exception as exc:
        error, confirmed = f"{type(exc).__name__}: {exc}", []
    if error:
        _fast_path_paused_until = time.monotonic() + float(conf.get("OUTBOX_FAST_PATH_PAUSE"))
        logger.warning("outbox.fast_path_failed error=%s: left to the relay", error)
    return confirmed


def _mark_sent(message_ids: list[str], *, using: str) -> None:
    if not message_ids:
        return
    try:
        OutboxMessage.objects.using(using).filter(pk__in=message_ids, sent_at__isnull=True).update(
            sent_at=timezone.now(), attempts=F("attempts") + 1
        )
    except DatabaseError as exc:
        # Published but not marked: the relay publishes them again after the grace (harmless).
        logger.warning("outbox.fast_path_mark_failed count=%s error=%s", len(message_ids), exc)


def resume_fast_path() -> None:
    global _fast_path_paused_until
    _fast_path_paused_until = 0.0


class Relay:
    """The relay loop: publish due rows, sleep when idle, back off while the broker is down."""

    def __init__(
        self,
        *,
        batch: int | None = None,
        interval: float | None = None,
        using: str = "default",
        pub: broker.Publisher | None = None,
    ):
        self.batch = batch or int(conf.get("OUTBOX_RELAY_BATCH"))
        self.interval = float(conf.get("OUTBOX_RELAY_INTERVAL") if interval is None else interval)
        self.using = using
        self.pub = pub or broker.Publisher()
        self.published = 0

    def run(self, *, stop: threading.Event | None = None, once: bool = False) -> int:
        """Relay until ``stop`` is set; ``once``: until nothing is due (or the broker fails).

        Returns the number of messages published. With ``once``, raises
        ``RelayError`` if the broker refused a publish.
        """
        stop = stop or threading.Event()
        failures = 0
        try:
            while not stop.is_set():
                try:
                    result = relay_batch(limit=self.batch, pub=self.pub, using=self.using)
                except DatabaseError as exc:
                    failures += 1
                    logger.warning("outbox.relay_database_error error=%s", exc)
                    close_old_connections()
                    if once:
                        raise
                    stop.wait(_backoff(failures))
                    continue
                self.published += result.published
                if result.error:
                    failures += 1
                    logger.warning(
                        "outbox.relay_broker_error published=%s failures=%s error=%s",
                        result.published,
                        failures,
                        result.error,
                    )
                    if once:
                        raise RelayError(result.error)
                    stop.wait(_backoff(failures))
                    continue
                if failures:
                    logger.info("outbox.relay_recovered after=%s failures", failures)
                failures = 0
                if result.published:
                    logger.info("outbox.relayed count=%s", result.published)
                if result.published < self.batch:
                    if once:
                        break
                    stop.wait(self.interval)
        finally:
            self.pub.close()
        return self.published


class RelayError(RuntimeError):
    """The broker did not take a message (``outbox_relay --once``)."""
