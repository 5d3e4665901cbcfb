"""Account's consumer tasks (queue ``account``): saga commands from the shop, and its events."""

from common.messaging.broker import MessageTask
from contracts.shop import ACCOUNT_DEBIT_REQUESTED_V1, ACCOUNT_REFUND_REQUESTED_V1, PURCHASE_COMPLETED_V1
from monolith.accounts import saga
from monolith.worker import app


@app.task(base=MessageTask, bind=True, name=ACCOUNT_DEBIT_REQUESTED_V1.task)
def debit(self, body):
    """Debit a wallet for a shop order and reply."""
    return self.consume(body, spec=ACCOUNT_DEBIT_REQUESTED_V1, service=saga.saga_debit)


@app.task(base=MessageTask, bind=True, name=ACCOUNT_REFUND_REQUESTED_V1.task)
def refund(self, body):
    """Refund a shop order's debit (if it took anything) and reply."""
    return self.consume(body, spec=ACCOUNT_REFUND_REQUESTED_V1, service=saga.saga_refund)


@app.task(base=MessageTask, bind=True, name=PURCHASE_COMPLETED_V1.task)
def purchase_completed(self, body):
    """Unlock what a completed shop order sold."""
    return self.consume(body, spec=PURCHASE_COMPLETED_V1, service=saga.purchase_completed_apply)
