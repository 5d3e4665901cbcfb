import pytest
from waffle.testutils import override_switch

from common.errors import Conflict, Unavailable
from monolith import flags
from monolith.accounts.models import LedgerEntry
from monolith.accounts.services.wallet import InsufficientPoints, wallet_balance
from monolith.learning.models import ValidatorUnlock
from monolith.shop_legacy.models import Item, Purchase
from monolith.shop_legacy.services import ItemNotFound, purchase_create
from monolith.shop_legacy.tests.factories import ItemFactory, ValidatorItemFactory

pytestmark = pytest.mark.django_db


def test_a_purchase_debits_the_cost_takes_one_unit_and_records_the_price_paid(learner, fund):
    fund(learner, 30)
    item = ItemFactory(cost=12, stock=3)

    purchase, created = purchase_create(user=learner, item_id=item.id)

    assert created is True
    assert (purchase.user, purchase.item, purchase.price_paid) == (learner, item, 12)
    assert wallet_balance(user=learner) == 18
    item.refresh_from_db()
    assert item.stock == 2
    entry = LedgerEntry.objects.get(reference=purchase.debit_reference)
    assert entry.amount == -12
    assert entry.reference == f"shop:legacy:user:{learner.id}:item:{item.id}"


def test_an_unlimited_item_keeps_no_stock_count(learner, fund):
    fund(learner, 10)
    item = ItemFactory(cost=5, stock=None)

    purchase_create(user=learner, item_id=item.id)

    item.refresh_from_db()
    assert item.stock is None


def test_buying_an_owned_item_again_returns_the_same_purchase_and_charges_nothing(learner, fund):
    fund(learner, 30)
    item = ItemFactory(cost=10, stock=5)
    first, _ = purchase_create(user=learner, item_id=item.id)

    again, created = purchase_create(user=learner, item_id=item.id)

    assert created is False
    assert again.pk == first.pk
    assert wallet_balance(user=learner) == 20
    assert LedgerEntry.objects.filter(amount__lt=0).count() == 1
    item.refresh_from_db()
    assert item.stock == 4


def test_an_owned_item_is_still_returned_after_it_is_deactivated_or_sold_out(learner, fund):
    fund(learner, 10)
    item = ItemFactory(cost=10, stock=1)
    first, _ = purchase_create(user=learner, item_id=item.id)
    Item.objects.filter(pk=item.pk).update(is_active=False)

    again, created = purchase_create(user=learner, item_id=item.id)

    assert (again.pk, created) == (first.pk, False)


def test_the_price_paid_stays_when_the_item_cost_changes_later(learner, fund):
    fund(learner, 30)
    item = ItemFactory(cost=10)
    purchase, _ = purchase_create(user=learner, item_id=item.id)
    Item.objects.filter(pk=item.pk).update(cost=25)

    purchase.refresh_from_db()
    assert purchase.price_paid == 10


def test_a_purchase_without_enough_points_is_refused_and_changes_nothing(learner, fund):
    fund(learner, 9)
    item = ItemFactory(cost=10, stock=2)

    with pytest.raises(InsufficientPoints) as refused:
        purchase_create(user=learner, item_id=item.id)

    assert refused.value.code == "insufficient_points"
    assert wallet_balance(user=learner) == 9
    assert not Purchase.objects.exists()
    assert LedgerEntry.objects.count() == 1
    item.refresh_from_db()
    assert item.stock == 2


def test_a_user_without_a_wallet_cannot_buy(learner):
    item = ItemFactory(cost=1)

    with pytest.raises(InsufficientPoints):
        purchase_create(user=learner, item_id=item.id)

    assert not Purchase.objects.exists()


def test_an_inactive_item_cannot_be_bought(learner, fund):
    fund(learner, 50)
    item = ItemFactory(cost=10, is_active=False)

    with pytest.raises(Conflict) as refused:
        purchase_create(user=learner, item_id=item.id)

    assert (refused.value.code, refused.value.status) == ("item_inactive", 409)
    assert wallet_balance(user=learner) == 50
    assert not Purchase.objects.exists()


def test_a_sold_out_item_cannot_be_bought(learner, other_learner, fund):
    fund(learner, 50)
    fund(other_learner, 50)
    item = ItemFactory(cost=10, stock=1)
    purchase_create(user=other_learner, item_id=item.id)

    with pytest.raises(Conflict) as refused:
        purchase_create(user=learner, item_id=item.id)

    assert (refused.value.code, refused.value.status) == ("out_of_stock", 409)
    assert wallet_balance(user=learner) == 50
    assert Purchase.objects.filter(user=learner).count() == 0


def test_an_unknown_item_is_refused_naming_the_field(learner, fund):
    fund(learner, 50)

    with pytest.raises(ItemNotFound) as refused:
        purchase_create(user=learner, item_id=999_999)

    assert refused.value.field == "item_id"
    assert wallet_balance(user=learner) == 50


def test_buying_a_validator_item_unlocks_its_validator(learner, fund):
    fund(learner, 50)
    item = ValidatorItemFactory(cost=20)
    assert not ValidatorUnlock.objects.filter(user=learner, validator=item.validator).exists()

    purchase_create(user=learner, item_id=item.id)

    assert ValidatorUnlock.objects.filter(user=learner, validator=item.validator).exists()


def test_a_refused_validator_purchase_unlocks_nothing(learner, fund):
    fund(learner, 5)
    item = ValidatorItemFactory(cost=20)

    with pytest.raises(InsufficientPoints):
        purchase_create(user=learner, item_id=item.id)

    assert not ValidatorUnlock.objects.filter(user=learner, validator=item.validator).exists()


def test_rebuying_after_a_purchase_row_was_lost_reuses_the_debit_instead_of_charging_again(learner, fund):
    fund(learner, 30)
    item = ItemFactory(cost=10)
    lost, _ = purchase_create(user=learner, item_id=item.id)
    Purchase.objects.filter(pk=lost.pk).delete()

    restored, created = purchase_create(user=learner, item_id=item.id)

    assert created is True
    assert restored.price_paid == 10
    assert wallet_balance(user=learner) == 20
    assert LedgerEntry.objects.filter(amount__lt=0).count() == 1


def test_with_the_saga_switch_on_and_the_shop_unreachable_nothing_is_bought_here(learner, fund, monkeypatch):
    import requests

    from monolith.shop_legacy import saga

    def unreachable(*args, **kwargs):
        raise requests.ConnectionError("connection refused")

    monkeypatch.setattr(saga._session, "post", unreachable)
    fund(learner, 30)
    item = ItemFactory(cost=10)

    with override_switch(flags.PURCHASE_VIA_SAGA, active=True), pytest.raises(Unavailable):
        purchase_create(user=learner, item_id=item.id)

    assert wallet_balance(user=learner) == 30
    assert not Purchase.objects.exists()
