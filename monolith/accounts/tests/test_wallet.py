import pytest

from monolith.accounts.models import LedgerEntry
from monolith.accounts.services.wallet import InsufficientPoints, wallet_balance, wallet_credit, wallet_debit

pytestmark = pytest.mark.django_db


def test_credit_with_a_used_reference_has_no_second_effect(learner):
    _, created = wallet_credit(user=learner, amount=10, reference="reward:1")
    _, again = wallet_credit(user=learner, amount=10, reference="reward:1")
    assert (created, again) == (True, False)
    assert wallet_balance(user=learner) == 10


def test_debit_beyond_the_balance_is_refused_and_changes_nothing(learner):
    wallet_credit(user=learner, amount=5, reference="gift")
    with pytest.raises(InsufficientPoints):
        wallet_debit(user=learner, amount=6, reference="buy:1")
    assert wallet_balance(user=learner) == 5
    assert LedgerEntry.objects.count() == 1


def test_balance_is_the_sum_of_the_ledger(learner):
    wallet_credit(user=learner, amount=30, reference="a")
    wallet_debit(user=learner, amount=12, reference="b")
    wallet_debit(user=learner, amount=12, reference="b")
    assert wallet_balance(user=learner) == 18 == sum(e.amount for e in LedgerEntry.objects.all())


def test_a_repeated_debit_is_answered_with_the_first_even_when_the_balance_no_longer_covers_it(learner):
    wallet_credit(user=learner, amount=15, reference="gift")
    first, created = wallet_debit(user=learner, amount=10, reference="shop:order:1:debit")

    again, created_again = wallet_debit(user=learner, amount=10, reference="shop:order:1:debit")

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert again.wallet.balance == wallet_balance(user=learner) == 5
    assert LedgerEntry.objects.count() == 2


def test_a_movement_in_the_callers_transaction_is_rolled_back_with_it(learner):
    from django.db import transaction

    wallet_credit(user=learner, amount=5, reference="gift")

    def debit_then_fail():
        with transaction.atomic():
            wallet_debit(user=learner, amount=5, reference="buy:1")
            raise RuntimeError("the caller's change failed")

    with pytest.raises(RuntimeError):
        debit_then_fail()

    assert wallet_balance(user=learner) == 5
    assert not LedgerEntry.objects.filter(reference="buy:1").exists()
