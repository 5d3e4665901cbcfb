"""Run inside the monolith (its settings): set up accounts and learning content for saga runs.

    DJANGO_SETTINGS_MODULE=monolith.settings.test python bench/saga/account_tool.py users 50 100 buyer
    ... account_tool.py validator          -> {"exercise_id": .., "validator_id": ..}
    ... account_tool.py legacy-shop        -> a populated legacy shop (items, purchases)
    ... account_tool.py legacy-buy <n>     -> time n legacy purchases (benchmark)
    ... account_tool.py forward <user id> <item id>   -> the monolith's forwarded purchase (status, body)

Prints one JSON document on stdout.
"""

import json
import logging
import sys
import time
import uuid

import django

django.setup()

from django.db import transaction  # noqa: E402


def users(count: int, points: int, prefix: str) -> list[dict]:
    from monolith.accounts.models import User
    from monolith.accounts.services.wallet import wallet_credit

    made = []
    for n in range(count):
        username = f"{prefix}{n}"
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
        if points:
            wallet_credit(user=user, amount=points, reference=f"seed:{username}", reason="Seed")
        made.append({"id": user.id, "username": username, "email": user.email})
    return made


def _exercise():
    """A published exercise of a module of its own (unique names: the tool runs many times)."""
    from monolith.accounts.models import User
    from monolith.learning.tests.factories import ExerciseFactory, ModuleFactory

    tag = uuid.uuid4().hex[:10]
    author, _ = User.objects.get_or_create(username="saga_author", defaults={"is_staff": True})
    module = ModuleFactory(title=f"Module {tag}", slug=f"module-{tag}", author=author)
    return ExerciseFactory(module=module, title=f"Exercise {tag}", slug=f"exercise-{tag}")


def validator() -> dict:
    from monolith.learning.tests.factories import ValidatorFactory

    with transaction.atomic():
        exercise = _exercise()
        hidden = ValidatorFactory(
            exercise=exercise, position=1, is_hidden=True, stdin=["41"], expected_stdout=["42"]
        )
    return {"exercise_id": exercise.id, "validator_id": hidden.id}


def legacy_shop() -> dict:
    """Three items (one limited, one validator, one inactive) and purchases by two learners."""
    from monolith.accounts.models import User
    from monolith.accounts.services.wallet import wallet_credit
    from monolith.learning.tests.factories import ValidatorFactory
    from monolith.shop_legacy.models import Item
    from monolith.shop_legacy.services import purchase_create

    with transaction.atomic():
        exercise = _exercise()
        hidden = ValidatorFactory(exercise=exercise, position=1, is_hidden=True)
        hint = Item.objects.create(exercise=exercise, title="Hint: loops", hint_text="Use range().", cost=10)
        limited = Item.objects.create(
            exercise=exercise, title="Hint: edge cases", hint_text="Empty input.", cost=25, stock=5
        )
        unlock = Item.objects.create(
            exercise=exercise, kind=Item.Kind.VALIDATOR, validator=hidden, title="Hidden test 1", cost=40
        )
        Item.objects.create(exercise=exercise, title="Old hint", hint_text="Gone.", cost=5, is_active=False)
    buyers = []
    for name in ("legacy_ada", "legacy_bob"):
        user, _ = User.objects.get_or_create(username=name, defaults={"email": f"{name}@example.com"})
        wallet_credit(user=user, amount=500, reference=f"seed:{name}", reason="Seed")
        buyers.append(user)
    for user in buyers:
        for item in (hint, limited, unlock):
            purchase_create(user=user, item_id=item.id)
    return {"users": [u.id for u in buyers]}


def forward(user_id: int, item_id: int) -> dict:
    """Buy ``item_id`` for ``user_id`` through the monolith's forwarding to the shop (the saga switch)."""
    from common.errors import ServiceError
    from monolith.accounts.models import User
    from monolith.shop_legacy.saga import purchase_forward

    try:
        order = purchase_forward(user=User.objects.get(pk=user_id), item_id=item_id)
    except ServiceError as exc:
        return {"status": exc.status, "body": {"code": exc.code, "detail": str(exc)}}
    return {"status": order.status, "body": order.body}


def legacy_buy(count: int, buyers_count: int = 50, single_count: int = 200) -> dict:
    """Time legacy purchases (one local transaction each), the saga benchmark's shape.

    One buyer buying ``single_count`` items one after the other, then
    ``buyers_count`` buyers in as many threads, each buying ``count //
    buyers_count`` items, every buyer the same items.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from monolith.accounts.models import User
    from monolith.shop_legacy.models import Item
    from monolith.shop_legacy.services import purchase_create

    logging.getLogger("monolith").setLevel(logging.WARNING)
    exercise = _exercise()

    def items(n):
        return [
            Item.objects.create(
                exercise=exercise, title=f"Bench {uuid.uuid4().hex[:6]}", hint_text="x", cost=1
            )
            for _ in range(n)
        ]

    def buyers(n):
        rows = users(n, 10**6, f"legacy{uuid.uuid4().hex[:6]}_")
        return list(User.objects.filter(pk__in=[r["id"] for r in rows]))

    def timed(user, item_list):
        spent = []
        for item in item_list:
            started = time.perf_counter()
            purchase_create(user=user, item_id=item.id)
            spent.append(time.perf_counter() - started)
        return spent

    [single_buyer] = buyers(1)
    single = timed(single_buyer, items(single_count))
    many, shared = buyers(buyers_count), items(max(1, count // buyers_count))

    def one_buyer(user):
        try:
            return timed(user, shared)
        finally:
            connection.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=buyers_count) as pool:
        concurrent = [t for spent in pool.map(one_buyer, many) for t in spent]
    wall = time.perf_counter() - started

    def pct(values, q):
        values = sorted(values)
        return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 2)

    return {
        "single_p50_ms": pct(single, 0.5),
        "single_p95_ms": pct(single, 0.95),
        "concurrent_purchases": len(concurrent),
        "concurrent_per_second": round(len(concurrent) / wall, 1),
        "concurrent_p50_ms": pct(concurrent, 0.5),
        "concurrent_p95_ms": pct(concurrent, 0.95),
    }


def main(argv: list[str]) -> None:
    command, args = argv[0], argv[1:]
    if command == "users":
        result = users(int(args[0]), int(args[1]), args[2])
    elif command == "validator":
        result = validator()
    elif command == "legacy-shop":
        result = legacy_shop()
    elif command == "forward":
        result = forward(int(args[0]), int(args[1]))
    elif command == "legacy-buy":
        result = legacy_buy(*map(int, args))
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
