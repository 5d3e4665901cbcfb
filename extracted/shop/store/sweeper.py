"""The saga sweeper: compensates pending orders that outlived their deadline.

Run as the ``shop.sweep`` task, scheduled by Celery beat (``extracted.shop.worker``)
and taken by any shop worker, or by ``manage.py shop_sweep``. Several sweeps may
run at once: each takes its orders with ``SKIP LOCKED``.
"""

import logging

from extracted.shop.store.services import orders_expire

logger = logging.getLogger(__name__)


def sweep_once() -> int:
    expired = orders_expire()
    if expired:
        logger.warning("shop.sweeper expired=%s", expired)
    return expired
