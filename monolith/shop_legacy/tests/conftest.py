import pytest

from monolith.accounts.services.wallet import wallet_credit


@pytest.fixture
def fund():
    """Give a user points through the wallet service, so the ledger stays the source of truth."""
    counter = iter(range(1, 10**6))

    def _fund(user, points: int) -> None:
        wallet_credit(user=user, amount=points, reference=f"test:gift:{user.id}:{next(counter)}")

    return _fund
