"""The saga sweeper: compensates pending orders that outlived their deadline.

A thread of the shop worker process (several workers may sweep at once: each
takes its orders with ``SKIP LOCKED``), or ``manage.py shop_sweep``.
"""

import logging
import threading

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection

from extracted.shop.store.services import orders_expire

logger = logging.getLogger(__name__)

_stop = threading.Event()
_thread: threading.Thread | None = None


def sweep_once() -> int:
    expired = orders_expire()
    if expired:
        logger.warning("shop.sweeper expired=%s", expired)
    return expired


def _loop(interval: float) -> None:
    while not _stop.wait(interval):
        try:
            close_old_connections()
            sweep_once()
        except DatabaseError:
            logger.exception("shop.sweeper database error; trying again")
            connection.close()
    connection.close()


def start_sweeper() -> None:
    global _thread
    interval = float(settings.SHOP_SWEEP_INTERVAL)
    if interval <= 0 or (_thread is not None and _thread.is_alive()):
        return
    _stop.clear()
    _thread = threading.Thread(target=_loop, args=(interval,), name="shop-sweeper", daemon=True)
    _thread.start()


def stop_sweeper() -> None:
    _stop.set()
