"""Shop writes: buying an item.

``purchase_create`` is the single entry point of a purchase. While the
``purchase_via_saga`` switch is off it runs the legacy path: one database
transaction that locks the item, then the buyer's wallet (always in that order,
so concurrent buyers queue instead of deadlocking), debits the price, takes one
unit of stock and records the purchase.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from common.errors import Conflict, ServiceError, Unavailable
from monolith import flags
from monolith.accounts.models import User
from monolith.accounts.services.wallet import wallet_debit
from monolith.learning.models import Content
from monolith.learning.selectors import visible_modules_q
from monolith.learning.services import validator_unlock
from monolith.shop_legacy.models import Item, Purchase
from monolith.shop_legacy.saga import ShopOrder, purchase_forward

logger = logging.getLogger(__name__)


class ItemNotFound(ServiceError):
    status = 400
    code = "item_not_found"


#: Seconds a refused buyer is asked to wait while purchases are paused (``Retry-After``).
PAUSE_RETRY_AFTER = 5


def purchase_debit_reference(*, user_id: int, item_id: int) -> str:
    """The wallet ledger reference of a purchase: one debit per user and item, ever."""
    return f"shop:legacy:user:{user_id}:item:{item_id}"


def purchase_create(
    *, user: User, item_id: int, idempotency_key: str | None = None
) -> tuple[Purchase | ShopOrder, bool]:
    """Buy item ``item_id`` for ``user``; returns the purchase and whether it is new.

    Buying an item the user already owns returns the existing purchase with
    ``False`` and charges nothing. Raises ``ItemNotFound`` (400) for an unknown
    item, ``Conflict`` (409, ``item_inactive`` / ``out_of_stock``) when it
    cannot be sold, and ``InsufficientPoints`` (409) when the wallet is short;
    nothing is changed in those cases.

    With the ``purchase_via_saga`` switch on, the purchase is forwarded to the
    shop service, which runs it as a saga: the result is then the shop's
    ``ShopOrder`` (202 and the order to follow); nothing is written here.

    While ``purchases_paused`` is on (a few seconds, while ``strangle`` changes who sells) every
    purchase is refused with ``Unavailable`` (503 ``purchases_paused``, ``Retry-After``), charging
    nothing: no sale may fall between the two shops' copies of each other's sales.
    """
    if flags.is_on(flags.PURCHASES_PAUSED):
        raise Unavailable(
            "Purchases are paused for a few seconds while the shop is moved; nothing was charged. "
            "Try again shortly.",
            code="purchases_paused",
            retry_after=PAUSE_RETRY_AFTER,
        )
    if flags.is_on(flags.PURCHASE_VIA_SAGA):
        return purchase_forward(user=user, item_id=item_id, idempotency_key=idempotency_key), True
    return _purchase_create_locally(user=user, item_id=item_id)


def _exercise_visible(*, user: User, exercise_id: int) -> bool:
    """Items of an exercise the user cannot see (unpublished module) are not for sale to them."""
    return Content.objects.filter(visible_modules_q(user, prefix="module__"), pk=exercise_id).exists()


@transaction.atomic  # not around the forward: no transaction stays open during an HTTP call
def _purchase_create_locally(*, user: User, item_id: int) -> tuple[Purchase, bool]:
    item = Item.objects.select_for_update(of=("self",)).select_related("validator").filter(pk=item_id).first()
    if item is None:
        raise ItemNotFound("No item with this id.", field="item_id")

    # The item row lock serialises every purchase of this item, so this read
    # sees any purchase committed by a concurrent request of the same user.
    existing = Purchase.objects.filter(user=user, item=item).first()
    if existing is not None:
        return existing, False

    if not _exercise_visible(user=user, exercise_id=item.exercise_id):
        raise ItemNotFound("No item with this id.", field="item_id")
    if not item.is_active:
        raise Conflict("This item is no longer sold.", field="item_id", code="item_inactive")
    if not item.in_stock:
        raise Conflict("This item is out of stock.", field="item_id", code="out_of_stock")

    reference = purchase_debit_reference(user_id=user.id, item_id=item.id)
    entry, _ = wallet_debit(user=user, amount=item.cost, reference=reference, reason=f"Shop: {item.title}")

    if item.stock is not None:
        item.stock -= 1
        item.save(update_fields=["stock", "updated_at"])

    try:
        with transaction.atomic():
            purchase = Purchase.objects.create(
                user=user, item=item, price_paid=-entry.amount, debit_reference=reference
            )
    except IntegrityError:
        # Only reachable if a row was written around the item lock (e.g. by hand).
        raise Conflict("This purchase is already being recorded.", field="item_id") from None

    if item.kind == Item.Kind.VALIDATOR:
        validator_unlock(user=user, validator=item.validator)

    logger.info("shop purchase user=%s item=%s price=%s", user.id, item.id, purchase.price_paid)
    return purchase, True


@transaction.atomic
def items_deactivate(*, items: QuerySet[Item]) -> int:
    """Stop selling ``items`` (purchases already made stay); returns how many were active."""
    return items.filter(is_active=True).update(is_active=False, updated_at=timezone.now())
