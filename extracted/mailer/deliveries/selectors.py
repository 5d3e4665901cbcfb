"""Reads of the delivery log."""

import uuid

from django.db.models import Q, QuerySet

from extracted.mailer.deliveries.models import DeliveryLog


def delivery_search(*, term: str, queryset: QuerySet[DeliveryLog] | None = None) -> QuerySet[DeliveryLog]:
    """Deliveries matching ``term``: a message id exactly, else recipient, error or correlation id."""
    queryset = DeliveryLog.objects.all() if queryset is None else queryset
    term = term.strip()
    if not term:
        return queryset
    try:
        return queryset.filter(message_id=uuid.UUID(term))
    except ValueError:
        pass
    return queryset.filter(
        Q(recipient__icontains=term) | Q(last_error__icontains=term) | Q(correlation_id__icontains=term)
    )
