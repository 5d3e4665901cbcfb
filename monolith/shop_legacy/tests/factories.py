import factory

from monolith.accounts.tests.factories import UserFactory
from monolith.learning.models import Content, Module, Validator
from monolith.shop_legacy.models import Item, Purchase
from monolith.shop_legacy.services import purchase_debit_reference


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    title = factory.Sequence(lambda n: f"Module {n}")
    slug = factory.Sequence(lambda n: f"shop-module-{n}")
    kind = Module.Kind.PRACTICE
    is_published = True


class ExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Content

    module = factory.SubFactory(ModuleFactory)
    kind = Content.Kind.EXERCISE
    title = factory.Sequence(lambda n: f"Exercise {n}")
    slug = factory.Sequence(lambda n: f"exercise-{n}")


class HiddenValidatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Validator

    exercise = factory.SubFactory(ExerciseFactory)
    position = factory.Sequence(lambda n: n)
    stdin = ["3", "1 2 3"]
    expected_stdout = ["6"]
    is_hidden = True


class ItemFactory(factory.django.DjangoModelFactory):
    """A hint item, sold without stock limit unless ``stock`` is given."""

    class Meta:
        model = Item

    kind = Item.Kind.HINT
    exercise = factory.SubFactory(ExerciseFactory)
    title = factory.Sequence(lambda n: f"Hint {n}")
    hint_text = factory.Sequence(lambda n: f"Hint text number {n}.")
    cost = 10
    stock = None
    is_active = True


class ValidatorItemFactory(ItemFactory):
    kind = Item.Kind.VALIDATOR
    title = factory.Sequence(lambda n: f"Hidden test {n}")
    hint_text = ""
    validator = factory.SubFactory(HiddenValidatorFactory, exercise=factory.SelfAttribute("..exercise"))


class PurchaseFactory(factory.django.DjangoModelFactory):
    """A purchase row alone (no debit): for reads; buy through ``purchase_create`` otherwise."""

    class Meta:
        model = Purchase

    user = factory.SubFactory(UserFactory)
    item = factory.SubFactory(ItemFactory)
    price_paid = factory.SelfAttribute("item.cost")
    debit_reference = factory.LazyAttribute(
        lambda p: purchase_debit_reference(user_id=p.user.id, item_id=p.item.id)
    )
