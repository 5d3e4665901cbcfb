from django.db import models
from django.utils import timezone

from contracts.mail import LANGUAGES, MailKind


class DeliveryLog(models.Model):
    """What happened to one ``mail.requested`` message: the mailer's truth about it.

    One row per message id. ``sending`` is written (and committed) before the
    SMTP transaction starts, ``sent`` in the same transaction as the inbox
    record once the SMTP server accepted the mail; see the README for what
    that order guarantees.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed (will retry)"
        DEAD = "dead", "dead (dead-lettered)"

    message_id = models.UUIDField(unique=True, editable=False)
    kind = models.CharField(max_length=50, blank=True, choices=[(k.value, k.value) for k in MailKind])
    recipient = models.CharField(max_length=254, blank=True)
    language = models.CharField(max_length=2, blank=True, choices=[(code, code) for code in LANGUAGES])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0, help_text="SMTP attempts made for this message.")
    duplicates = models.PositiveIntegerField(
        default=0, help_text="Deliveries of this message received after it was sent (ignored)."
    )
    last_error = models.TextField(blank=True)
    envelope = models.JSONField(null=True, blank=True, help_text="The message as received.")
    producer = models.CharField(max_length=50, blank=True)
    correlation_id = models.CharField(max_length=200, blank=True)
    #: Token of the attempt that owns the ``sending`` state (see services.delivery_send).
    claim = models.UUIDField(null=True, blank=True, editable=False)
    resend_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resends"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient"], name="deliveries_recipient"),
            models.Index(fields=["status", "created_at"], name="deliveries_status_created"),
            models.Index(fields=["created_at"], name="deliveries_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind or 'invalid message'} to {self.recipient or '?'} ({self.status})"
