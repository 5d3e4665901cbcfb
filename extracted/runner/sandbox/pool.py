"""A bounded number of concurrent sandboxes and a bounded queue in front of them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from extracted.runner.sandbox.errors import Busy


class Pool:
    """``workers`` runs at once, ``queue`` more waiting; beyond that ``Busy`` at once.

    A waiting caller gives up with ``Busy`` after ``queue_timeout`` seconds, so a
    request never hangs behind a jammed pool.
    """

    def __init__(self, *, workers: int, queue: int, queue_timeout: float = 30.0, retry_after: int = 1):
        if workers < 1 or queue < 0:
            raise ValueError("a pool needs at least one worker and a non-negative queue")
        self.workers = workers
        self.queue = queue
        self.queue_timeout = queue_timeout
        self.retry_after = retry_after
        self._slots = threading.Semaphore(workers)
        self._lock = threading.Lock()
        self._admitted = 0
        self._running = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._lock:
            if self._admitted >= self.workers + self.queue:
                raise Busy(
                    f"All {self.workers} run slots and {self.queue} queue places are taken.",
                    retry_after=self.retry_after,
                )
            self._admitted += 1
        try:
            if not self._slots.acquire(timeout=self.queue_timeout):
                raise Busy("No run slot freed up in time.", retry_after=self.retry_after)
            with self._lock:
                self._running += 1
            try:
                yield
            finally:
                with self._lock:
                    self._running -= 1
                self._slots.release()
        finally:
            with self._lock:
                self._admitted -= 1

    def stats(self) -> dict:
        with self._lock:
            return {
                "workers": self.workers,
                "queue": self.queue,
                "running": self._running,
                "waiting": self._admitted - self._running,
            }
