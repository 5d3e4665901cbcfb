"""The legacy purchase under real concurrency, against PostgreSQL row locks.

Every buyer runs in its own thread with its own database connection; a barrier
releases them together so their transactions truly overlap.
"""

import threading
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Sum

from common.errors import ServiceError
from monolith.accounts.models import LedgerEntry, Wallet
from monolith.accounts.tests.factories import UserFactory
from monolith.shop_legacy.models import Item, Purchase
from monolith.shop_legacy.services import purchase_create
from monolith.shop_legacy.tests.factories import ItemFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(calls) -> list[str]:
    """Run each ``(user, item_id)`` purchase in its own thread at once; return each outcome."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def buy(index: int, user, item_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            _, created = purchase_create(user=user, item_id=item_id)
            outcomes[index] = "created" if created else "owned"
        except ServiceError as refused:
            outcomes[index] = refused.code
        except Exception as crash:  # a crash must fail the test, not vanish with the thread
            outcomes[index] = f"crash: {crash!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a buyer is stuck (deadlock?)"
    return outcomes


def assert_books_balance() -> None:
    ledger_total = LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] or 0
    balances_total = Wallet.objects.aggregate(total=Sum("balance"))["total"] or 0
    assert ledger_total == balances_total
    assert not Wallet.objects.filter(balance__lt=0).exists()
    for wallet in Wallet.objects.all():
        assert wallet.balance == (wallet.entries.aggregate(total=Sum("amount"))["total"] or 0)


def test_twenty_buyers_of_five_units_give_exactly_five_sales_and_fifteen_out_of_stock(fund):
    item = ItemFactory(cost=10, stock=5)
    buyers = [UserFactory() for _ in range(20)]
    for buyer in buyers:
        fund(buyer, 25)

    outcomes = run_together([(buyer, item.id) for buyer in buyers])

    assert Counter(outcomes) == {"created": 5, "out_of_stock": 15}
    item.refresh_from_db()
    assert item.stock == 0
    assert Purchase.objects.filter(item=item).count() == 5
    assert LedgerEntry.objects.filter(amount__lt=0).count() == 5
    paid = {p.user_id for p in Purchase.objects.filter(item=item)}
    for buyer in buyers:
        expected = 15 if buyer.id in paid else 25
        assert Wallet.objects.get(user=buyer).balance == expected
    assert_books_balance()


def test_one_user_firing_the_same_purchase_at_once_is_charged_once(learner, fund):
    fund(learner, 100)
    item = ItemFactory(cost=30, stock=10)

    outcomes = run_together([(learner, item.id)] * 8)

    assert Counter(outcomes) == {"created": 1, "owned": 7}
    assert Purchase.objects.filter(user=learner, item=item).count() == 1
    assert LedgerEntry.objects.filter(wallet__user=learner, amount__lt=0).count() == 1
    assert Wallet.objects.get(user=learner).balance == 70
    item.refresh_from_db()
    assert item.stock == 9
    assert_books_balance()


def test_buyers_racing_for_their_last_points_across_two_items_never_go_negative(fund):
    first = ItemFactory(cost=10, stock=None)
    second = ItemFactory(cost=10, stock=None, exercise=first.exercise)
    buyers = [UserFactory() for _ in range(6)]
    for buyer in buyers:
        fund(buyer, 15)  # enough for one of the two items, not both

    calls = [(buyer, item.id) for buyer in buyers for item in (first, second)]
    outcomes = run_together(calls)

    assert Counter(outcomes) == {"created": 6, "insufficient_points": 6}
    for buyer in buyers:
        assert Purchase.objects.filter(user=buyer).count() == 1
        assert Wallet.objects.get(user=buyer).balance == 5
    assert not Item.objects.filter(stock__isnull=False).exists()
    assert_books_balance()
