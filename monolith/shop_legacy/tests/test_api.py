import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from monolith.accounts.models import LedgerEntry
from monolith.accounts.services.wallet import wallet_balance
from monolith.learning.models import ValidatorUnlock
from monolith.shop_legacy.models import Item, Purchase
from monolith.shop_legacy.services import purchase_create
from monolith.shop_legacy.tests.factories import ItemFactory, ModuleFactory, ValidatorItemFactory

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/shop/items"
PURCHASES = "/api/v1/shop/purchases"


def assert_nothing_changed(user, *, balance: int) -> None:
    assert wallet_balance(user=user) == balance
    assert not Purchase.objects.exists()
    assert not LedgerEntry.objects.filter(amount__lt=0).exists()


# --- catalogue -------------------------------------------------------------------------------------


def test_the_catalogue_lists_active_items_with_the_owned_flag_of_the_requesting_user(
    learner, learner_client, fund
):
    fund(learner, 100)
    owned = ItemFactory(cost=5, hint_text="Think recursively.")
    ItemFactory(cost=6, hint_text="Use a stack.")
    ItemFactory(is_active=False)
    purchase_create(user=learner, item_id=owned.id)

    response = learner_client.get(ITEMS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_id = {row["id"]: row for row in body["results"]}
    assert by_id[owned.id]["owned"] is True
    assert by_id[owned.id]["hint_text"] == "Think recursively."
    other = next(row for row in body["results"] if row["id"] != owned.id)
    assert other["owned"] is False
    assert other["hint_text"] is None
    assert "Use a stack." not in response.content.decode()


def test_the_catalogue_costs_the_same_number_of_queries_for_one_item_or_many(learner, learner_client, fund):
    fund(learner, 500)
    first = ItemFactory()
    purchase_create(user=learner, item_id=first.id)
    with CaptureQueriesContext(connection) as one:
        assert learner_client.get(ITEMS).status_code == 200

    for item in ItemFactory.create_batch(8):
        purchase_create(user=learner, item_id=item.id)
    ValidatorItemFactory.create_batch(3)
    with CaptureQueriesContext(connection) as many:
        response = learner_client.get(ITEMS)

    assert response.json()["count"] == 12
    assert len(many) == len(one)


def test_the_catalogue_is_paginated(learner_client):
    ItemFactory.create_batch(3)

    body = learner_client.get(ITEMS, {"page_size": 2}).json()

    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"] is not None


def test_the_catalogue_filters_by_exercise_and_kind(learner_client):
    hint = ItemFactory()
    validator_item = ValidatorItemFactory(exercise=hint.exercise)
    ItemFactory()  # another exercise

    same_exercise = learner_client.get(ITEMS, {"exercise": hint.exercise_id}).json()
    validators_only = learner_client.get(ITEMS, {"exercise": hint.exercise_id, "kind": "validator"}).json()

    assert {row["id"] for row in same_exercise["results"]} == {hint.id, validator_item.id}
    assert [row["id"] for row in validators_only["results"]] == [validator_item.id]
    assert validators_only["results"][0]["validator"] == validator_item.validator_id
    assert validators_only["results"][0]["hint_text"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"exercise": "abc"}, "exercise"),
        ({"exercise": "0"}, "exercise"),
        ({"exercise": str(2**70)}, "exercise"),
        ({"kind": "sword"}, "kind"),
    ],
)
def test_a_bad_catalogue_filter_is_a_400_naming_it(learner_client, params, field):
    response = learner_client.get(ITEMS, params)

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_an_item_shows_its_hint_only_to_a_user_who_bought_it(learner, learner_client, fund):
    fund(learner, 50)
    item = ItemFactory(cost=10, hint_text="Sort first.")

    before = learner_client.get(f"{ITEMS}/{item.id}").json()
    purchase_create(user=learner, item_id=item.id)
    after = learner_client.get(f"{ITEMS}/{item.id}").json()

    assert (before["owned"], before["hint_text"]) == (False, None)
    assert (after["owned"], after["hint_text"]) == (True, "Sort first.")


@pytest.mark.parametrize("item_id", ["999999", str(2**70)])
def test_an_unknown_item_is_a_json_404(learner_client, item_id):
    response = learner_client.get(f"{ITEMS}/{item_id}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_inactive_item_is_not_shown(learner_client):
    item = ItemFactory(is_active=False)

    assert learner_client.get(f"{ITEMS}/{item.id}").status_code == 404


def test_items_of_an_unpublished_module_are_hidden_and_not_for_sale(learner, learner_client, fund):
    fund(learner, 40)
    item = ItemFactory(cost=10, exercise__module__is_published=False)

    listing = learner_client.get(ITEMS).json()
    detail = learner_client.get(f"{ITEMS}/{item.id}")
    bought = learner_client.post(PURCHASES, {"item_id": item.id}, format="json")

    assert listing["count"] == 0
    assert detail.status_code == 404
    assert bought.status_code == 400
    assert bought.json()["fields"] == {"item_id": ["No item with this id."]}
    assert_nothing_changed(learner, balance=40)


def test_items_of_a_submodule_under_an_unpublished_module_are_hidden(learner_client):
    parent = ModuleFactory(is_published=False)
    chapter = ModuleFactory(kind="submodule", parent=parent, is_published=True)
    ItemFactory(exercise__module=chapter)

    assert learner_client.get(ITEMS).json()["count"] == 0


def test_staff_see_items_of_unpublished_modules(staff_client):
    ItemFactory(exercise__module__is_published=False)

    assert staff_client.get(ITEMS).json()["count"] == 1


def test_the_shop_needs_a_signed_in_user(api_client):
    ItemFactory()

    for response in (api_client.get(ITEMS), api_client.post(PURCHASES, {"item_id": 1}, format="json")):
        assert response.status_code in (401, 403)
        assert "code" in response.json()


# --- buying ----------------------------------------------------------------------------------------


def test_buying_answers_201_with_the_purchase_and_the_hint(learner, learner_client, fund):
    fund(learner, 40)
    item = ItemFactory(cost=15, stock=2, hint_text="Mind the off-by-one.")

    response = learner_client.post(PURCHASES, {"item_id": item.id}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["item"]["id"] == item.id
    assert body["price_paid"] == 15
    assert body["hint_text"] == "Mind the off-by-one."
    assert wallet_balance(user=learner) == 25
    item.refresh_from_db()
    assert item.stock == 1


def test_buying_an_owned_item_answers_200_with_the_same_purchase_and_no_second_debit(
    learner, learner_client, fund
):
    fund(learner, 40)
    item = ItemFactory(cost=15)
    first = learner_client.post(PURCHASES, {"item_id": item.id}, format="json")

    again = learner_client.post(PURCHASES, {"item_id": item.id}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert wallet_balance(user=learner) == 25
    assert LedgerEntry.objects.filter(amount__lt=0).count() == 1


def test_buying_without_enough_points_is_a_409_naming_the_reason_and_changes_nothing(
    learner, learner_client, fund
):
    fund(learner, 10)
    item = ItemFactory(cost=15, stock=3)

    response = learner_client.post(PURCHASES, {"item_id": item.id}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_points"
    assert_nothing_changed(learner, balance=10)
    item.refresh_from_db()
    assert item.stock == 3


def test_buying_an_inactive_item_is_a_409_item_inactive(learner, learner_client, fund):
    fund(learner, 40)
    item = ItemFactory(cost=15, is_active=False)

    response = learner_client.post(PURCHASES, {"item_id": item.id}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "item_inactive"
    assert response.json()["fields"] == {"item_id": ["This item is no longer sold."]}
    assert_nothing_changed(learner, balance=40)


def test_buying_a_sold_out_item_is_a_409_out_of_stock(learner, learner_client, fund):
    fund(learner, 40)
    item = ItemFactory(cost=15, stock=0)

    response = learner_client.post(PURCHASES, {"item_id": item.id}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "out_of_stock"
    assert_nothing_changed(learner, balance=40)


def test_buying_a_validator_item_unlocks_the_validator_for_the_buyer(learner, learner_client, fund):
    fund(learner, 40)
    item = ValidatorItemFactory(cost=20)

    response = learner_client.post(PURCHASES, {"item_id": item.id}, format="json")

    assert response.status_code == 201
    assert response.json()["item"]["validator"] == item.validator_id
    assert response.json()["hint_text"] is None
    assert ValidatorUnlock.objects.filter(user=learner, validator=item.validator).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "item_id"),
        ({"item_id": None}, "item_id"),
        ({"item_id": "abc"}, "item_id"),
        ({"item_id": 1.5}, "item_id"),
        ({"item_id": True}, "item_id"),
        ({"item_id": [1]}, "item_id"),
        ({"item_id": {"id": 1}}, "item_id"),
        ({"item_id": -1}, "item_id"),
        ({"item_id": 0}, "item_id"),
        ({"item_id": 2**70}, "item_id"),
        ({"item_id": 999_999}, "item_id"),
        ([1], "non_field_errors"),
        ("item", "non_field_errors"),
    ],
)
def test_bad_purchase_input_is_a_4xx_naming_the_field_and_changes_nothing(
    learner, learner_client, fund, payload, field
):
    fund(learner, 40)
    ItemFactory(cost=15)

    response = learner_client.post(PURCHASES, payload, format="json")

    assert 400 <= response.status_code < 500
    assert field in response.json()["fields"]
    assert_nothing_changed(learner, balance=40)


@pytest.mark.parametrize("body", ['{"item_id": ', "not json", '{"item_id": 1,}', "\xff"])
def test_malformed_json_is_a_400_and_changes_nothing(learner, learner_client, fund, body):
    fund(learner, 40)
    ItemFactory(cost=15)

    response = learner_client.post(PURCHASES, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert_nothing_changed(learner, balance=40)


def test_a_non_json_body_is_a_415(learner, learner_client, fund):
    fund(learner, 40)
    item = ItemFactory(cost=15)

    response = learner_client.post(PURCHASES, {"item_id": item.id})  # multipart form

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert_nothing_changed(learner, balance=40)


# --- own purchases ---------------------------------------------------------------------------------


def test_a_user_lists_only_their_own_purchases(learner, other_learner, learner_client, fund):
    fund(learner, 100)
    fund(other_learner, 100)
    mine = ItemFactory()
    theirs = ItemFactory()
    purchase_create(user=learner, item_id=mine.id)
    purchase_create(user=other_learner, item_id=theirs.id)

    body = learner_client.get(PURCHASES).json()

    assert body["count"] == 1
    assert body["results"][0]["item"]["id"] == mine.id
    assert body["results"][0]["hint_text"] == mine.hint_text


def test_a_user_reads_their_purchase_with_the_hint_even_after_the_item_is_withdrawn(
    learner, learner_client, fund
):
    fund(learner, 100)
    item = ItemFactory(hint_text="Two pointers.")
    purchase, _ = purchase_create(user=learner, item_id=item.id)
    Item.objects.filter(pk=item.pk).update(is_active=False)

    response = learner_client.get(f"{PURCHASES}/{purchase.id}")

    assert response.status_code == 200
    assert response.json()["hint_text"] == "Two pointers."


def test_another_users_purchase_is_a_404(other_learner, learner_client, fund):
    fund(other_learner, 100)
    item = ItemFactory(hint_text="Secret of grace.")
    purchase, _ = purchase_create(user=other_learner, item_id=item.id)

    response = learner_client.get(f"{PURCHASES}/{purchase.id}")

    assert response.status_code == 404
    assert "Secret of grace." not in response.content.decode()


def test_a_purchase_cannot_be_changed_or_deleted_through_the_api(learner, learner_client, fund):
    fund(learner, 100)
    purchase, _ = purchase_create(user=learner, item_id=ItemFactory().id)

    for method in (learner_client.put, learner_client.patch, learner_client.delete):
        response = method(f"{PURCHASES}/{purchase.id}", {"price_paid": 1}, format="json")
        assert response.status_code == 405

    assert Purchase.objects.get().price_paid == purchase.price_paid


def test_another_user_buys_independently(learner, other_learner, fund):
    fund(learner, 30)
    fund(other_learner, 30)
    item = ItemFactory(cost=10, stock=2)
    other_client = APIClient()
    other_client.force_authenticate(other_learner)

    purchase_create(user=learner, item_id=item.id)
    response = other_client.post(PURCHASES, {"item_id": item.id}, format="json")

    assert response.status_code == 201
    assert Purchase.objects.count() == 2


def test_routes_accept_a_trailing_slash(learner, learner_client, fund):
    fund(learner, 40)
    item = ItemFactory(cost=10)

    assert learner_client.get(f"{ITEMS}/").status_code == 200
    assert learner_client.get(f"{ITEMS}/{item.id}/").status_code == 200
    assert learner_client.post(f"{PURCHASES}/", {"item_id": item.id}, format="json").status_code == 201
