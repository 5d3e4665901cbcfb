from django.contrib import admin, messages
from django.utils import timezone

from common.messaging.models import InboxMessage, OutboxMessage


class PendingFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("pending", "pending"), ("sent", "sent")]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(sent_at__isnull=True)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "type", "version", "queue", "attempts", "sent_at", "short_error"]
    list_filter = [PendingFilter, "type", "queue"]
    search_fields = ["id", "type", "last_error"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["publish_soon"]

    @admin.display(description="last error")
    def short_error(self, obj):
        return obj.last_error[:80]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Publish the selected pending messages at the next relay pass")
    def publish_soon(self, request, queryset):
        count = queryset.filter(sent_at__isnull=True).update(available_at=timezone.now())
        self.message_user(
            request, f"{count} pending message(s) will be published by the relay.", messages.SUCCESS
        )


@admin.register(InboxMessage)
class InboxMessageAdmin(admin.ModelAdmin):
    list_display = ["processed_at", "type", "message_id"]
    list_filter = ["type"]
    search_fields = ["message_id", "type"]
    readonly_fields = ["message_id", "type", "processed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
