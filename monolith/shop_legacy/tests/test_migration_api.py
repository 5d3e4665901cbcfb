"""The legacy shop's data-step API (``/api/v1/shop/migration/``): the gateway's ``strangle`` only."""

import json

import pytest

from common.identity.testing import control_plane_meta
from contracts.shop import LegacyShopExport
from monolith.accounts.services.wallet import wallet_balance
from monolith.shop_legacy.models import Item, Purchase
from monolith.shop_legacy.services import purchase_create
from monolith.shop_legacy.tests.factories import ItemFactory
from monolith.shop_legacy.tests.test_sales_import import export

pytestmark = pytest.mark.django_db

EXPORT, IMPORT = "/api/v1/shop/migration/export", "/api/v1/shop/migration/import"


def as_gateway() -> dict:
    return control_plane_meta(audience="monolith")


def test_the_gateway_reads_the_legacy_shops_export(client, learner, fund):
    fund(learner, 50)
    item = ItemFactory(cost=20, stock=5)
    purchase_create(user=learner, item_id=item.id)

    response = client.get(EXPORT, **as_gateway())

    assert response.status_code == 200
    document = LegacyShopExport.model_validate_json(response.content)
    assert [(i.id, i.stock) for i in document.items] == [(item.id, 4)]
    assert [(p.user_id, p.item_id, p.price_paid) for p in document.purchases] == [(learner.id, item.id, 20)]


@pytest.mark.parametrize("who", ["anonymous", "learner", "staff"])
def test_nobody_but_the_gateway_on_its_own_behalf_reaches_the_data_step(
    client, learner_client, staff_client, who
):
    caller = {"anonymous": client, "learner": learner_client, "staff": staff_client}[who]

    assert caller.get(EXPORT).status_code in (401, 403)
    assert caller.post(IMPORT, "{}", content_type="application/json").status_code in (401, 403)


def test_a_dry_run_reports_and_writes_nothing_then_the_import_records_the_sales(client, learner, fund):
    fund(learner, 50)
    item = ItemFactory(cost=20, stock=5)
    body = export((learner, item), stock=[(item, 3)]).model_dump_json()

    dry = client.post(f"{IMPORT}?dry_run=true", body, content_type="application/json", **as_gateway())

    assert dry.status_code == 200, dry.content
    assert dry.json()["ok"] is True
    assert dry.json()["report"][0].startswith("dry run (nothing written): sales 1 new")
    assert not Purchase.objects.exists()

    done = client.post(IMPORT, body, content_type="application/json", **as_gateway())

    assert done.status_code == 200
    assert done.json()["report"][-1] == "verification: OK"
    assert Purchase.objects.get().debit_reference == "shop:order:o0:debit"
    assert wallet_balance(user=learner) == 50  # recorded, not charged
    assert Item.objects.get(pk=item.pk).stock == 3


def test_a_sale_that_would_charge_twice_is_a_409_naming_it_and_nothing_is_written(client, learner, fund):
    fund(learner, 50)
    item = ItemFactory(cost=10)
    purchase_create(user=learner, item_id=item.id)
    body = export((learner, item)).model_dump_json()

    response = client.post(IMPORT, body, content_type="application/json", **as_gateway())

    assert response.status_code == 409
    assert response.json()["ok"] is False
    assert "verification failed, nothing written:" in response.json()["report"]
    assert Purchase.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("not json", "body"),
        (json.dumps({"exported_at": "x", "sales": "no"}), "sales"),
        (json.dumps({"exported_at": "x", "sales": [{"order_id": "o"}]}), "sales.0.user_id"),
    ],
)
def test_a_body_that_is_not_a_sales_export_is_a_400_naming_the_field(client, body, field):
    response = client.post(IMPORT, body, content_type="application/json", **as_gateway())

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_document"
    assert field in response.json()["fields"]
