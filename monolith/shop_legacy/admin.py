from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from monolith.shop_legacy.models import Item, Purchase
from monolith.shop_legacy.services import items_deactivate


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "exercise", "cost", "stock", "is_active", "purchase_count")
    list_filter = ("kind", "is_active")
    search_fields = ("title", "exercise__title")
    list_select_related = ("exercise",)
    raw_id_fields = ("exercise", "validator")
    readonly_fields = ("created_at", "updated_at")
    actions = ("deactivate",)
    fieldsets = (
        (None, {"fields": ("kind", "exercise", "title", "cost", "stock", "is_active")}),
        ("Hint", {"fields": ("hint_text",)}),
        ("Validator", {"fields": ("validator",)}),
        ("History", {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Item]:
        return super().get_queryset(request).annotate(purchase_count=Count("purchases"))

    @admin.display(description="# purchases", ordering="purchase_count")
    def purchase_count(self, item: Item) -> int:
        return item.purchase_count

    @admin.action(description="Deactivate the selected items (stop selling them)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Item]) -> None:
        count = items_deactivate(items=queryset)
        self.message_user(request, f"{count} item(s) deactivated.", messages.SUCCESS)


@admin.register(Purchase)
class PurchaseAdmin(admin.ModelAdmin):
    """Purchases are history: visible to staff, never edited by hand."""

    list_display = ("created_at", "user", "item", "price_paid")
    list_select_related = ("user", "item")
    search_fields = ("user__username", "item__title")
    list_filter = ("item__kind",)
    date_hierarchy = "created_at"
    readonly_fields = ("user", "item", "price_paid", "debit_reference", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Purchase | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Purchase | None = None) -> bool:
        return False
