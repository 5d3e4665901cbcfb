"""The legacy shop: items learners buy with polypoints, and what they bought.

This is the shop as it runs inside the monolith, before its extraction into
its own service; the extracted shop copies these rows over, so every purchase
keeps the price actually paid and the ledger reference of its debit.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Item(models.Model):
    """Something a learner can buy for one exercise.

    A *hint* is a text that helps with the exercise, hidden until bought. A
    *validator* item unlocks the data of one of the exercise's hidden tests.
    ``stock`` is the number still for sale; ``None`` means unlimited.
    """

    class Kind(models.TextChoices):
        HINT = "hint", "Hint"
        VALIDATOR = "validator", "Validator"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.HINT)
    exercise = models.ForeignKey(
        "learning.Content",
        on_delete=models.PROTECT,
        related_name="shop_items",
        limit_choices_to={"kind": "exercise"},
    )
    validator = models.ForeignKey(
        "learning.Validator",
        on_delete=models.PROTECT,
        related_name="shop_items",
        null=True,
        blank=True,
        help_text="The hidden test this item unlocks (validator items only).",
    )
    title = models.CharField(max_length=200)
    hint_text = models.TextField(blank=True, help_text="Shown to the buyer only (hint items only).")
    cost = models.PositiveIntegerField(help_text="Price in polypoints.")
    stock = models.PositiveIntegerField(
        null=True, blank=True, help_text="Units left for sale; leave empty for unlimited."
    )
    is_active = models.BooleanField(default=True, help_text="Inactive items are hidden and cannot be bought.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["exercise_id", "cost", "id"]
        indexes = [models.Index(fields=["exercise", "is_active"], name="shop_item_exercise_active")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["hint", "validator"]), name="shop_item_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind="hint", validator__isnull=True)
                | Q(kind="validator", validator__isnull=False),
                name="shop_item_validator_only_for_validator_items",
                violation_error_message="A validator item needs a validator; a hint item must not have one.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="hint") | ~Q(hint_text=""),
                name="shop_item_hint_has_text",
                violation_error_message="A hint item needs a hint text.",
            ),
            models.CheckConstraint(
                condition=Q(cost__gt=0),
                name="shop_item_cost_positive",
                violation_error_message="The cost must be positive.",
            ),
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__gte=0),
                name="shop_item_stock_not_negative",
                violation_error_message="The stock cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_kind_display().lower()}, {self.cost} pts)"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.exercise_id is not None and not self.exercise.is_exercise:
            errors["exercise"] = "Items are sold for exercises, not lessons."
        if self.kind == self.Kind.VALIDATOR and self.validator_id is not None:
            if self.exercise_id is not None and self.validator.exercise_id != self.exercise_id:
                errors["validator"] = "This validator belongs to another exercise."
            elif not self.validator.is_hidden:
                errors["validator"] = "Only a hidden validator can be sold; this one is already visible."
        if errors:
            raise ValidationError(errors)

    @property
    def in_stock(self) -> bool:
        return self.stock is None or self.stock > 0


class Purchase(models.Model):
    """One item bought by one user, at the price paid then; never updated.

    A user owns an item at most once (unique ``user``/``item``), and
    ``debit_reference`` is the wallet ledger reference of the payment.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shop_purchases"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="purchases")
    price_paid = models.PositiveIntegerField()
    debit_reference = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "item"], name="shop_purchase_once_per_user_and_item"),
            models.CheckConstraint(condition=Q(price_paid__gt=0), name="shop_purchase_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.user} bought {self.item.title} for {self.price_paid} pts"
