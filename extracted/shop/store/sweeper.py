"""The saga sweeper: compensates pending orders that outlived their deadline, re-sends unanswered refunds.

Run as the ``shop.sweep`` task, scheduled by Celery beat (``extracted.shop.worker``)
and taken by any shop worker, or by ``manage.py shop_sweep``. Several sweeps may
run at once: each takes its orders with ``SKIP LOCKED``.
"""

import logging

from extracted.shop.store.services import orders_expire, refunds_resend

logger = logging.getLogger(__name__)


def sweep_once() -> int:
    """One pass; returns the number of orders expired or refunds sent again."""
    expired = orders_expire()
    resent = refunds_resend()
    if expired or resent:
        logger.warning("shop.sweeper expired=%s refunds_resent=%s", expired, resent)
    return expired + resent
