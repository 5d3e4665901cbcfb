"""Shop reads: items as a given learner sees them, and that learner's orders."""

import time
from datetime import datetime

from django.db.models import DateTimeField, Exists, OuterRef, QuerySet

from common.errors import NotFound
from common.queries import first_or_none, select_one
from extracted.shop.store.models import Item, Order
from extracted.shop.store.waiting import RECHECK, Watch, order_end_listener


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


def order_get(*, user_id: int, order_id, wait: float = 0.0) -> Order:
    """The user's order ``order_id`` (``NotFound`` for anyone else's).

    With ``wait`` > 0, waits up to that many seconds for a pending order to end:
    on PostgreSQL until the transaction that ends it commits (the process's
    listener wakes this request: no polling), elsewhere by polling.
    """
    if wait <= 0:
        return _order_or_404(user_id=user_id, order_id=order_id)
    with order_end_listener.watching(order_id) as ended:
        order = _order_or_404(user_id=user_id, order_id=order_id)
        return order_await(order=order, ended=ended, wait=wait)


def order_await(*, order: Order, ended: Watch | None, wait: float) -> Order:
    """``order`` once it ended or ``wait`` seconds passed.

    ``ended`` comes from ``order_end_listener.watching(order.id)``, entered
    before ``order`` was read: when it is set, the fields its notification
    carried are applied (else the order is read again); ``None`` polls.
    """
    deadline = time.monotonic() + wait
    delay = 0.005
    while not order.is_terminal:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        if ended is not None:
            if ended.wait(min(remaining, RECHECK)) and _apply_saga_fields(order, ended.fields):
                continue
        else:
            time.sleep(min(delay, remaining))
            delay = min(delay * 1.5, 0.05)
        fresh = select_one(Order, where={"id": order.pk})
        for name in Order.SAGA_FIELDS:
            setattr(order, name, getattr(fresh, name))
    return order


def _apply_saga_fields(order: Order, fields: dict | None) -> bool:
    """Take the order's end from its notification; False (read it instead) if it carried none."""
    try:
        values = {
            name: datetime.fromisoformat(value)
            if value is not None and isinstance(Order._meta.get_field(name), DateTimeField)
            else value
            for name, value in ((name, fields[name]) for name in Order.SAGA_FIELDS)
        }
    except (KeyError, TypeError, ValueError):
        return False
    for name, value in values.items():
        setattr(order, name, value)
    return True


def _order_or_404(*, user_id: int, order_id) -> Order:
    order = first_or_none(order_list(user_id=user_id).filter(pk=order_id))
    if order is None:
        raise NotFound("No order with this id.")
    return order


def order_is_owned(*, order: Order) -> bool:
    return order.state == Order.State.COMPLETED
