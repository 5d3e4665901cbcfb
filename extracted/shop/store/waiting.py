"""Waiting for orders to end: one ``LISTEN`` connection per process for every waiting request.

The shop's worker ends an order (completed or rejected) and, in the same
transaction, sends ``NOTIFY shop_order_ended, '<order id>'``: PostgreSQL
delivers it when that transaction commits. Each web process keeps one
connection listening on that channel, in a thread of its own, and wakes the
requests waiting for that order (``?wait=``). A request never holds a
``LISTEN`` of its own: PostgreSQL wakes every listening backend on every
notification, so one listener per request would cost the database work
proportional to waiters times orders.

A notification can be missed (the listening connection dropped and came back):
waiters re-read their order at least every ``RECHECK`` seconds, and everyone is
woken when the listener reconnects. Without PostgreSQL (SQLite in development)
there is no listener and waiters poll.

The listener is a thread of the web process, not Celery beat or a worker: it
wakes requests waiting in this very process. Django has no ``LISTEN`` API, and
the database driver only queues notifications on a connection that someone
must read, so that reading is the one thread here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import threading
from collections.abc import Iterator
from uuid import UUID

from django.db import connection, connections

logger = logging.getLogger(__name__)

CHANNEL = "shop_order_ended"
#: Longest a waiting request goes without re-reading its order.
RECHECK = 1.0


def announce_order_end(order_id, fields: dict | None = None) -> None:
    """Wake the requests waiting for ``order_id`` once the current transaction commits.

    ``fields`` (JSON-ready values of the order's saga fields as this transaction
    writes them) travel with the notification, so a woken request answers
    without reading the order again.
    """
    if connection.vendor == "postgresql":
        payload = json.dumps({"id": UUID(str(order_id)).hex, "fields": fields})
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, payload])


def _parse(payload: str) -> tuple[str, dict | None]:
    """``(order id hex, fields or None)``; a bare id (no fields) is understood too."""
    try:
        message = json.loads(payload)
        return str(message["id"]), message.get("fields") or None
    except (ValueError, TypeError, KeyError):
        return payload, None


class Watch:
    """One waiting request: set when its order ended, with the fields the notification carried."""

    def __init__(self):
        self._event = threading.Event()
        self.fields: dict | None = None

    def wait(self, timeout: float) -> bool:
        ended = self._event.wait(timeout)
        self._event.clear()
        return ended

    def set(self, fields: dict | None) -> None:
        self.fields = fields
        self._event.set()


class OrderEndListener:
    """The process's listening connection and the requests waiting on it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._waiters: dict[str, set[Watch]] = {}
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._listening = threading.Event()
        self._stop_r, self._stop_w = -1, -1

    def stop(self, timeout: float = 5.0) -> None:
        """Close the listening connection and end its thread; the next wait starts it again."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is None or self._pid != os.getpid():
                return
            os.write(self._stop_w, b"x")
        thread.join(timeout)

    @contextlib.contextmanager
    def watching(self, order_id) -> Iterator[Watch | None]:
        """A ``Watch`` set when ``order_id`` ends, or ``None`` when nothing listens (then poll).

        Enter it before reading the order: an end committed after the read then
        still sets the watch.
        """
        if not self._ensure_listening():
            yield None
            return
        key = UUID(str(order_id)).hex
        watch = Watch()
        with self._lock:
            self._waiters.setdefault(key, set()).add(watch)
        try:
            yield watch
        finally:
            with self._lock:
                watches = self._waiters.get(key)
                if watches is not None:
                    watches.discard(watch)
                    if not watches:
                        del self._waiters[key]

    @property
    def waiting(self) -> int:
        with self._lock:
            return sum(len(events) for events in self._waiters.values())

    def _ensure_listening(self) -> bool:
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            # Inside a transaction this request would not see another's commit anyway: poll.
            return False
        with self._lock:
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                # First use, or a forked child (threads do not survive a fork).
                self._pid = os.getpid()
                self._waiters = {}
                self._listening = threading.Event()
                self._stop_r, self._stop_w = os.pipe()
                self._thread = threading.Thread(
                    target=self._run,
                    args=(self._listening, self._stop_r, self._stop_w),
                    name="shop-order-listener",
                    daemon=True,
                )
                self._thread.start()
        # The first waiter waits for LISTEN to be in place; later ones find it set.
        return self._listening.wait(timeout=RECHECK)

    def _wake(self, payload: str) -> None:
        key, fields = _parse(payload)
        with self._lock:
            for watch in self._waiters.get(key, ()):
                watch.set(fields)

    def _wake_all(self) -> None:
        with self._lock:
            for watches in self._waiters.values():
                for watch in watches:
                    watch.set(None)

    def _run(self, listening: threading.Event, stop_r: int, stop_w: int) -> None:
        delay = 0.5
        try:
            while True:
                db = connections.create_connection("default")
                try:
                    db.ensure_connection()
                    raw = db.connection
                    raw.autocommit = True
                    with raw.cursor() as cursor:
                        cursor.execute(f'LISTEN "{CHANNEL}"')
                    listening.set()
                    self._wake_all()  # whatever ended while nobody listened is re-read now
                    delay = 0.5
                    while True:
                        readable, _, _ = select.select([raw, stop_r], [], [], 30.0)
                        if stop_r in readable:
                            return
                        if not readable:
                            with raw.cursor() as cursor:  # an idle connection may have died quietly
                                cursor.execute("SELECT 1")
                        for notify in raw.notifies(timeout=0):  # those received so far
                            self._wake(notify.payload)
                except Exception as exc:  # the thread must outlive any database outage
                    listening.clear()
                    logger.warning("shop.order_listener_lost error=%s: reconnecting in %.1fs", exc, delay)
                finally:
                    with contextlib.suppress(Exception):
                        db.close()
                if select.select([stop_r], [], [], delay)[0]:
                    return
                delay = min(delay * 2, 10.0)
        finally:
            listening.clear()
            self._wake_all()
            os.close(stop_r)
            os.close(stop_w)


order_end_listener = OrderEndListener()
