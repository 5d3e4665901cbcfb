"""Points wallet services: the only code that writes the ledger.

Callers pass a ``reference`` that names the cause of the movement (e.g.
``reward:user:7:exercise:42`` or ``shop:order:<uuid>``); the same reference
never moves points twice.
"""

from django.db import IntegrityError, transaction

from common.errors import ServiceError
from monolith.accounts.models import LedgerEntry, User, Wallet


class InsufficientPoints(ServiceError):
    status = 409
    code = "insufficient_points"


def _locked_wallet(user: User) -> Wallet:
    Wallet.objects.get_or_create(user=user)
    return Wallet.objects.select_for_update().get(user=user)


def _move(*, user: User, amount: int, reference: str, reason: str) -> tuple[LedgerEntry, bool]:
    if amount == 0:
        raise ServiceError("Amount must not be zero.", field="amount")
    wallet = _locked_wallet(user)
    existing = LedgerEntry.objects.filter(reference=reference).first()
    if existing is not None:
        return existing, False
    if wallet.balance + amount < 0:
        raise InsufficientPoints(
            f"Not enough points: {wallet.balance} available, {-amount} needed.", field="amount"
        )
    try:
        with transaction.atomic():
            entry = LedgerEntry.objects.create(
                wallet=wallet, amount=amount, reference=reference, reason=reason
            )
    except IntegrityError:
        # Same reference committed by a concurrent caller on another wallet lock.
        return LedgerEntry.objects.get(reference=reference), False
    wallet.balance += amount
    wallet.save(update_fields=["balance", "updated_at"])
    return entry, True


@transaction.atomic
def wallet_credit(*, user: User, amount: int, reference: str, reason: str = "") -> tuple[LedgerEntry, bool]:
    """Add ``amount`` (> 0) points; returns the entry and whether it is new."""
    if amount <= 0:
        raise ServiceError("A credit must be positive.", field="amount")
    return _move(user=user, amount=amount, reference=reference, reason=reason)


@transaction.atomic
def wallet_debit(*, user: User, amount: int, reference: str, reason: str = "") -> tuple[LedgerEntry, bool]:
    """Take ``amount`` (> 0) points; raises ``InsufficientPoints`` if short.

    Returns the entry and whether it is new (``False``: this reference was
    already debited, nothing changed).
    """
    if amount <= 0:
        raise ServiceError("A debit must be positive.", field="amount")
    return _move(user=user, amount=-amount, reference=reference, reason=reason)


def wallet_balance(*, user: User) -> int:
    wallet = Wallet.objects.filter(user=user).only("balance").first()
    return wallet.balance if wallet else 0
