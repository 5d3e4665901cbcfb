import pytest
from django.urls import reverse

from monolith.shop_legacy.models import Item, Purchase
from monolith.shop_legacy.services import purchase_create
from monolith.shop_legacy.tests.factories import ExerciseFactory, HiddenValidatorFactory, ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, staff):
    client.force_login(staff)
    return client


def test_the_item_list_shows_the_number_of_purchases(admin, learner, other_learner, fund):
    item = ItemFactory(title="Recursion tip", cost=5)
    for buyer in (learner, other_learner):
        fund(buyer, 10)
        purchase_create(user=buyer, item_id=item.id)

    response = admin.get(reverse("admin:shop_legacy_item_changelist"))

    assert response.status_code == 200
    row = next(r for r in response.context["cl"].result_list if r.pk == item.pk)
    assert row.purchase_count == 2


def test_items_are_searched_by_title_or_exercise_title(admin):
    ItemFactory(title="Recursion tip")
    by_exercise = ItemFactory(exercise=ExerciseFactory(title="Fizz buzz"))

    by_title = admin.get(reverse("admin:shop_legacy_item_changelist"), {"q": "recursion"})
    by_ex = admin.get(reverse("admin:shop_legacy_item_changelist"), {"q": "fizz"})

    assert [i.title for i in by_title.context["cl"].result_list] == ["Recursion tip"]
    assert [i.pk for i in by_ex.context["cl"].result_list] == [by_exercise.pk]


def test_staff_deactivate_items_with_an_action(admin):
    items = ItemFactory.create_batch(2)
    kept = ItemFactory()

    response = admin.post(
        reverse("admin:shop_legacy_item_changelist"),
        {"action": "deactivate", "_selected_action": [i.pk for i in items]},
    )

    assert response.status_code == 302
    assert set(Item.objects.filter(is_active=False)) == set(items)
    kept.refresh_from_db()
    assert kept.is_active


def test_staff_create_a_validator_item_in_the_admin(admin):
    validator = HiddenValidatorFactory()

    response = admin.post(
        reverse("admin:shop_legacy_item_add"),
        {
            "kind": "validator",
            "exercise": validator.exercise_id,
            "validator": validator.pk,
            "title": "Unlock the big input",
            "cost": 20,
            "stock": "",
            "is_active": "on",
            "hint_text": "",
        },
    )

    assert response.status_code == 302
    item = Item.objects.get()
    assert (item.validator, item.stock) == (validator, None)


def test_the_admin_refuses_a_validator_item_without_a_validator(admin):
    response = admin.post(
        reverse("admin:shop_legacy_item_add"),
        {"kind": "validator", "exercise": ExerciseFactory().pk, "title": "x", "cost": 20, "is_active": "on"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Item.objects.exists()


def test_purchases_are_read_only_in_the_admin(admin, learner, fund):
    fund(learner, 10)
    purchase, _ = purchase_create(user=learner, item_id=ItemFactory(cost=5).id)

    listing = admin.get(reverse("admin:shop_legacy_purchase_changelist"), {"q": learner.username})
    add = admin.get(reverse("admin:shop_legacy_purchase_add"))
    delete = admin.post(reverse("admin:shop_legacy_purchase_delete", args=[purchase.pk]), {"post": "yes"})

    assert [p.pk for p in listing.context["cl"].result_list] == [purchase.pk]
    assert add.status_code == 403
    assert delete.status_code == 403
    assert Purchase.objects.filter(pk=purchase.pk).exists()
