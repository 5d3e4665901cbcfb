"""The shop's consumer tasks: account's replies to the saga's commands."""

import logging

from common.messaging.broker import MessageTask
from contracts.shop import SHOP_DEBIT_REPLIED_V1, SHOP_REFUND_REPLIED_V1
from extracted.shop.store import services
from extracted.shop.worker import app

logger = logging.getLogger(__name__)


@app.task(base=MessageTask, bind=True, name=SHOP_DEBIT_REPLIED_V1.task)
def debit_replied(self, body):
    """Apply one ``shop.debit_replied`` message."""
    return self.consume(body, spec=SHOP_DEBIT_REPLIED_V1, service=services.order_debit_replied)


@app.task(base=MessageTask, bind=True, name=SHOP_REFUND_REPLIED_V1.task)
def refund_replied(self, body):
    """Apply one ``shop.refund_replied`` message."""
    return self.consume(body, spec=SHOP_REFUND_REPLIED_V1, service=services.order_refund_replied)
