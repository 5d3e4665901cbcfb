"""The strangler switch: with ``purchase_via_saga`` on, the legacy endpoint forwards to the shop service.

The shop is faked here (what the monolith sends, what it does with the
answer). That the forwarded item id names the same item in the shop (the
import keeps legacy ids) is proven end to end by the shop's suite:
``extracted/shop/store/tests/test_legacy_import.py`` exports this legacy shop,
imports it into the shop, and forwards a purchase from the monolith to a
running shop.
"""

import uuid

import jwt
import pytest
import requests
from waffle.testutils import override_switch

from common.identity.assertion import HEADER
from monolith import flags
from monolith.accounts.services.wallet import wallet_balance
from monolith.shop_legacy import saga
from monolith.shop_legacy.models import Purchase
from monolith.shop_legacy.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


class FakeResponse:
    def __init__(self, status_code, body):
        self.status_code, self._body = status_code, body

    def json(self):
        return self._body


ORDER_ID = "3f2b8c1e-6a4d-4c1b-9e8f-2d7a5b6c9e01"
STATUS_URL = f"/api/v1/shop/orders/{ORDER_ID}"


@pytest.fixture
def shop(monkeypatch):
    """The shop service as the monolith's HTTP session sees it: records calls, answers what it is told."""
    calls = []
    answer = {"response": FakeResponse(202, {"id": ORDER_ID, "state": "pending", "status_url": STATUS_URL})}

    def call(method, url, json=None, params=None, headers=None, timeout=None):
        calls.append(
            {
                "method": method,
                "url": url,
                "json": json,
                "params": params,
                "headers": headers,
                "timeout": timeout,
            }
        )
        if isinstance(answer["response"], Exception):
            raise answer["response"]
        return answer["response"]

    monkeypatch.setattr(saga._session, "post", lambda url, **kw: call("POST", url, **kw))
    monkeypatch.setattr(saga._session, "get", lambda url, **kw: call("GET", url, **kw))
    return calls, answer


def test_with_the_switch_on_a_purchase_is_forwarded_and_the_shops_202_passed_through(
    learner_client, learner, shop
):
    calls, _ = shop
    item = ItemFactory(cost=10)

    with override_switch(flags.PURCHASE_VIA_SAGA, active=True):
        response = learner_client.post(
            "/api/v1/shop/purchases", {"item_id": item.id}, format="json", HTTP_IDEMPOTENCY_KEY="key-1"
        )

    assert response.status_code == 202
    assert response.json()["state"] == "pending"
    [call] = calls
    assert call["url"].endswith("/api/v1/shop/purchases")
    assert call["json"] == {"item_id": item.id}
    assert call["headers"]["Idempotency-Key"] == "key-1"
    claims = jwt.decode(call["headers"][HEADER], options={"verify_signature": False})
    assert (claims["aud"], claims["azp"], claims["sub"]) == ("shop", "monolith", str(learner.id))
    assert not Purchase.objects.exists()


def test_a_refusal_by_the_shop_is_passed_on_as_the_same_4xx(learner_client, shop):
    _, answer = shop
    answer["response"] = FakeResponse(
        409, {"code": "item_inactive", "detail": "This item is no longer sold.", "fields": {"item_id": ["x"]}}
    )
    item = ItemFactory(cost=10)

    with override_switch(flags.PURCHASE_VIA_SAGA, active=True):
        response = learner_client.post("/api/v1/shop/purchases", {"item_id": item.id}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "item_inactive"
    assert "item_id" in response.json()["fields"]


def test_the_shop_down_is_a_503_json_and_nothing_is_charged(learner_client, learner, shop):
    _, answer = shop
    answer["response"] = requests.ConnectionError("refused")
    item = ItemFactory(cost=10)

    with override_switch(flags.PURCHASE_VIA_SAGA, active=True):
        response = learner_client.post("/api/v1/shop/purchases", {"item_id": item.id}, format="json")

    assert response.status_code == 503
    assert response.json()["code"] == "shop_unavailable"
    assert wallet_balance(user=learner) == 0
    assert not Purchase.objects.exists()


def test_with_the_switch_off_the_legacy_path_answers_and_the_shop_is_not_called(
    learner_client, learner, shop
):
    calls, _ = shop
    from monolith.accounts.services.wallet import wallet_credit

    wallet_credit(user=learner, amount=20, reference="seed", reason="Seed")
    item = ItemFactory(cost=10)

    response = learner_client.post("/api/v1/shop/purchases", {"item_id": item.id}, format="json")

    assert response.status_code == 201
    assert calls == []
    assert wallet_balance(user=learner) == 10


def test_the_status_url_of_a_forwarded_purchase_is_served_by_the_monolith_and_asked_of_the_shop(
    learner_client, learner, shop
):
    calls, answer = shop
    item = ItemFactory(cost=10)
    with override_switch(flags.PURCHASE_VIA_SAGA, active=True):
        created = learner_client.post("/api/v1/shop/purchases", {"item_id": item.id}, format="json")
    answer["response"] = FakeResponse(200, {"id": ORDER_ID, "state": "completed", "status_url": STATUS_URL})

    response = learner_client.get(created.json()["status_url"] + "?wait=2")

    assert response.status_code == 200
    assert response.json()["state"] == "completed"
    get = calls[-1]
    assert get["method"] == "GET"
    assert get["url"].endswith(STATUS_URL)
    assert get["params"] == {"wait": 2.0}
    assert get["timeout"] > 2
    claims = jwt.decode(get["headers"][HEADER], options={"verify_signature": False})
    assert (claims["aud"], claims["azp"], claims["sub"]) == ("shop", "monolith", str(learner.id))


def test_an_order_the_shop_does_not_show_this_learner_is_404(learner_client, shop):
    _, answer = shop
    answer["response"] = FakeResponse(
        404, {"code": "not_found", "detail": "No order with this id.", "fields": {}}
    )

    response = learner_client.get(STATUS_URL)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_order_status_with_the_shop_down_is_a_503_json(learner_client, shop):
    _, answer = shop
    answer["response"] = requests.ConnectionError("refused")

    response = learner_client.get(STATUS_URL)

    assert response.status_code == 503
    assert response.json()["code"] == "shop_unavailable"


def test_a_bad_wait_is_a_400_naming_it_and_the_shop_is_not_asked(learner_client, shop):
    calls, _ = shop

    response = learner_client.get(STATUS_URL + "?wait=-1")

    assert response.status_code == 400
    assert "wait" in response.json()["fields"]
    assert calls == []


def test_the_order_status_needs_a_signed_in_learner(api_client, shop):
    calls, _ = shop

    response = api_client.get(STATUS_URL)

    assert response.status_code in (401, 403)
    assert calls == []


def test_with_the_switch_on_the_items_are_the_shops_so_a_hint_bought_there_shows_owned(
    learner_client, learner, shop
):
    calls, answer = shop
    item = ItemFactory(cost=10, hint_text="Use a stack.")
    shop_page = {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {"id": item.id, "kind": "hint", "owned": True, "hint_text": "Use a stack.", "stock": None}
        ],
    }
    answer["response"] = FakeResponse(200, shop_page)

    with override_switch(flags.PURCHASE_VIA_SAGA, active=True):
        listed = learner_client.get(f"/api/v1/shop/items?exercise={item.exercise_id}&page_size=100")
        answer["response"] = FakeResponse(200, shop_page["results"][0])
        detail = learner_client.get(f"/api/v1/shop/items/{item.id}")

    assert listed.status_code == 200
    assert listed.json() == shop_page
    assert detail.json()["owned"] is True
    list_call, detail_call = calls
    assert list_call["url"].endswith("/api/v1/shop/items")
    assert list_call["params"] == {"exercise": item.exercise_id, "page_size": "100"}
    assert detail_call["url"].endswith(f"/api/v1/shop/items/{item.id}")
    claims = jwt.decode(list_call["headers"][HEADER], options={"verify_signature": False})
    assert (claims["aud"], claims["azp"], claims["sub"]) == ("shop", "monolith", str(learner.id))


def test_with_the_switch_on_and_the_shop_down_the_items_are_a_503_json(learner_client, shop):
    _, answer = shop
    answer["response"] = requests.ConnectionError("refused")

    with override_switch(flags.PURCHASE_VIA_SAGA, active=True):
        response = learner_client.get("/api/v1/shop/items")

    assert response.status_code == 503
    assert response.json()["code"] == "shop_unavailable"


def test_with_the_switch_off_the_items_are_the_legacy_shops(learner_client, shop):
    calls, _ = shop
    item = ItemFactory(cost=10)

    response = learner_client.get(f"/api/v1/shop/items?exercise={item.exercise_id}")

    assert [i["id"] for i in response.json()["results"]] == [item.id]
    assert response.json()["results"][0]["in_stock"] is True
    assert calls == []


def test_the_order_page_shows_learners_no_internal_note(learner_client):
    page = learner_client.get(f"/api/v1/shop/orders/{uuid.uuid4()}", HTTP_ACCEPT="text/html")

    text = page.content.decode()
    assert "purchase_via_saga" not in text
    assert "shop service" not in text


@pytest.mark.parametrize("via_saga", [False, True])
def test_while_purchases_are_paused_every_purchase_is_a_503_to_retry_and_nothing_is_charged(
    learner, learner_client, fund, shop, via_saga
):
    fund(learner, 100)
    item = ItemFactory(cost=10)
    with (
        override_switch(flags.PURCHASES_PAUSED, active=True),
        override_switch(flags.PURCHASE_VIA_SAGA, active=via_saga),
    ):
        response = learner_client.post("/api/v1/shop/purchases", {"item_id": item.id}, format="json")

    assert response.status_code == 503
    assert response.json()["code"] == "purchases_paused"
    assert response["Retry-After"] == "5"
    assert shop[0] == []  # not forwarded either
    assert wallet_balance(user=learner) == 100
    assert not Purchase.objects.exists()

    with override_switch(flags.PURCHASES_PAUSED, active=False):
        resumed = learner_client.post("/api/v1/shop/purchases", {"item_id": item.id}, format="json")
    assert resumed.status_code == 201
    assert wallet_balance(user=learner) == 90
