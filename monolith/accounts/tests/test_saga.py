"""Account's side of the shop's purchase saga: debit and refund commands, the completed event."""

import uuid

import pytest

import contracts
from common.messaging.models import OutboxMessage
from contracts.shop import ACCOUNT_DEBIT_REQUESTED_V1, ACCOUNT_REFUND_REQUESTED_V1, PURCHASE_COMPLETED_V1
from monolith.accounts import saga
from monolith.accounts.models import LedgerEntry
from monolith.accounts.services.wallet import wallet_balance, wallet_credit
from monolith.learning.models import ValidatorUnlock
from monolith.learning.tests.factories import ValidatorFactory

pytestmark = pytest.mark.django_db

ORDER = uuid.UUID("3f2b8c1e-6a4d-4c1b-9e8f-2d7a5b6c9e01")
DEBIT_STEP = f"shop:order:{ORDER}:debit"
REFUND_STEP = f"shop:order:{ORDER}:refund"


@pytest.fixture(autouse=True)
def _no_broker(settings):
    settings.OUTBOX_FAST_PATH = False


@pytest.fixture
def buyer(learner):
    wallet_credit(user=learner, amount=100, reference="seed", reason="Seed")
    return learner


def debit(user, amount=30):
    payload = {"order_id": str(ORDER), "step_id": DEBIT_STEP, "user_id": user.id, "amount": amount}
    return contracts.build(ACCOUNT_DEBIT_REQUESTED_V1, payload, producer="shop")


def refund(user):
    payload = {
        "order_id": str(ORDER),
        "step_id": REFUND_STEP,
        "debit_step_id": DEBIT_STEP,
        "user_id": user.id,
    }
    return contracts.build(ACCOUNT_REFUND_REQUESTED_V1, payload, producer="shop")


def replies():
    return [row.body["payload"] for row in OutboxMessage.objects.order_by("created_at")]


def test_a_debit_takes_the_points_once_and_replies_with_the_balance(buyer):
    assert saga.saga_debit(message=debit(buyer)) == "debited"
    assert saga.saga_debit(message=debit(buyer)) == "debited"  # sent again: same step, no second debit

    assert wallet_balance(user=buyer) == 70
    assert LedgerEntry.objects.filter(reference=DEBIT_STEP).count() == 1
    assert [(r["outcome"], r["balance"]) for r in replies()] == [("debited", 70), ("debited", 70)]


def test_the_same_command_delivered_twice_is_processed_once(buyer):
    command = debit(buyer)
    saga.saga_debit(message=command)

    assert saga.saga_debit(message=command) == "duplicate"
    assert len(replies()) == 1


def test_a_debit_beyond_the_balance_is_refused_and_moves_nothing(buyer):
    assert saga.saga_debit(message=debit(buyer, amount=500)) == "insufficient_points"

    assert wallet_balance(user=buyer) == 100
    [reply] = replies()
    assert reply["outcome"] == "insufficient_points"
    assert reply["balance"] == 100


def test_a_refund_gives_back_the_debit_once(buyer):
    saga.saga_debit(message=debit(buyer))

    assert saga.saga_refund(message=refund(buyer)) == "refunded"
    assert saga.saga_refund(message=refund(buyer)) == "refunded"

    assert wallet_balance(user=buyer) == 100
    assert LedgerEntry.objects.filter(reference=REFUND_STEP).count() == 1


def test_a_refund_of_a_debit_that_never_ran_moves_nothing(buyer):
    assert saga.saga_refund(message=refund(buyer)) == "nothing_to_refund"

    assert wallet_balance(user=buyer) == 100
    assert replies()[-1]["outcome"] == "nothing_to_refund"


def test_a_completed_validator_purchase_unlocks_the_hidden_test(learner):
    validator = ValidatorFactory(is_hidden=True)
    event = contracts.build(
        PURCHASE_COMPLETED_V1,
        {
            "order_id": str(ORDER),
            "user_id": learner.id,
            "item_id": 3,
            "kind": "validator",
            "exercise_id": validator.exercise_id,
            "validator_id": validator.id,
            "price": 30,
        },
        producer="shop",
    )

    assert saga.purchase_completed_apply(message=event) == "unlocked"
    assert saga.purchase_completed_apply(message=event) == "duplicate"
    assert ValidatorUnlock.objects.filter(user=learner, validator=validator).count() == 1
