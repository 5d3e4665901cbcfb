"""The shop's data: items for sale, orders (the saga's state) and stock reservations.

Exercises, validators and users live in other services: they are referred to
by id only (no foreign key leaves this database).
"""

import uuid

from django.db import models
from django.db.models import Q


class Item(models.Model):
    """Something a learner can buy for one exercise: a hint text or a hidden validator's data.

    ``stock`` is the number of units still for sale (reserved units are already
    taken out of it); ``None`` means unlimited.
    """

    class Kind(models.TextChoices):
        HINT = "hint", "Hint"
        VALIDATOR = "validator", "Validator"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.HINT)
    exercise_id = models.PositiveBigIntegerField(help_text="Id of the exercise in the learning service.")
    validator_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Id of the hidden test this item unlocks (validator items only)."
    )
    title = models.CharField(max_length=200)
    #: The exercise's title as the learning service named it when the item was imported (the API's
    #: ``exercise_title``, as the legacy shop answers it).
    exercise_title = models.CharField(max_length=200, blank=True)
    hint_text = models.TextField(blank=True, help_text="Shown to its owners only (hint items only).")
    cost = models.PositiveIntegerField(help_text="Price in polypoints.")
    stock = models.PositiveIntegerField(null=True, blank=True, help_text="Units left; empty for unlimited.")
    is_active = models.BooleanField(default=True)
    #: Id of the same item in the monolith's legacy shop, when it was imported from there.
    legacy_id = models.PositiveBigIntegerField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["exercise_id", "cost", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="hint", validator_id__isnull=True)
                | Q(kind="validator", validator_id__isnull=False),
                name="store_item_validator_only_for_validator_items",
                violation_error_message="A validator item needs a validator; a hint item must not have one.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="hint") | ~Q(hint_text=""),
                name="store_item_hint_has_text",
                violation_error_message="A hint item needs a hint text.",
            ),
            models.CheckConstraint(condition=Q(cost__gt=0), name="store_item_cost_positive"),
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__gte=0), name="store_item_stock_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.kind}, {self.cost} pts)"

    @property
    def in_stock(self) -> bool:
        return self.stock is None or self.stock > 0


class Order(models.Model):
    """One purchase attempt and the state of its saga.

    ``pending`` (stock reserved, debit asked of account) ends ``completed`` or
    ``rejected``; see the README for the full state machine. A user holds at
    most one pending or completed order per item: buying twice returns it.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        COMPLETED = "completed", "Completed"
        REJECTED = "rejected", "Rejected"

    class Reason(models.TextChoices):
        INSUFFICIENT_POINTS = "insufficient_points", "Not enough points"
        OUT_OF_STOCK = "out_of_stock", "Out of stock"
        TIMED_OUT = "timed_out", "Timed out"
        FAILED = "failed", "Failed"

    class Refund(models.TextChoices):
        NONE = "", "None"
        REQUESTED = "requested", "Requested"
        REFUNDED = "refunded", "Refunded"
        NOTHING = "nothing_to_refund", "Nothing to refund"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user_id = models.PositiveBigIntegerField(db_index=True)
    username = models.CharField(max_length=150, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    #: The buyer's language when ordering (``contracts.mail.LANGUAGES``): the receipt is written in it.
    language = models.CharField(max_length=8, default="en")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="orders")
    price = models.PositiveIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    reason_code = models.CharField(max_length=32, choices=Reason.choices, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    refund = models.CharField(max_length=20, choices=Refund.choices, blank=True, default="")
    # NULL, not "": several orders without a key (imported history) must not collide.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    balance_after = models.IntegerField(null=True, blank=True)
    #: Where the order came from: the saga, or the legacy shop's purchase history.
    legacy_purchase_id = models.PositiveBigIntegerField(null=True, blank=True, unique=True, editable=False)
    deadline = models.DateTimeField(null=True, blank=True, help_text="Compensated if still pending then.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "deadline"], name="store_order_state_deadline"),
            # The sweeper's unanswered refunds: few rows, whatever the number of orders.
            models.Index(
                fields=["updated_at"], condition=Q(refund="requested"), name="store_order_refund_requested"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="store_order_idempotency_key_unique",
            ),
            models.UniqueConstraint(
                fields=["user_id", "item"],
                condition=Q(state__in=["pending", "completed"]),
                name="store_order_one_live_order_per_user_and_item",
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="store_order_price_positive"),
        ]

    #: What the saga's steps change on an order (written back, and re-read while waiting, together).
    SAGA_FIELDS = ("state", "reason_code", "reason", "refund", "balance_after", "completed_at", "updated_at")

    def __str__(self) -> str:
        return f"order {self.id} ({self.state})"

    @property
    def debit_step_id(self) -> str:
        """The saga step id of the debit: account's ledger reference for it."""
        return f"shop:order:{self.id}:debit"

    @property
    def refund_step_id(self) -> str:
        return f"shop:order:{self.id}:refund"

    @property
    def status_path(self) -> str:
        """Where the learner follows this order (``GET``, optionally ``?wait=``)."""
        return f"/api/v1/shop/orders/{self.id}"

    @property
    def is_terminal(self) -> bool:
        return self.state != self.State.PENDING


class StockReservation(models.Model):
    """One unit of a limited item held for a pending order; committed or released at its end."""

    class State(models.TextChoices):
        HELD = "held", "Held"
        COMMITTED = "committed", "Committed"
        RELEASED = "released", "Released"

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="reservation")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="reservations")
    state = models.CharField(max_length=16, choices=State.choices, default=State.HELD)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.item_id} for {self.order_id} ({self.state})"
