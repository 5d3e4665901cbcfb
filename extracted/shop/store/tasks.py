"""The shop's consumer tasks: account's replies to the saga's commands."""

import logging

from django.db import DatabaseError

import contracts
from common.messaging.broker import MessageTask
from contracts.shop import SHOP_DEBIT_REPLIED_V1, SHOP_REFUND_REPLIED_V1
from extracted.shop.store import services
from extracted.shop.worker import app

logger = logging.getLogger(__name__)


def _handle(task, body, spec, service):
    try:
        message = contracts.parse(body, expect=spec)
    except contracts.ContractError as exc:
        task.dead_letter(reason=f"contract: {exc}")
    try:
        return service(message=message)
    except DatabaseError as exc:
        task.retry_later(reason=f"database: {exc}")


@app.task(base=MessageTask, bind=True, name=SHOP_DEBIT_REPLIED_V1.task)
def debit_replied(self, body):
    """Apply one ``shop.debit_replied`` message."""
    return _handle(self, body, SHOP_DEBIT_REPLIED_V1, services.order_debit_replied)


@app.task(base=MessageTask, bind=True, name=SHOP_REFUND_REPLIED_V1.task)
def refund_replied(self, body):
    """Apply one ``shop.refund_replied`` message."""
    return _handle(self, body, SHOP_REFUND_REPLIED_V1, services.order_refund_replied)
