"""Shop writes: placing an order and running its saga with account.

The shop orchestrates the purchase saga. Each step is one local transaction
that changes the order and writes the next command (or event) to the outbox,
so a step and its message commit together or not at all:

1. ``order_place`` — create the order ``pending``, reserve one unit of stock
   and command account to debit the wallet.
2. ``order_debit_replied`` — on ``debited``: complete (the reservation is
   kept, the receipt mail is published, and ``purchase.completed`` for a
   validator item, which learning then unlocks); on a
   refusal: reject and release the stock. A ``debited`` reply for an order
   that was already rejected (it timed out meanwhile) is answered by a refund.
3. ``orders_expire`` — the sweeper: a pending order past its deadline is
   rejected, its stock released and a refund commanded (account refunds only
   what the debit step took, so a refund of a debit that never ran moves nothing);
   ``refunds_resend`` commands again a refund account has not answered.

Every step is idempotent: replies are recorded in the inbox, and a step
refuses a transition from the wrong state.
"""

import logging
from datetime import timedelta
from uuid import UUID, uuid4

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from pydantic import TypeAdapter, ValidationError

import contracts
from common.errors import Conflict, ServiceError
from common.messaging.services import inbox_record, outbox_publish
from common.observability import metrics
from common.queries import execute, insert, select_one, update_fields, update_where
from contracts.mail import LANGUAGES as MAIL_LANGUAGES
from contracts.mail import MAIL_REQUESTED_V1, EmailAddress
from contracts.shop import (
    ACCOUNT_DEBIT_REQUESTED_V1,
    ACCOUNT_REFUND_REQUESTED_V1,
    PURCHASE_COMPLETED_V1,
    SHOP_DEBIT_REPLIED_V1,
    SHOP_REFUND_REPLIED_V1,
)
from extracted.shop.store.models import Item, Order, StockReservation
from extracted.shop.store.waiting import announce_order_end

logger = logging.getLogger(__name__)

PRODUCER = "shop"

REASONS = {
    Order.Reason.INSUFFICIENT_POINTS: "You do not have enough polypoints for this item.",
    Order.Reason.OUT_OF_STOCK: "This item is out of stock.",
    Order.Reason.TIMED_OUT: "The purchase could not be confirmed in time; nothing was charged.",
    Order.Reason.FAILED: "The purchase could not be completed; nothing was charged.",
}


class ItemNotFound(ServiceError):
    status = 400
    code = "item_not_found"


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"


_receipt_address = TypeAdapter(EmailAddress)


def receipt_email(email: str) -> str:
    """``email`` if a receipt can be sent to it (the mail contract accepts it), else "" (no receipt)."""
    try:
        return _receipt_address.validate_python(email) if email else ""
    except ValidationError:
        return ""


def buyer_id(user) -> int:
    try:
        user_id = int(user.id)
    except (TypeError, ValueError):
        raise ServiceError("Only PolyCode accounts can buy items.", code="not_a_learner") from None
    if user_id < 1:
        raise ServiceError("Only PolyCode accounts can buy items.", code="not_a_learner")
    return user_id


#: The states of an order that holds or owns its item: at most one per user and item.
LIVE_STATES = [Order.State.PENDING, Order.State.COMPLETED]


class _OutOfStock(Exception):
    """The last unit went to another buyer: the placing transaction is rolled back."""


def order_place(
    *,
    user,
    item_id: int,
    idempotency_key: str,
    correlation_id: str | None = None,
    order_id: UUID | None = None,
    language: str = "en",
) -> tuple[Order, bool]:
    """Start buying ``item_id`` for ``user``; returns the order and whether it is new.

    The same ``idempotency_key`` with the same item returns the order it made;
    with another item it is refused (409, ``idempotency_key_reused``). An item
    the user already owns, or is already buying, returns that order: nothing
    is charged twice. Raises ``ItemNotFound`` (400) for an unknown item and
    ``Conflict`` (409, ``item_inactive``) for one no longer sold; nothing is
    changed then. An item out of stock gives a new order, already ``rejected``.
    ``order_id`` names the new order (a caller that waits for it watches it first).

    One short transaction writes the order, the reservation and the debit
    command; taking the unit of a limited item is its last statement, so the
    item's row lock (which serialises its buyers) is held only until the commit.
    An item the user already holds is found the same way on the usual path: its
    pending or completed order makes the insert fail on the one-live-order
    constraint, and that order is answered; a new purchase costs no lookup for it.
    Two requests racing with one key, or one user buying one item twice at
    once, are told apart by the same constraints: the loser's transaction rolls
    back and it answers with the winner's order, or, when that order has already
    ended (rejected), places its own again (``PLACE_ATTEMPTS`` in all; then 409
    ``purchase_contended``).
    """
    user_id = buyer_id(user)
    for _ in range(PLACE_ATTEMPTS):
        placed = _place(
            user=user,
            user_id=user_id,
            item_id=item_id,
            idempotency_key=idempotency_key,
            correlation_id=correlation_id,
            order_id=order_id,
            language=language if language in MAIL_LANGUAGES else "en",
        )
        if placed is not None:
            return placed
    raise Conflict(
        "Another purchase of this item kept changing while this one was placed; try again.",
        code="purchase_contended",
        field="item_id",
    )


#: Placements of one request: a clash with an order that ended meanwhile is placed again.
PLACE_ATTEMPTS = 3


def _place(
    *,
    user,
    user_id: int,
    item_id: int,
    idempotency_key: str,
    correlation_id: str | None,
    order_id,
    language: str,
) -> tuple[Order, bool] | None:
    """One placement (see ``order_place``); None when it clashed with an order that has ended since."""
    item = select_one(Item, where={"id": item_id})
    existing = _order_for_key(user_id=user_id, idempotency_key=idempotency_key, item_id=item_id)
    if existing is None and (item is None or not item.is_active):
        # Off the usual path: an item the user holds stays theirs to see even if no longer sold.
        existing = _live_order(user_id=user_id, item_id=item_id)
    if existing is not None:
        existing.item = item  # the same item (a key used for another one was refused)
        return existing, False
    if item is None:
        raise ItemNotFound("No item with this id.", field="item_id")
    if not item.is_active:
        raise Conflict("This item is no longer sold.", field="item_id", code="item_inactive")

    now = timezone.now()
    order = Order(
        id=order_id or uuid4(),
        user_id=user_id,
        username=(getattr(user, "username", "") or "")[:150],
        email=receipt_email(getattr(user, "email", "") or ""),
        language=language,
        item=item,
        price=item.cost,
        idempotency_key=idempotency_key,
        deadline=now + timedelta(seconds=float(settings.SHOP_SAGA_TIMEOUT)),
    )
    try:
        if item.stock is not None and item.stock <= 0:
            raise _OutOfStock
        with transaction.atomic():
            insert(order)
            if item.stock is not None:
                insert(StockReservation(order=order, item=item))
            outbox_publish(message=_debit_command(order, correlation_id=correlation_id))
            if item.stock is not None and not _take_one_unit(item):
                raise _OutOfStock
    except _OutOfStock:
        return _place_rejected(order, code=Order.Reason.OUT_OF_STOCK)
    except IntegrityError:
        return _raced(order)
    logger.info("shop.order placed id=%s user=%s item=%s price=%s", order.id, user_id, item.id, order.price)
    return order, True


def _debit_command(order: Order, *, correlation_id: str | None) -> contracts.Message:
    return contracts.build(
        ACCOUNT_DEBIT_REQUESTED_V1,
        {
            "order_id": str(order.id),
            "step_id": order.debit_step_id,
            "user_id": order.user_id,
            "amount": order.price,
            "reason": f"Shop: {order.item.title}"[:200],
        },
        producer=PRODUCER,
        correlation_id=correlation_id or str(order.id),
    )


def _take_one_unit(item: Item) -> bool:
    """Take one unit of a limited item; False when none is left (nothing changed).

    One statement per purchase of a limited item, written out: the ORM's
    compiled ``update()`` cost several times what the database spends on it.
    """
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    meta = Item._meta
    stock, updated_at = quote(meta.get_field("stock").column), quote(meta.get_field("updated_at").column)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {stock} = {stock} - 1, {updated_at} = %s "  # noqa: S608 - quoted model identifiers only
        f"WHERE {quote(meta.pk.column)} = %s AND {stock} > 0"
    )
    return (
        execute(sql, [meta.get_field("updated_at").get_db_prep_value(timezone.now(), connection), item.pk])
        == 1
    )


def _place_rejected(order: Order, *, code: str) -> tuple[Order, bool] | None:
    live = _live_order(user_id=order.user_id, item_id=order.item_id)
    if live is not None:  # out of stock, but this user holds one already
        live.item = order.item
        return live, False
    _mark_rejected(order, code=code)
    try:
        with transaction.atomic():
            insert(order)
    except IntegrityError:
        return _raced(order)
    logger.info("shop.order rejected id=%s item=%s reason=%s", order.id, order.item_id, code)
    metrics.saga_ended(outcome="rejected", reason=code, placed_at=order.created_at)
    return order, True


def _raced(order: Order) -> tuple[Order, bool] | None:
    """The order a concurrent request made first (same key, or the same user and item), not new.

    None when that order is no longer live: it ended (a refused debit rejects it
    within milliseconds) between the clash and this lookup, so ``order`` may be
    placed after all.
    """
    existing = _existing_order(
        user_id=order.user_id, idempotency_key=order.idempotency_key, item_id=order.item_id
    )
    if existing is None:
        logger.info("shop.order_place_again id=%s: the order it clashed with has ended", order.id)
        return None
    existing.item = order.item
    return existing, False


def _order_for_key(*, user_id: int, idempotency_key: str, item_id: int) -> Order | None:
    """The order this key already made; the key made for another item raises ``IdempotencyKeyReused``."""
    by_key = select_one(Order, where={"user_id": user_id, "idempotency_key": idempotency_key})
    if by_key is not None and by_key.item_id != item_id:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for another purchase.", field="Idempotency-Key"
        )
    return by_key


def _live_order(*, user_id: int, item_id: int) -> Order | None:
    """The user's pending or completed order of the item (at most one: a unique constraint)."""
    return select_one(Order, where={"user_id": user_id, "item_id": item_id, "state": LIVE_STATES})


def _existing_order(*, user_id: int, idempotency_key: str, item_id: int) -> Order | None:
    """The order this key already made, else the user's live order of the item."""
    return _order_for_key(user_id=user_id, idempotency_key=idempotency_key, item_id=item_id) or _live_order(
        user_id=user_id, item_id=item_id
    )


def _release_stock(order: Order) -> None:
    released = StockReservation.objects.filter(order=order, state=StockReservation.State.HELD).update(
        state=StockReservation.State.RELEASED, updated_at=timezone.now()
    )
    if released:
        Item.objects.filter(pk=order.item_id).update(stock=F("stock") + 1, updated_at=timezone.now())


def _request_refund(order: Order, *, reason: str, causation_id: UUID | None = None) -> None:
    if order.refund != Order.Refund.REFUNDED:
        order.refund = Order.Refund.REQUESTED
    outbox_publish(
        message=contracts.build(
            ACCOUNT_REFUND_REQUESTED_V1,
            {
                "order_id": str(order.id),
                "step_id": order.refund_step_id,
                "debit_step_id": order.debit_step_id,
                "user_id": order.user_id,
                "reason": reason[:200],
            },
            producer=PRODUCER,
            correlation_id=str(order.id),
            causation_id=causation_id,
        )
    )


def _save_end(order: Order) -> None:
    """Write the order's end and wake the requests waiting for it (on commit), telling them the end."""
    update_fields(order, Order.SAGA_FIELDS)
    fields = {name: getattr(order, name) for name in Order.SAGA_FIELDS}
    for name in ("completed_at", "updated_at"):
        fields[name] = fields[name].isoformat() if fields[name] else None
    announce_order_end(order.id, fields)


def _mark_rejected(order: Order, *, code: str) -> None:
    order.state = Order.State.REJECTED
    order.reason_code = code
    order.reason = REASONS[code]


def _reject(order: Order, *, code: str, detail: str = "") -> None:
    _mark_rejected(order, code=code)
    _release_stock(order)
    logger.info("shop.order rejected id=%s reason=%s %s", order.id, code, detail)
    metrics.saga_ended(outcome="rejected", reason=code, placed_at=order.created_at)


def _complete(order: Order, *, balance: int | None, causation_id: UUID) -> None:
    order.state = Order.State.COMPLETED
    order.completed_at = timezone.now()
    order.balance_after = balance
    update_where(
        StockReservation,
        where={"order": order.pk, "state": StockReservation.State.HELD},
        values={"state": StockReservation.State.COMMITTED, "updated_at": timezone.now()},
    )
    item = order.item
    if item.kind == Item.Kind.VALIDATOR:
        # Learning unlocks the validator for the buyer; a hint needs nothing outside the shop.
        outbox_publish(
            message=contracts.build(
                PURCHASE_COMPLETED_V1,
                {
                    "order_id": str(order.id),
                    "user_id": order.user_id,
                    "item_id": item.id,
                    "kind": item.kind,
                    "exercise_id": item.exercise_id,
                    "validator_id": item.validator_id,
                    "price": order.price,
                },
                producer=PRODUCER,
                correlation_id=str(order.id),
                causation_id=causation_id,
            )
        )
    if order.email and order.username:
        outbox_publish(
            message=contracts.build(
                MAIL_REQUESTED_V1,
                {
                    "to": order.email,
                    "language": order.language if order.language in MAIL_LANGUAGES else "en",
                    "kind": "purchase_receipt",
                    "context": {
                        "username": order.username,
                        "order_reference": str(order.id),
                        "item_name": item.title,
                        "quantity": 1,
                        "total_points": order.price,
                        "balance_points": max(balance or 0, 0),
                        "order_url": f"{settings.SITE_URL.rstrip('/')}{order.status_path}",
                    },
                },
                producer=PRODUCER,
                correlation_id=str(order.id),
                causation_id=causation_id,
            )
        )
    logger.info("shop.order completed id=%s", order.id)
    metrics.saga_ended(outcome="completed", placed_at=order.created_at)


@transaction.atomic
def order_debit_replied(*, message: contracts.Message) -> str:
    """Apply account's answer to a debit command; returns what was done (for logs and tests)."""
    if not inbox_record(message_id=message.id, message_type=SHOP_DEBIT_REPLIED_V1.type):
        return "duplicate"
    reply = message.payload
    # Locks the order only: the item's row lock belongs to its buyers (``order_place``).
    order = select_one(Order, where={"id": reply.order_id}, for_update=True, related="item")
    if order is None:
        logger.warning("shop.reply_for_unknown_order id=%s", reply.order_id)
        return "unknown_order"
    if reply.outcome == "debited":
        if order.state == Order.State.PENDING:
            _complete(order, balance=reply.balance, causation_id=message.id)
            _save_end(order)
            return "completed"
        if order.state == Order.State.REJECTED:
            # The debit ran after the order was given up (timed out): give the points back.
            _request_refund(
                order, reason="Debit arrived after the order was rejected", causation_id=message.id
            )
            order.save(update_fields=["refund", "updated_at"])
            return "refund_requested"
        return "ignored"
    if order.state != Order.State.PENDING:
        return "ignored"
    code = Order.Reason.INSUFFICIENT_POINTS if reply.outcome == "insufficient_points" else Order.Reason.FAILED
    _reject(order, code=code, detail=reply.detail)
    _save_end(order)
    return "rejected"


@transaction.atomic
def order_refund_replied(*, message: contracts.Message) -> str:
    """Record account's answer to a refund command."""
    if not inbox_record(message_id=message.id, message_type=SHOP_REFUND_REPLIED_V1.type):
        return "duplicate"
    reply = message.payload
    order = select_one(Order, where={"id": reply.order_id}, for_update=True)
    if order is None:
        return "unknown_order"
    # A refund that moved points is final; an earlier "nothing to refund" never overrides it.
    if order.refund != Order.Refund.REFUNDED:
        order.refund = reply.outcome
        order.save(update_fields=["refund", "updated_at"])
    return reply.outcome


def orders_expire(*, now=None, limit: int = 200) -> int:
    """Compensate pending orders past their deadline; returns how many were rejected.

    Several sweepers may run: each takes its orders with ``SKIP LOCKED``.
    """
    now = now or timezone.now()
    with transaction.atomic():
        orders = list(
            Order.objects.select_for_update(skip_locked=True)
            .filter(state=Order.State.PENDING, deadline__lt=now)
            .order_by("deadline")[:limit]
        )
        for order in orders:
            _reject(order, code=Order.Reason.TIMED_OUT)
            _request_refund(order, reason="Order timed out")
            _save_end(order)
    return len(orders)


def refunds_resend(*, now=None, limit: int = 200) -> int:
    """Command again the refunds account has not answered for ``SHOP_REFUND_RESEND_AFTER`` seconds.

    A refund command account could not process within its retry budget is
    dead-lettered, and nothing else would ever send it again: the points a late
    debit took would stay taken. Account moves the points of one refund step
    once (its ledger reference), so a refund commanded twice refunds once.
    Returns how many were sent again; each is sent again at that interval until
    account answers.
    """
    now = now or timezone.now()
    unanswered_since = now - timedelta(seconds=float(settings.SHOP_REFUND_RESEND_AFTER))
    with transaction.atomic():
        orders = list(
            Order.objects.select_for_update(skip_locked=True)
            .filter(refund=Order.Refund.REQUESTED, updated_at__lt=unanswered_since)
            .order_by("updated_at")[:limit]
        )
        for order in orders:
            _request_refund(order, reason="Refund commanded again: not answered")
            order.save(update_fields=["refund", "updated_at"])
    return len(orders)
