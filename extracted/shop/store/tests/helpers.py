"""Shared helpers of the shop's tests: a learner calling through the gateway, and the invariants."""

import uuid
from collections import defaultdict
from dataclasses import dataclass

from rest_framework.test import APIClient

from extracted.shop.store.models import Item, Order
from extracted.shop.testing import identity_header


@dataclass
class Learner:
    """A learner as the shop sees one: the id and names the gateway asserts."""

    id: int
    username: str
    email: str = ""

    def client(self) -> "LearnerClient":
        return LearnerClient(self)


class LearnerClient:
    """An API client that sends a fresh identity assertion with every request."""

    def __init__(self, learner: Learner):
        self.learner = learner
        self.api = APIClient()

    def _headers(self) -> dict:
        return identity_header(
            user_id=self.learner.id, username=self.learner.username, email=self.learner.email
        )

    def buy(self, item_id, *, key: str | None = None, body: dict | None = None):
        headers = self._headers()
        if key is not False:
            headers["Idempotency-Key"] = key or uuid.uuid4().hex
        return self.api.post(
            "/api/v1/shop/purchases",
            body if body is not None else {"item_id": item_id},
            format="json",
            headers=headers,
        )

    def get(self, path: str):
        return self.api.get(path, headers=self._headers())

    def order(self, order_id, *, wait: float = 0):
        return self.get(f"/api/v1/shop/orders/{order_id}" + (f"?wait={wait}" if wait else ""))


def learners_from(rows: list[dict]) -> list[Learner]:
    return [Learner(id=r["id"], username=r["username"], email=r["email"]) for r in rows]


def check_invariants(*, account, learners: list[Learner], initial_points: int, initial_stock: dict[int, int]):
    """Every saga invariant, as a list of violations (empty when all hold)."""
    problems = []
    user_ids = [learner.id for learner in learners]
    orders = list(Order.objects.filter(user_id__in=user_ids))
    pending = [o for o in orders if o.state == Order.State.PENDING]
    if pending:
        problems.append(f"{len(pending)} order(s) still pending")
    completed = [o for o in orders if o.state == Order.State.COMPLETED]

    for item_id, stock in initial_stock.items():
        item = Item.objects.get(pk=item_id)
        sold = sum(1 for o in completed if o.item_id == item_id)
        if item.stock is None or item.stock < 0 or item.stock != stock - sold:
            problems.append(f"item {item_id}: stock {item.stock}, expected {stock} - {sold} sold")

    net = defaultdict(int)
    for reference, amount, _ in account.order_ledger():
        order_id = reference.split(":")[2]
        net[order_id] += amount
    for order in orders:
        expected = -order.price if order.state == Order.State.COMPLETED else 0
        if net.get(str(order.id), 0) != expected:
            problems.append(
                f"order {order.id} ({order.state}): "
                f"ledger net {net.get(str(order.id), 0)}, expected {expected}"
            )

    balances = account.balances(user_ids)
    spent = defaultdict(int)
    for order in completed:
        spent[order.user_id] += order.price
    for user_id in user_ids:
        if balances.get(user_id) != initial_points - spent[user_id]:
            problems.append(f"user {user_id}: balance {balances.get(user_id)}, spent {spent[user_id]}")
    if sum(balances.values()) + sum(spent.values()) != initial_points * len(user_ids):
        problems.append("points are not conserved")
    owned = defaultdict(int)
    for order in completed:
        owned[(order.user_id, order.item_id)] += 1
    problems += [f"user {u} owns item {i} {n} times" for (u, i), n in owned.items() if n > 1]
    return problems
