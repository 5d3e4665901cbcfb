"""The shop API without a broker: bad input is a clear 4xx that changes nothing; who sees what."""

import uuid

import pytest

from common.messaging.models import OutboxMessage
from extracted.shop.store.models import Item, Order
from extracted.shop.store.tests.factories import HintItemFactory, ValidatorItemFactory
from extracted.shop.store.tests.helpers import Learner

pytestmark = pytest.mark.django_db

ADA = Learner(id=7, username="ada", email="ada@example.com")
BOB = Learner(id=8, username="bob", email="bob@example.com")


@pytest.fixture(autouse=True)
def _no_broker(settings):
    settings.OUTBOX_FAST_PATH = False


def _nothing_changed(item: Item, stock):
    assert Order.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    item.refresh_from_db()
    assert item.stock == stock


def test_a_purchase_answers_202_with_the_order_its_status_url_and_one_debit_command():
    item = HintItemFactory(cost=30, stock=4)

    response = ADA.client().buy(item.id)

    assert response.status_code == 202
    body = response.json()
    assert body["state"] == "pending"
    assert body["status_url"] == f"/api/v1/shop/orders/{body['id']}"
    assert body["price"] == 30
    [command] = OutboxMessage.objects.all()
    assert (command.type, command.queue) == ("account.debit_requested", "account")
    assert command.body["payload"]["step_id"] == f"shop:order:{body['id']}:debit"
    assert command.body["payload"]["user_id"] == ADA.id
    item.refresh_from_db()
    assert item.stock == 3


def test_the_same_idempotency_key_returns_the_same_order_and_sends_nothing_more():
    item = HintItemFactory()
    first = ADA.client().buy(item.id, key="k-1")

    again = ADA.client().buy(item.id, key="k-1")

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Order.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


def test_an_idempotency_key_reused_for_another_item_is_409_and_changes_nothing():
    item, other = HintItemFactory(), HintItemFactory(stock=2)
    ADA.client().buy(item.id, key="k-1")

    response = ADA.client().buy(other.id, key="k-1")

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in response.json()["fields"]
    assert Order.objects.count() == 1
    other.refresh_from_db()
    assert other.stock == 2


def test_a_purchase_without_an_idempotency_key_is_422_naming_the_header():
    item = HintItemFactory(stock=2)

    response = ADA.client().buy(item.id, key=False)

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_required"
    assert "Idempotency-Key" in response.json()["fields"]
    _nothing_changed(item, 2)


def test_an_unknown_item_is_400_naming_item_id():
    item = HintItemFactory(stock=2)

    response = ADA.client().buy(item.id + 1000)

    assert response.status_code == 400
    assert response.json()["code"] == "item_not_found"
    assert "item_id" in response.json()["fields"]
    _nothing_changed(item, 2)


def test_an_inactive_item_is_409_and_changes_nothing():
    item = HintItemFactory(stock=2, is_active=False)

    response = ADA.client().buy(item.id)

    assert response.status_code == 409
    assert response.json()["code"] == "item_inactive"
    _nothing_changed(item, 2)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"item_id": "abc"},
        {"item_id": 0},
        {"item_id": 2**64},
        {"item": 1},
        {"item_id": True},
        {"item_id": 1.5},
    ],
)
def test_a_malformed_body_is_400_naming_item_id(body):
    item = HintItemFactory(stock=2)

    response = ADA.client().buy(None, body=body)

    assert response.status_code == 400
    assert "item_id" in response.json()["fields"]
    _nothing_changed(item, 2)


def test_another_learners_order_is_404():
    item = HintItemFactory()
    order = ADA.client().buy(item.id).json()

    response = BOB.client().order(order["id"])

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert BOB.client().order(uuid.uuid4()).status_code == 404


def test_a_request_without_the_gateways_assertion_is_refused(client):
    item = HintItemFactory()

    response = client.post("/api/v1/shop/purchases", {"item_id": item.id}, content_type="application/json")

    assert response.status_code in (401, 403)
    assert Order.objects.count() == 0


def test_a_hint_text_is_shown_only_to_learners_who_own_it():
    item = HintItemFactory(hint_text="Use a set.")
    Order.objects.create(user_id=ADA.id, item=item, price=item.cost, state=Order.State.COMPLETED)
    Order.objects.create(
        user_id=BOB.id,
        item=item,
        price=item.cost,
        state=Order.State.REJECTED,
        reason_code="insufficient_points",
    )

    assert ADA.client().get(f"/api/v1/shop/items/{item.id}").json()["hint_text"] == "Use a set."
    assert BOB.client().get(f"/api/v1/shop/items/{item.id}").json()["hint_text"] is None
    listed = {i["id"]: i for i in BOB.client().get("/api/v1/shop/items").json()["results"]}
    assert listed[item.id]["hint_text"] is None
    assert listed[item.id]["owned"] is False


def test_the_openapi_schema_describes_the_purchase_endpoint(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert any(path.startswith("/api/v1/shop/purchases") for path in response.json()["paths"])


def test_a_purchase_forwarded_by_the_monolith_on_a_learners_behalf_is_accepted(settings):
    from django.conf import settings as conf

    from common.identity import keys
    from common.identity.assertion import HEADER, Identity, issue

    monolith_key = keys.dev_private_pem(conf.VAR_DIR, keys.dev_service_key_filename("monolith"))
    token = issue(
        Identity(user_id=str(ADA.id), username=ADA.username),
        audience="shop",
        caller="monolith",
        private_pem=monolith_key,
    )
    item = HintItemFactory()

    response = ADA.client().api.post(
        "/api/v1/shop/purchases",
        {"item_id": item.id},
        format="json",
        headers={HEADER: token, "Idempotency-Key": "f-1"},
    )

    assert response.status_code == 202
    assert Order.objects.get().user_id == ADA.id


def test_a_learner_lists_only_their_own_orders():
    item = HintItemFactory()
    ADA.client().buy(item.id)
    BOB.client().buy(item.id)

    for path in ("/api/v1/shop/orders", "/api/v1/shop/purchases"):
        listed = ADA.client().get(path).json()["results"]
        assert [o["item"]["id"] for o in listed] == [item.id]


@pytest.mark.parametrize("state", ["pending", "completed", "rejected"])
@pytest.mark.parametrize("factory", [HintItemFactory, ValidatorItemFactory])
def test_the_order_output_built_directly_equals_drfs_field_by_field_output(state, factory):
    from django.utils import timezone
    from rest_framework import serializers

    from extracted.shop.store.apis import OrderOutputSerializer

    order = Order.objects.create(
        user_id=ADA.id,
        item=factory(),
        price=5,
        state=state,
        reason_code="out_of_stock" if state == "rejected" else "",
        reason="This item is out of stock." if state == "rejected" else "",
        completed_at=timezone.now() if state == "completed" else None,
    )
    order.refresh_from_db()
    serializer = OrderOutputSerializer()

    direct = serializer.to_representation(order)

    assert direct == serializers.Serializer.to_representation(serializer, order)
    assert list(direct) == list(serializer.fields)


def test_the_order_keeps_the_language_the_learner_asked_in_for_the_receipt():
    item = HintItemFactory()
    client = ADA.client()
    headers = {**client._headers(), "Idempotency-Key": uuid.uuid4().hex, "Accept-Language": "fr-FR,fr;q=0.9"}

    response = client.api.post("/api/v1/shop/purchases", {"item_id": item.id}, format="json", headers=headers)

    assert response.status_code == 202
    assert Order.objects.get(pk=response.json()["id"]).language == "fr"
