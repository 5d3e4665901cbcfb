import pytest

from monolith.shop_legacy.demo import DEMO_HINTS, DEMO_VALIDATOR_ITEMS, load_shop_demo
from monolith.shop_legacy.models import Item
from monolith.shop_legacy.tests.factories import ExerciseFactory, HiddenValidatorFactory, ModuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_exercises():
    modules = {}
    exercises = {}
    for spec in (*DEMO_HINTS, *DEMO_VALIDATOR_ITEMS):
        module = modules.get(spec.module_slug) or ModuleFactory(slug=spec.module_slug)
        modules[spec.module_slug] = module
        key = (spec.module_slug, spec.exercise_slug)
        if key not in exercises:
            exercises[key] = ExerciseFactory(module=module, slug=spec.exercise_slug)
    for spec in DEMO_VALIDATOR_ITEMS:
        HiddenValidatorFactory(exercise=exercises[(spec.module_slug, spec.exercise_slug)])
    return exercises


def test_the_shop_demo_creates_hints_and_a_validator_item_once(demo_exercises):
    total = len(DEMO_HINTS) + len(DEMO_VALIDATOR_ITEMS)

    first = load_shop_demo()
    second = load_shop_demo()

    assert first == f"shop items: {total} ({total} created)"
    assert second == f"shop items: {total} (0 created)"
    assert Item.objects.filter(kind=Item.Kind.HINT).count() == len(DEMO_HINTS)
    assert Item.objects.filter(kind=Item.Kind.VALIDATOR).count() == len(DEMO_VALIDATOR_ITEMS)
    assert all(5 <= item.cost <= 20 for item in Item.objects.all())
    assert Item.objects.filter(stock__isnull=False).exists()
    for item in Item.objects.all():
        item.full_clean()


def test_the_shop_demo_leaves_sold_stock_alone(demo_exercises):
    load_shop_demo()
    limited = Item.objects.filter(stock__isnull=False).first()
    Item.objects.filter(pk=limited.pk).update(stock=1)

    load_shop_demo()

    limited.refresh_from_db()
    assert limited.stock == 1


def test_the_shop_demo_skips_quietly_what_the_learning_demo_lacks():
    assert load_shop_demo() == "shop items: 0 (0 created)"
    assert not Item.objects.exists()


def test_the_shop_demo_fits_the_learning_demo():
    from monolith.learning.demo import load_learning

    load_learning()
    load_shop_demo()

    assert Item.objects.filter(kind=Item.Kind.HINT).count() == len(DEMO_HINTS)
    validator_item = Item.objects.get(kind=Item.Kind.VALIDATOR)
    assert validator_item.validator.is_hidden
    assert validator_item.validator.exercise_id == validator_item.exercise_id
    for item in Item.objects.all():
        item.full_clean()
