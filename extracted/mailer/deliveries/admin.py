from django.contrib import admin, messages

from common.errors import ServiceError
from extracted.mailer.deliveries.models import DeliveryLog
from extracted.mailer.deliveries.selectors import delivery_search
from extracted.mailer.deliveries.services import delivery_resend


@admin.register(DeliveryLog)
class DeliveryLogAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "recipient",
        "language",
        "status",
        "attempts",
        "duplicates",
        "sent_at",
    ]
    list_filter = ["status", "kind", "language", "producer"]
    # The search box takes a message id, or part of a recipient, an error or a correlation id.
    search_fields = ["recipient"]
    search_help_text = "Message id, or part of a recipient address, an error or a correlation id."
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in DeliveryLog._meta.fields]
    list_select_related = ["resend_of"]
    actions = ["resend"]

    def get_search_results(self, request, queryset, search_term):
        return delivery_search(term=search_term, queryset=queryset), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        # The log itself is read-only; resending is what the change permission allows.
        return request.user.has_perm("deliveries.change_deliverylog")

    @admin.action(description="Resend the selected mails (each as a new message)", permissions=["resend"])
    def resend(self, request, queryset):
        sent, refused = 0, []
        for log in queryset:
            try:
                delivery_resend(log=log)
            except ServiceError as exc:
                refused.append(f"{log.message_id}: {exc.message}")
            else:
                sent += 1
        if sent:
            self.message_user(request, f"{sent} mail(s) queued to be sent again.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)
