"""The shop's tasks: account's replies to the saga's commands, and the sweeper beat schedules."""

import logging

from django.db import DatabaseError

from common.messaging.broker import MessageTask
from contracts.shop import SHOP_DEBIT_REPLIED_V1, SHOP_REFUND_REPLIED_V1
from extracted.shop.store import services, sweeper
from extracted.shop.worker import SWEEP_TASK, app

logger = logging.getLogger(__name__)


@app.task(base=MessageTask, bind=True, name=SHOP_DEBIT_REPLIED_V1.task)
def debit_replied(self, body):
    """Apply one ``shop.debit_replied`` message."""
    return self.consume(body, spec=SHOP_DEBIT_REPLIED_V1, service=services.order_debit_replied)


@app.task(base=MessageTask, bind=True, name=SHOP_REFUND_REPLIED_V1.task)
def refund_replied(self, body):
    """Apply one ``shop.refund_replied`` message."""
    return self.consume(body, spec=SHOP_REFUND_REPLIED_V1, service=services.order_refund_replied)


@app.task(name=SWEEP_TASK, acks_late=False, ignore_result=True)
def sweep():
    """One pass of the saga sweeper (scheduled by beat); a failed pass waits for the next one."""
    try:
        return sweeper.sweep_once()
    except DatabaseError:
        logger.exception("shop.sweeper database error; the next sweep tries again")
        return 0
