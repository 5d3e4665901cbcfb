"""Shop reads: items as a given learner sees them, and that learner's orders."""

import select
import time
from uuid import UUID

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet

from common.errors import NotFound
from extracted.shop.store.models import Item, Order


def _owned(user_id: int):
    return Exists(Order.objects.filter(item=OuterRef("pk"), user_id=user_id, state=Order.State.COMPLETED))


def item_list(*, user_id: int, exercise_id: int | None = None, kind: str | None = None) -> QuerySet[Item]:
    """Active items, each annotated with ``owned`` for ``user_id``."""
    items = Item.objects.filter(is_active=True).annotate(owned=_owned(user_id))
    if exercise_id is not None:
        items = items.filter(exercise_id=exercise_id)
    if kind:
        items = items.filter(kind=kind)
    return items


def item_get(*, user_id: int, item_id: int) -> Item:
    """An item the user can see: active, or inactive but owned. Raises ``NotFound``."""
    item = Item.objects.annotate(owned=_owned(user_id)).filter(pk=item_id).first()
    if item is None or not (item.is_active or item.owned):
        raise NotFound("No item with this id.")
    return item


def hint_text_for(*, item: Item, owned: bool) -> str | None:
    """A hint's text, only for its owners."""
    return item.hint_text if owned and item.kind == Item.Kind.HINT else None


def order_list(*, user_id: int) -> QuerySet[Order]:
    return Order.objects.filter(user_id=user_id).select_related("item")


def order_channel(order_id) -> str:
    """The PostgreSQL notification channel on which an order's end is announced."""
    return f"shop_order_{UUID(str(order_id)).hex}"


def order_get(*, user_id: int, order_id, wait: float = 0.0) -> Order:
    """The user's order ``order_id`` (``NotFound`` for anyone else's).

    With ``wait`` > 0, waits up to that many seconds for a pending order to end.
    On PostgreSQL the wait sleeps until the transaction that ends the order
    commits (``LISTEN``/``NOTIFY``: no polling); elsewhere it polls.
    """
    deadline = time.monotonic() + max(wait, 0.0)
    listening = wait > 0 and connection.vendor == "postgresql" and not connection.in_atomic_block
    if listening:
        with connection.cursor() as cursor:
            cursor.execute(f'LISTEN "{order_channel(order_id)}"')
    try:
        delay = 0.005
        while True:
            order = order_list(user_id=user_id).filter(pk=order_id).first()
            if order is None:
                raise NotFound("No order with this id.")
            remaining = deadline - time.monotonic()
            if order.is_terminal or remaining <= 0:
                return order
            if listening:
                _wait_for_notification(min(remaining, 1.0))
            else:
                time.sleep(min(delay, remaining))
                delay = min(delay * 1.5, 0.05)
    finally:
        if listening:
            with connection.cursor() as cursor:
                cursor.execute("UNLISTEN *")
            connection.connection.notifies.clear()


def _wait_for_notification(timeout: float) -> None:
    raw = connection.connection
    if raw.notifies:
        raw.notifies.clear()
        return
    if select.select([raw], [], [], timeout) != ([], [], []):
        raw.poll()
        raw.notifies.clear()


def order_is_owned(*, order: Order) -> bool:
    return order.state == Order.State.COMPLETED
