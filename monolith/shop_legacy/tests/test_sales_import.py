"""Recording the shop service's sales in the legacy shop when the shop moves back."""

import pytest
from django.utils import timezone

from contracts.shop import ShopSalesExport
from monolith.accounts.models import LedgerEntry
from monolith.accounts.services.wallet import wallet_balance
from monolith.shop_legacy.models import Item, Purchase
from monolith.shop_legacy.sales_import import shop_sales_import
from monolith.shop_legacy.services import purchase_create
from monolith.shop_legacy.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


def export(*sales, stock=()) -> ShopSalesExport:
    return ShopSalesExport.model_validate(
        {
            "exported_at": timezone.now().isoformat(),
            "sales": [
                {
                    "order_id": f"o{n}", "user_id": user.id, "item_id": item.id, "price": item.cost,
                    "debit_reference": f"shop:order:o{n}:debit", "completed_at": timezone.now().isoformat(),
                }
                for n, (user, item) in enumerate(sales)
            ],
            "stock": [{"item_id": item.id, "stock": units} for item, units in stock],
        }
    )  # fmt: skip


def test_a_sale_becomes_an_owned_purchase_without_a_charge_and_the_stock_the_shops(learner, fund):
    fund(learner, 50)
    item = ItemFactory(cost=20, stock=5)
    document = export((learner, item), stock=[(item, 3)])

    report = shop_sales_import(document=document)

    assert report.ok, report.problems
    assert (report.created, report.existing) == (1, 0)
    purchase = Purchase.objects.get(user=learner, item=item)
    assert (purchase.price_paid, purchase.debit_reference) == (20, "shop:order:o0:debit")
    assert wallet_balance(user=learner) == 50  # the shop's debit is already in the ledger
    assert Item.objects.get(pk=item.pk).stock == 3
    # Owned here now: buying it again on this side charges nothing.
    again, created = purchase_create(user=learner, item_id=item.id)
    assert (again, created) == (purchase, False)
    assert not LedgerEntry.objects.filter(reference__startswith="shop:legacy:").exists()

    second = shop_sales_import(document=document)
    assert (second.created, second.existing, second.ok) == (0, 1, True)
    assert Purchase.objects.count() == 1


def test_a_sale_of_an_item_already_bought_here_is_refused_naming_it_and_nothing_is_written(learner, fund):
    fund(learner, 50)
    item, other = ItemFactory(cost=10, stock=None), ItemFactory(cost=5, stock=4)
    purchase_create(user=learner, item_id=item.id)

    report = shop_sales_import(document=export((learner, other), (learner, item), stock=[(other, 1)]))

    assert not report.ok
    assert "charged on both sides" in report.problems[0]
    assert not Purchase.objects.filter(item=other).exists()
    assert Item.objects.get(pk=other.pk).stock == 4


def test_a_dry_run_reports_and_writes_nothing(learner):
    item = ItemFactory(cost=10, stock=2)

    report = shop_sales_import(document=export((learner, item), stock=[(item, 1)]), dry_run=True)

    assert (report.ok, report.created, report.sales_points, report.recorded_points) == (True, 1, 10, 10)
    assert not Purchase.objects.exists()
    assert Item.objects.get(pk=item.pk).stock == 2
