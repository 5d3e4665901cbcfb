"""Per-minute traffic counters, kept in process memory and flushed to the database.

Counting costs a dictionary update under a lock on the request path; a daemon
thread writes the counters every ``GATEWAY_METRICS_FLUSH_SECONDS`` (and at exit).
"""

import atexit
import logging
import threading
import time
from datetime import UTC, datetime

from django.conf import settings
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

REQUESTS, ERRORS, COMPARED, MISMATCHED = range(4)


class Traffic:
    def __init__(self):
        self._counters: dict[tuple, list[int]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @staticmethod
    def _minute(now: float | None = None) -> datetime:
        seconds = int(now if now is not None else time.time()) // 60 * 60
        return datetime.fromtimestamp(seconds, tz=UTC)

    def _bump(self, prefix: str, service: str, index: int, error: bool = False) -> None:
        key = (self._minute(), prefix, service)
        with self._lock:
            row = self._counters.get(key)
            if row is None:
                row = self._counters[key] = [0, 0, 0, 0]
            row[index] += 1
            if error:
                row[ERRORS] += 1
        if self._thread is None:
            self._start()

    def request(self, *, prefix: str, service: str, status: int) -> None:
        self._bump(prefix, service, REQUESTS, error=status >= 500)

    def shadow(self, *, prefix: str, service: str, mismatched: bool) -> None:
        self._bump(prefix, service, MISMATCHED if mismatched else COMPARED)
        if mismatched:
            self._bump(prefix, service, COMPARED)

    def snapshot(self) -> dict[tuple, list[int]]:
        with self._lock:
            return {k: list(v) for k, v in self._counters.items()}

    def flush(self) -> None:
        with self._lock:
            counters, self._counters = self._counters, {}
        if not counters:
            return
        from gateway_proxy.services import traffic_flush

        try:
            traffic_flush(counters=counters)
        except DatabaseError:
            logger.exception("traffic counters could not be written; they are kept for the next flush")
            connection.close()
            with self._lock:
                for key, values in counters.items():
                    row = self._counters.setdefault(key, [0, 0, 0, 0])
                    for i, v in enumerate(values):
                        row[i] += v

    def _start(self) -> None:
        interval = settings.GATEWAY_METRICS_FLUSH_SECONDS
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._loop, args=(interval,), daemon=True, name="gw-metrics"
            )
        if interval > 0:
            self._thread.start()
            atexit.register(self.flush)

    def _loop(self, interval: float) -> None:
        while True:
            time.sleep(interval)
            try:
                self.flush()
            finally:
                connection.close()


traffic = Traffic()
