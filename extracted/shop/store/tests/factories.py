import factory

from extracted.shop.store.models import Item


class HintItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    kind = Item.Kind.HINT
    exercise_id = factory.Sequence(lambda n: 1000 + n)
    title = factory.Sequence(lambda n: f"Hint {n}")
    hint_text = factory.Sequence(lambda n: f"Think about case {n}.")
    cost = 30
    stock = None
    is_active = True


class ValidatorItemFactory(HintItemFactory):
    kind = Item.Kind.VALIDATOR
    validator_id = factory.Sequence(lambda n: 5000 + n)
    title = factory.Sequence(lambda n: f"Hidden test {n}")
    hint_text = ""
