from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    """A message written in the same transaction as the change that caused it.

    The relay publishes pending rows (``sent_at`` is null) with publisher
    confirms and then sets ``sent_at``; a row is never published before its
    transaction commits, because until then no other connection can see it.
    """

    id = models.UUIDField(primary_key=True, editable=False, help_text="The message id of the envelope.")
    type = models.CharField(max_length=100)
    version = models.PositiveSmallIntegerField()
    task = models.CharField(max_length=200, help_text="Stable task name of the consumer.")
    queue = models.CharField(max_length=100)
    body = models.JSONField(help_text="The whole envelope, as published.")
    created_at = models.DateTimeField(default=timezone.now)
    available_at = models.DateTimeField(default=timezone.now, help_text="Not published before this time.")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["available_at", "created_at"],
                name="messaging_outbox_pending",
                condition=Q(sent_at__isnull=True),
            ),
            models.Index(
                fields=["sent_at"], name="messaging_outbox_sent", condition=Q(sent_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} v{self.version} {self.id}"


class InboxMessage(models.Model):
    """The id of a message this service has processed: its effect is committed.

    Written in the consumer's transaction, together with the effect; the
    primary key makes a second processing of the same message impossible.
    """

    message_id = models.UUIDField(primary_key=True, editable=False)
    type = models.CharField(max_length=100)
    processed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-processed_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.message_id}"
