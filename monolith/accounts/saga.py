"""Account's side of the purchase saga run by the shop service.

The shop commands a debit or a refund over the broker; each command is applied
to the points ledger and answered through this service's outbox in one
transaction, with the command's id recorded in the inbox:

- the ledger reference of a debit is the saga's step id, so a debit command
  delivered twice (or sent twice) takes the points once;
- a refund gives back what the named debit step took, once (its own step id is
  the credit's reference); a refund of a debit that never ran moves nothing,
  and if that debit runs later the shop, seeing it for an order it already
  rejected, sends the refund again.

``purchase.completed`` events unlock what a validator item sells.
"""

import logging

from django.db import transaction

import contracts
from common.messaging.services import inbox_record, outbox_publish
from common.queries import first_or_none, select_one
from contracts.shop import (
    ACCOUNT_DEBIT_REQUESTED_V1,
    ACCOUNT_REFUND_REQUESTED_V1,
    PURCHASE_COMPLETED_V1,
    SHOP_DEBIT_REPLIED_V1,
    SHOP_REFUND_REPLIED_V1,
)
from monolith.accounts.models import LedgerEntry, User
from monolith.accounts.services.wallet import InsufficientPoints, wallet_credit, wallet_debit

logger = logging.getLogger(__name__)

PRODUCER = "monolith"


def _reply(spec, payload: dict, *, command: contracts.Message) -> None:
    outbox_publish(
        message=contracts.build(
            spec,
            payload,
            producer=PRODUCER,
            correlation_id=command.envelope.correlation_id,
            causation_id=command.id,
        )
    )


@transaction.atomic
def saga_debit(*, message: contracts.Message) -> str:
    """Apply one ``account.debit_requested`` command and reply; returns the outcome."""
    if not inbox_record(message_id=message.id, message_type=ACCOUNT_DEBIT_REQUESTED_V1.type):
        return "duplicate"
    command = message.payload
    user = select_one(User, where={"id": command.user_id, "is_active": True})
    balance = None
    detail = ""
    if user is None:
        outcome, detail = "failed", "No active account with this id."
    else:
        try:
            # In this transaction (no savepoint): a refusal is raised before anything is written.
            entry, _ = wallet_debit(
                user=user, amount=command.amount, reference=command.step_id, reason=command.reason[:200]
            )
            outcome, balance = "debited", entry.wallet.balance
        except InsufficientPoints as exc:
            outcome, detail, balance = "insufficient_points", str(exc), exc.balance
    _reply(
        SHOP_DEBIT_REPLIED_V1,
        {
            "order_id": str(command.order_id),
            "step_id": command.step_id,
            "outcome": outcome,
            "balance": balance,
            "detail": detail[:200],
        },
        command=message,
    )
    logger.info("account.saga debit order=%s outcome=%s", command.order_id, outcome)
    return outcome


@transaction.atomic
def saga_refund(*, message: contracts.Message) -> str:
    """Apply one ``account.refund_requested`` command and reply; returns the outcome."""
    if not inbox_record(message_id=message.id, message_type=ACCOUNT_REFUND_REQUESTED_V1.type):
        return "duplicate"
    command = message.payload
    debit = first_or_none(
        LedgerEntry.objects.select_related("wallet__user").filter(reference=command.debit_step_id)
    )
    if debit is None:
        outcome, amount = "nothing_to_refund", 0
    else:
        amount = -debit.amount
        wallet_credit(
            user=debit.wallet.user,
            amount=amount,
            reference=command.step_id,
            reason=f"Refund: {command.reason}"[:200],
        )
        outcome = "refunded"
    _reply(
        SHOP_REFUND_REPLIED_V1,
        {"order_id": str(command.order_id), "step_id": command.step_id, "outcome": outcome, "amount": amount},
        command=message,
    )
    logger.info("account.saga refund order=%s outcome=%s amount=%s", command.order_id, outcome, amount)
    return outcome


@transaction.atomic
def purchase_completed_apply(*, message: contracts.Message) -> str:
    """A shop order completed: unlock the validator a validator item sells."""
    from monolith.learning.models import Validator
    from monolith.learning.services import validator_unlock

    if not inbox_record(message_id=message.id, message_type=PURCHASE_COMPLETED_V1.type):
        return "duplicate"
    event = message.payload
    if event.kind != "validator" or event.validator_id is None:
        return "nothing_to_unlock"
    user = first_or_none(User.objects.filter(pk=event.user_id))
    validator = first_or_none(Validator.objects.filter(pk=event.validator_id))
    if user is None or validator is None:
        logger.warning(
            "account.purchase_completed unknown user=%s or validator=%s", event.user_id, event.validator_id
        )
        return "unknown"
    validator_unlock(user=user, validator=validator)
    return "unlocked"
