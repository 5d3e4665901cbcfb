"""The shop's data-step API (``/api/v1/shop/migration/``): the gateway's ``strangle`` only."""

import pytest
from django.test import Client
from django.utils import timezone

from common.identity.testing import GatewayClient, control_plane_meta
from contracts.shop import LegacyShopExport, ShopSalesExport
from extracted.shop.store.models import Item, Order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

EXPORT, IMPORT = "/api/v1/shop/migration/export", "/api/v1/shop/migration/import"


def as_gateway() -> dict:
    return control_plane_meta(audience="shop")


def legacy_document() -> bytes:
    """Two legacy items (one limited), three purchases, as the monolith's export sends them."""
    now = timezone.now().isoformat()
    item = {"kind": "hint", "exercise_id": 1, "title": "Hint", "hint_text": "h", "is_active": True}
    return LegacyShopExport.model_validate(
        {
            "exported_at": now,
            "items": [{**item, "id": 1, "cost": 10, "stock": 3}, {**item, "id": 2, "cost": 5, "stock": None}],
            "purchases": [
                {"id": n, "user_id": n, "item_id": 1 + n % 2, "price_paid": 5 if n % 2 else 10,
                 "debit_reference": f"shop:legacy:user:{n}:item:{1 + n % 2}", "created_at": now}
                for n in (1, 2, 3)
            ],
        }
    ).model_dump_json().encode()  # fmt: skip


def test_the_gateway_imports_the_legacy_shop_after_a_dry_run_and_reads_the_shops_sales():
    client = Client()
    body = legacy_document()

    dry = client.post(f"{IMPORT}?dry_run=true", body, content_type="application/json", **as_gateway())

    assert dry.status_code == 200, dry.content
    assert dry.json()["report"][0].startswith("dry run (nothing written): items 2 new")
    assert not Item.objects.exists()

    done = client.post(IMPORT, body, content_type="application/json", **as_gateway())

    assert done.status_code == 200
    assert done.json()["report"][-1] == "verification: OK"
    assert Item.objects.count() == 2
    assert Order.objects.count() == 3

    sales = client.get(EXPORT, **as_gateway())

    assert sales.status_code == 200
    document = ShopSalesExport.model_validate_json(sales.content)
    assert document.sales == []  # imported orders are the legacy shop's own, not sales of the shop
    assert {line.item_id for line in document.stock} == set(Item.objects.values_list("legacy_id", flat=True))


def test_a_learner_or_anonymous_visitor_never_reaches_the_data_step():
    for client in (Client(), GatewayClient(audience="shop")):
        assert client.get(EXPORT).status_code in (401, 403)
        assert client.post(IMPORT, "{}", content_type="application/json").status_code in (401, 403)


def test_a_body_that_is_not_a_legacy_export_is_a_400_naming_the_field():
    response = Client().post(
        IMPORT, '{"exported_at": "x", "items": [], "purchases": [{}]}', content_type="application/json",
        **as_gateway(),
    )  # fmt: skip

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_document"
    assert "purchases.0.id" in response.json()["fields"]
