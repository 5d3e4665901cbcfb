"""The purchase saga between the shop (orchestrator) and account, and its event.

Commands go to the ``account`` queue (the monolith's account worker), replies to
the ``shop`` queue (the shop worker). Every command names the saga ``step_id``:
the account side uses it as the points ledger reference, so a redelivered
command never moves points twice.

- ``account.debit_requested`` v1: take ``amount`` points from ``user_id`` for an order.
- ``account.refund_requested`` v1: give back what the debit step ``debit_step_id``
  took, if it took anything (a refund of a debit that never happened moves nothing).
- ``shop.debit_replied`` v1: the outcome of a debit (``debited``,
  ``insufficient_points`` or ``failed``), with the balance after it.
- ``shop.refund_replied`` v1: the outcome of a refund (``refunded`` or ``nothing_to_refund``).
- ``purchase.completed`` v1: an order completed (the monolith unlocks a validator item).
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StrictInt, StrictStr, StringConstraints, TypeAdapter

from contracts.messages import Contract, MessageSpec, register

UserId = Annotated[StrictInt, Field(ge=1)]
Points = Annotated[StrictInt, Field(ge=1, le=1_000_000_000)]
StepId = Annotated[
    StrictStr, StringConstraints(pattern=r"^shop:order:[0-9a-f-]{36}:[a-z_]+$", max_length=120)
]
Reason = Annotated[StrictStr, StringConstraints(max_length=200)]


class DebitRequested(Contract):
    order_id: UUID
    step_id: StepId
    user_id: UserId
    amount: Points
    reason: Reason = ""


class RefundRequested(Contract):
    order_id: UUID
    step_id: StepId
    debit_step_id: StepId
    user_id: UserId
    reason: Reason = ""


class DebitReplied(Contract):
    order_id: UUID
    step_id: StepId
    outcome: Literal["debited", "insufficient_points", "failed"]
    #: The wallet balance after the debit (or as it was, when refused); ``None`` if unknown.
    balance: Annotated[StrictInt, Field(ge=0)] | None = None
    detail: Reason = ""


class RefundReplied(Contract):
    order_id: UUID
    step_id: StepId
    outcome: Literal["refunded", "nothing_to_refund"]
    amount: Annotated[StrictInt, Field(ge=0)] = 0


class PurchaseCompleted(Contract):
    order_id: UUID
    user_id: UserId
    item_id: Annotated[StrictInt, Field(ge=1)]
    kind: Literal["hint", "validator"]
    exercise_id: Annotated[StrictInt, Field(ge=1)]
    validator_id: Annotated[StrictInt, Field(ge=1)] | None = None
    price: Points


ACCOUNT_DEBIT_REQUESTED_V1 = register(
    MessageSpec(
        type="account.debit_requested",
        version=1,
        payload=TypeAdapter(DebitRequested),
        task="account.saga.debit",
        queue="account",
        description="Debit a wallet for a shop order (ledger reference: the step id).",
    )
)
ACCOUNT_REFUND_REQUESTED_V1 = register(
    MessageSpec(
        type="account.refund_requested",
        version=1,
        payload=TypeAdapter(RefundRequested),
        task="account.saga.refund",
        queue="account",
        description="Give back the points a debit step took, if it took any.",
    )
)
SHOP_DEBIT_REPLIED_V1 = register(
    MessageSpec(
        type="shop.debit_replied",
        version=1,
        payload=TypeAdapter(DebitReplied),
        task="shop.saga.debit_replied",
        queue="shop",
        description="Account's answer to a debit command.",
    )
)
SHOP_REFUND_REPLIED_V1 = register(
    MessageSpec(
        type="shop.refund_replied",
        version=1,
        payload=TypeAdapter(RefundReplied),
        task="shop.saga.refund_replied",
        queue="shop",
        description="Account's answer to a refund command.",
    )
)
PURCHASE_COMPLETED_V1 = register(
    MessageSpec(
        type="purchase.completed",
        version=1,
        payload=TypeAdapter(PurchaseCompleted),
        task="account.purchase_completed",
        queue="account",
        description="A shop order of a validator item completed; the monolith unlocks that validator.",
    )
)


# --- the legacy shop's export, read by the shop's import (a cross-service body, not a message)


class LegacyItem(Contract):
    id: Annotated[StrictInt, Field(ge=1)]
    kind: Literal["hint", "validator"]
    exercise_id: Annotated[StrictInt, Field(ge=1)]
    validator_id: Annotated[StrictInt, Field(ge=1)] | None = None
    title: Annotated[StrictStr, StringConstraints(min_length=1, max_length=200)]
    hint_text: StrictStr = ""
    cost: Annotated[StrictInt, Field(ge=1)]
    stock: Annotated[StrictInt, Field(ge=0)] | None = None
    is_active: bool
    #: The exercise's title (the shop answers it as the legacy shop does); absent in older exports.
    exercise_title: Annotated[StrictStr, StringConstraints(max_length=200)] = ""


class LegacyPurchase(Contract):
    id: Annotated[StrictInt, Field(ge=1)]
    user_id: UserId
    item_id: Annotated[StrictInt, Field(ge=1)]
    price_paid: Points
    debit_reference: Annotated[StrictStr, StringConstraints(min_length=1, max_length=200)]
    created_at: StrictStr


class LegacyShopExport(Contract):
    """``manage.py export_legacy_shop`` writes this; the shop's ``import_legacy_shop`` reads it."""

    format: Literal["polycode.legacy_shop.v1"] = "polycode.legacy_shop.v1"
    exported_at: StrictStr
    items: list[LegacyItem]
    purchases: list[LegacyPurchase]


# --- the shop's sales, read back by the legacy shop when the capability moves back (a rollback)


class ShopSale(Contract):
    order_id: Annotated[StrictStr, StringConstraints(min_length=1, max_length=64)]
    user_id: UserId
    item_id: Annotated[StrictInt, Field(ge=1)]
    price: Points
    #: The ledger reference of the payment (``shop:order:<id>:debit``): the legacy purchase keeps it.
    debit_reference: Annotated[StrictStr, StringConstraints(min_length=1, max_length=200)]
    completed_at: StrictStr


class ShopStock(Contract):
    item_id: Annotated[StrictInt, Field(ge=1)]
    stock: Annotated[StrictInt, Field(ge=0)] | None = None


class ShopSalesExport(Contract):
    """``manage.py export_shop_sales`` (shop) writes this; the monolith's ``import_shop_sales`` reads it.

    Every completed order the shop took itself (not one imported from the legacy shop), and the
    stock of every item that came from the legacy shop.
    """

    format: Literal["polycode.shop_sales.v1"] = "polycode.shop_sales.v1"
    exported_at: StrictStr
    sales: list[ShopSale]
    stock: list[ShopStock]
    #: Orders still in their saga when exported: the export is complete only once this is 0.
    pending: Annotated[StrictInt, Field(ge=0)] = 0
