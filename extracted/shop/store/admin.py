from django.contrib import admin

from extracted.shop.store.models import Item, Order, StockReservation


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "kind", "exercise_id", "validator_id", "cost", "stock", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("title",)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("id", "user_id", "item", "price", "state", "reason_code", "refund", "created_at")
    list_filter = ("state", "reason_code", "refund")
    search_fields = ("id", "username", "email")
    readonly_fields = [f.name for f in Order._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(StockReservation)
class StockReservationAdmin(admin.ModelAdmin):
    list_display = ("order", "item", "state", "created_at")
    list_filter = ("state",)
    readonly_fields = ("order", "item", "state", "created_at", "updated_at")
