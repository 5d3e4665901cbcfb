"""Demo catalogue of the legacy shop, for a fresh local install.

``load_shop_demo`` is idempotent: it looks the learning demo's exercises up by
slug, creates the items that are missing and leaves existing ones alone (their
stock may have been sold since). Exercises that are not there are skipped.
"""

from dataclasses import dataclass

from django.db import transaction

from monolith.learning.models import Content, Validator
from monolith.shop_legacy.models import Item


@dataclass(frozen=True)
class DemoHint:
    module_slug: str
    exercise_slug: str
    title: str
    text: str
    cost: int
    stock: int | None = None


@dataclass(frozen=True)
class DemoValidatorItem:
    module_slug: str
    exercise_slug: str
    title: str
    cost: int
    stock: int | None = None


DEMO_HINTS = (
    DemoHint(
        "programming-fundamentals",
        "hello-you",
        "Printing the greeting exactly",
        "Read the whole line, spaces included, and build the text around it: "
        "`Hello, ` + name + `!`, with no extra space before the `!`.",
        cost=5,
    ),
    DemoHint(
        "programming-fundamentals",
        "sum-of-two-numbers",
        "Big sums",
        "Two numbers up to 10^9 add up to more than a 32-bit integer holds: use a 64-bit type "
        "(long long, long, i64) in C, C++, Java and Rust.",
        cost=10,
        stock=25,
    ),
    DemoHint(
        "programming-fundamentals",
        "fizzbuzz",
        "Order of the tests",
        "Test divisibility by 15 first: a multiple of 15 is also a multiple of 3 and of 5.",
        cost=10,
    ),
    DemoHint(
        "programming-fundamentals-strings",
        "palindrome",
        "Clean first, then compare",
        "Keep only letters and digits, lower-cased, then compare the result with its reverse.",
        cost=15,
        stock=10,
    ),
    DemoHint(
        "algorithms-challenge",
        "balanced-brackets",
        "A stack remembers",
        "Push every opening bracket; on a closing one, the top of the stack must be its match. "
        "The text is balanced if the stack is empty at the end.",
        cost=15,
    ),
    DemoHint(
        "algorithms-challenge",
        "binary-search-positions",
        "The first occurrence",
        "When the middle value equals the query, remember the index and keep searching the left "
        "half: the first occurrence may be further left.",
        cost=20,
        stock=5,
    ),
)

#: The last hidden test of the exercise is the one sold.
DEMO_VALIDATOR_ITEMS = (
    DemoValidatorItem(
        "algorithms-challenge", "balanced-brackets", "Unlock the longest hidden test", cost=20, stock=10
    ),
)


def _exercise(module_slug: str, exercise_slug: str) -> Content | None:
    return Content.objects.filter(
        module__slug=module_slug, slug=exercise_slug, kind=Content.Kind.EXERCISE
    ).first()


@transaction.atomic
def load_shop_demo() -> str:
    """Create the demo items that are missing; returns a one-line summary."""
    created_count = 0
    for hint in DEMO_HINTS:
        exercise = _exercise(hint.module_slug, hint.exercise_slug)
        if exercise is None:
            continue
        _, created = Item.objects.get_or_create(
            exercise=exercise,
            kind=Item.Kind.HINT,
            title=hint.title,
            defaults={"hint_text": hint.text, "cost": hint.cost, "stock": hint.stock},
        )
        created_count += created
    for spec in DEMO_VALIDATOR_ITEMS:
        exercise = _exercise(spec.module_slug, spec.exercise_slug)
        validator = (
            Validator.objects.filter(exercise=exercise, is_hidden=True).order_by("position").last()
            if exercise
            else None
        )
        if validator is None:
            continue
        _, created = Item.objects.get_or_create(
            exercise=exercise,
            kind=Item.Kind.VALIDATOR,
            validator=validator,
            defaults={"title": spec.title, "cost": spec.cost, "stock": spec.stock},
        )
        created_count += created
    return f"shop items: {Item.objects.count()} ({created_count} created)"
