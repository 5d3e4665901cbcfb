from django.contrib.auth.models import AbstractUser
from django.db import models


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    FRENCH = "fr", "Français"


class User(AbstractUser):
    """A PolyCode account: learner, recruiter or staff."""

    description = models.TextField(blank=True, max_length=2000)
    preferred_language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    preferred_editing_language = models.CharField(
        max_length=32, blank=True, help_text="Programming language the editor opens with, e.g. python."
    )


class Wallet(models.Model):
    """A user's polypoints: a cached balance over an append-only ledger.

    The balance is only changed together with a new ``LedgerEntry`` while the
    wallet row is locked, so ``balance == sum(entries.amount)`` always holds;
    the check constraint makes a negative balance impossible at the database.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="wallet")
    balance = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="wallet_balance_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.balance} pts)"


class LedgerEntry(models.Model):
    """One credit (positive) or debit (negative) of polypoints; never updated.

    ``reference`` is unique: retrying a credit or debit with the same
    reference has no second effect.
    """

    wallet = models.ForeignKey(Wallet, on_delete=models.CASCADE, related_name="entries")
    amount = models.IntegerField()
    reference = models.CharField(max_length=200, unique=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ledger entries"
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="ledger_amount_not_zero")]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.reference}"
