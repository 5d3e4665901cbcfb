import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from monolith.learning.models import Content
from monolith.shop_legacy.models import Item, Purchase
from monolith.shop_legacy.tests.factories import (
    ExerciseFactory,
    HiddenValidatorFactory,
    ItemFactory,
    PurchaseFactory,
    ValidatorItemFactory,
)

pytestmark = pytest.mark.django_db


def violates_database_constraint(**fields) -> bool:
    try:
        with transaction.atomic():
            Item.objects.create(**fields)
    except IntegrityError:
        return True
    return False


@pytest.fixture
def exercise():
    return ExerciseFactory()


def test_a_validator_item_without_a_validator_is_refused_by_the_database(exercise):
    assert violates_database_constraint(kind="validator", exercise=exercise, title="t", cost=5)


def test_a_hint_item_with_a_validator_is_refused_by_the_database(exercise):
    validator = HiddenValidatorFactory(exercise=exercise)

    assert violates_database_constraint(
        kind="hint", exercise=exercise, validator=validator, title="t", hint_text="x", cost=5
    )


def test_a_hint_item_without_text_is_refused_by_the_database(exercise):
    assert violates_database_constraint(kind="hint", exercise=exercise, title="t", hint_text="", cost=5)


def test_an_unknown_kind_is_refused_by_the_database(exercise):
    assert violates_database_constraint(kind="sword", exercise=exercise, title="t", hint_text="x", cost=5)


@pytest.mark.parametrize("cost", [0, -3])
def test_a_free_or_negative_cost_is_refused_by_the_database(exercise, cost):
    assert violates_database_constraint(kind="hint", exercise=exercise, title="t", hint_text="x", cost=cost)


def test_a_negative_stock_is_refused_by_the_database(exercise):
    assert violates_database_constraint(
        kind="hint", exercise=exercise, title="t", hint_text="x", cost=5, stock=-1
    )


def test_well_formed_items_are_accepted(exercise):
    validator = HiddenValidatorFactory(exercise=exercise)

    assert not violates_database_constraint(kind="hint", exercise=exercise, title="t", hint_text="x", cost=5)
    assert not violates_database_constraint(
        kind="validator", exercise=exercise, validator=validator, title="v", cost=5, stock=0
    )


def test_a_user_owns_an_item_at_most_once():
    purchase = PurchaseFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Purchase.objects.create(
            user=purchase.user, item=purchase.item, price_paid=1, debit_reference="another"
        )


def test_an_item_for_a_lesson_is_invalid():
    lesson = ExerciseFactory(kind=Content.Kind.LESSON)
    item = ItemFactory.build(exercise=lesson)

    with pytest.raises(ValidationError) as invalid:
        item.full_clean()

    assert "exercise" in invalid.value.message_dict


def test_a_validator_of_another_exercise_is_invalid():
    item = ValidatorItemFactory.build(exercise=ExerciseFactory(), validator=HiddenValidatorFactory())

    with pytest.raises(ValidationError) as invalid:
        item.full_clean()

    assert "validator" in invalid.value.message_dict


def test_selling_a_visible_validator_is_invalid():
    validator = HiddenValidatorFactory(is_hidden=False)
    item = ValidatorItemFactory.build(exercise=validator.exercise, validator=validator)

    with pytest.raises(ValidationError) as invalid:
        item.full_clean()

    assert "validator" in invalid.value.message_dict


def test_a_well_formed_validator_item_is_valid():
    validator = HiddenValidatorFactory()

    ValidatorItemFactory.build(exercise=validator.exercise, validator=validator).full_clean()
