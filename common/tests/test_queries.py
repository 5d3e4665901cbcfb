"""The lean hot-path queries read and write exactly what the ORM would."""

import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from common.messaging.models import OutboxMessage
from common.queries import execute, first_or_none, insert, select_one, update_fields, update_where
from monolith.accounts.models import LedgerEntry, User, Wallet

pytestmark = pytest.mark.django_db


def _outbox_row(**overrides) -> OutboxMessage:
    values = {
        "id": uuid.uuid4(),
        "type": "mail.requested",
        "version": 1,
        "task": "mailer.send",
        "queue": "mailer",
        "body": {"payload": {"to": "ada@example.com", "n": [1, 2]}, "type": "mail.requested"},
    }
    return OutboxMessage(**{**values, **overrides})


def _field_values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_insert_writes_every_field_as_save_would_and_select_one_reads_them_back():
    row = _outbox_row(available_at=timezone.now() + timedelta(seconds=5))
    assert insert(row) is True

    stored = OutboxMessage.objects.get(pk=row.pk)
    assert _field_values(stored) == _field_values(row)
    assert _field_values(select_one(OutboxMessage, where={"id": row.pk})) == _field_values(stored)
    assert not row._state.adding


def test_insert_fills_an_auto_increment_key_and_runs_auto_now_add():
    user = User.objects.create(username="ada")
    wallet = Wallet.objects.create(user=user)

    entry = LedgerEntry(wallet=wallet, amount=5, reference="seed", reason="test")
    assert insert(entry) is True

    assert entry.pk is not None
    stored = LedgerEntry.objects.get(reference="seed")
    assert stored.pk == entry.pk
    assert stored.created_at == entry.created_at is not None


def test_insert_unless_exists_does_nothing_when_the_unique_value_is_taken():
    user = User.objects.create(username="ada")
    wallet = Wallet.objects.create(user=user)
    assert insert(LedgerEntry(wallet=wallet, amount=5, reference="once"), unless_exists="reference")

    again = LedgerEntry(wallet=wallet, amount=7, reference="once")
    assert insert(again, unless_exists="reference") is False
    assert again.pk is None
    assert list(LedgerEntry.objects.values_list("amount", flat=True)) == [5]


def test_select_one_matches_on_every_condition_and_lists_mean_any_of():
    user = User.objects.create(username="ada", is_active=True)

    assert select_one(User, where={"id": user.pk, "is_active": True}).username == "ada"
    assert select_one(User, where={"id": user.pk, "is_active": False}) is None
    assert select_one(User, where={"username": ["bob", "ada"]}).pk == user.pk
    assert select_one(User, where={"id": user.pk + 1000}) is None


@pytest.mark.django_db(transaction=True)
def test_select_one_for_update_locks_in_the_callers_transaction():
    user = User.objects.create(username="ada")
    Wallet.objects.create(user=user, balance=3)

    with transaction.atomic():
        wallet = select_one(Wallet, where={"user_id": user.pk}, for_update=True)
        assert wallet.balance == 3


def test_update_fields_changes_only_those_fields_and_runs_auto_now():
    user = User.objects.create(username="ada")
    wallet = Wallet.objects.create(user=user, balance=3)
    before = wallet.updated_at
    wallet.balance = 10

    assert update_fields(wallet, ["balance", "updated_at"]) == 1

    stored = Wallet.objects.get(pk=user.pk)
    assert stored.balance == 10
    assert stored.updated_at > before


def test_first_or_none_needs_no_ordering():
    assert first_or_none(User.objects.filter(username="nobody")) is None
    user = User.objects.create(username="ada")
    assert first_or_none(User.objects.filter(username="ada")) == user


def test_update_where_changes_the_matching_rows_only():
    ada, bob = User.objects.create(username="ada"), User.objects.create(username="bob")
    Wallet.objects.create(user=ada, balance=1)
    Wallet.objects.create(user=bob, balance=1)

    assert update_where(Wallet, where={"user": ada.pk, "balance": 1}, values={"balance": 9}) == 1
    assert update_where(Wallet, where={"user": ada.pk, "balance": 1}, values={"balance": 7}) == 0

    assert dict(Wallet.objects.values_list("user__username", "balance")) == {"ada": 9, "bob": 1}


def test_select_one_reads_a_related_row_in_the_same_statement(django_assert_num_queries):
    user = User.objects.create(username="ada")
    wallet = Wallet.objects.create(user=user, balance=12)
    LedgerEntry.objects.create(wallet=wallet, amount=12, reference="gift")

    with django_assert_num_queries(1):
        entry = select_one(LedgerEntry, where={"reference": "gift"}, related="wallet", for_update=True)
        assert (entry.amount, entry.wallet.pk, entry.wallet.balance) == (12, user.pk, 12)
    assert select_one(LedgerEntry, where={"reference": "nothing"}, related="wallet") is None


def test_execute_runs_a_hand_written_statement_and_counts_its_rows():
    user = User.objects.create(username="ada")
    Wallet.objects.create(user=user, balance=3)

    assert (
        execute('UPDATE "accounts_wallet" SET "balance" = "balance" + %s WHERE "user_id" = %s', [2, user.pk])
        == 1
    )
    assert Wallet.objects.get(pk=user.pk).balance == 5
