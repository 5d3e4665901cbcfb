"""Points wallet services: the only code that writes the ledger.

Callers pass a ``reference`` that names the cause of the movement (e.g.
``reward:user:7:exercise:42`` or ``shop:order:<uuid>``); the same reference
never moves points twice.
"""

from contextlib import nullcontext

from django.db import transaction

from common.errors import ServiceError
from common.queries import first_or_none, insert, select_one, update_fields
from monolith.accounts.models import LedgerEntry, User, Wallet


class InsufficientPoints(ServiceError):
    status = 409
    code = "insufficient_points"

    def __init__(self, *args, balance: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.balance = balance  # the wallet's balance when the movement was refused


def _in_transaction():
    """The caller's transaction if there is one (no savepoint round trips), else a new one."""
    return nullcontext() if transaction.get_connection().in_atomic_block else transaction.atomic()


def _locked_wallet(user: User) -> Wallet:
    wallet = select_one(Wallet, where={"user_id": user.pk}, for_update=True)
    if wallet is None:
        Wallet.objects.get_or_create(user=user)
        wallet = Wallet.objects.select_for_update().get(user=user)
    return wallet


def _move(*, user: User, amount: int, reference: str, reason: str) -> tuple[LedgerEntry, bool]:
    """Move ``amount`` points under the wallet's row lock, in the caller's transaction or a new one.

    Raises (``ServiceError``, ``InsufficientPoints``) before writing anything, so
    a caller inside its own transaction may catch them and go on. Every
    reference names one user's movement (a reward of theirs, a step of their
    order), so a second movement with the same reference waits for the same
    wallet lock and then finds the first: the entry is inserted unless its
    reference exists, and the existing one is answered (nothing moves twice).
    """
    if amount == 0:
        raise ServiceError("Amount must not be zero.", field="amount")
    with _in_transaction():
        wallet = _locked_wallet(user)
        if wallet.balance + amount < 0:
            existing = _entry(reference, wallet)  # a repeated debit is answered, not refused
            if existing is not None:
                return existing, False
            raise InsufficientPoints(
                f"Not enough points: {wallet.balance} available, {-amount} needed.",
                field="amount",
                balance=wallet.balance,
            )
        entry = LedgerEntry(wallet=wallet, amount=amount, reference=reference, reason=reason)
        if not insert(entry, unless_exists="reference"):
            return _entry(reference, wallet), False
        wallet.balance += amount
        update_fields(wallet, ["balance", "updated_at"])
        return entry, True


def _entry(reference: str, wallet: Wallet) -> LedgerEntry | None:
    entry = select_one(LedgerEntry, where={"reference": reference})
    if entry is not None and entry.wallet_id == wallet.pk:
        entry.wallet = wallet
    return entry


def wallet_credit(*, user: User, amount: int, reference: str, reason: str = "") -> tuple[LedgerEntry, bool]:
    """Add ``amount`` (> 0) points; returns the entry and whether it is new.

    ``entry.wallet.balance`` is the balance after the movement.
    """
    if amount <= 0:
        raise ServiceError("A credit must be positive.", field="amount")
    return _move(user=user, amount=amount, reference=reference, reason=reason)


def wallet_debit(*, user: User, amount: int, reference: str, reason: str = "") -> tuple[LedgerEntry, bool]:
    """Take ``amount`` (> 0) points; raises ``InsufficientPoints`` if short (nothing written).

    Returns the entry and whether it is new (``False``: this reference was
    already debited, nothing changed); ``entry.wallet.balance`` is the balance after.
    """
    if amount <= 0:
        raise ServiceError("A debit must be positive.", field="amount")
    return _move(user=user, amount=-amount, reference=reference, reason=reason)


def wallet_balance(*, user: User) -> int:
    wallet = first_or_none(Wallet.objects.filter(user=user).only("balance"))
    return wallet.balance if wallet else 0
