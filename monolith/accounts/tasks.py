"""Account's consumer tasks (queue ``account``): saga commands from the shop, and its events."""

from django.db import DatabaseError

import contracts
from common.messaging.broker import MessageTask
from contracts.shop import ACCOUNT_DEBIT_REQUESTED_V1, ACCOUNT_REFUND_REQUESTED_V1, PURCHASE_COMPLETED_V1
from monolith.accounts import saga
from monolith.worker import app


def _handle(task, body, spec, service):
    try:
        message = contracts.parse(body, expect=spec)
    except contracts.ContractError as exc:
        task.dead_letter(reason=f"contract: {exc}")
    try:
        return service(message=message)
    except DatabaseError as exc:
        task.retry_later(reason=f"database: {exc}")


@app.task(base=MessageTask, bind=True, name=ACCOUNT_DEBIT_REQUESTED_V1.task)
def debit(self, body):
    """Debit a wallet for a shop order and reply."""
    return _handle(self, body, ACCOUNT_DEBIT_REQUESTED_V1, saga.saga_debit)


@app.task(base=MessageTask, bind=True, name=ACCOUNT_REFUND_REQUESTED_V1.task)
def refund(self, body):
    """Refund a shop order's debit (if it took anything) and reply."""
    return _handle(self, body, ACCOUNT_REFUND_REQUESTED_V1, saga.saga_refund)


@app.task(base=MessageTask, bind=True, name=PURCHASE_COMPLETED_V1.task)
def purchase_completed(self, body):
    """Unlock what a completed shop order sold."""
    return _handle(self, body, PURCHASE_COMPLETED_V1, saga.purchase_completed_apply)
