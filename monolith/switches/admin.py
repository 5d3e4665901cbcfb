from django.contrib import admin

from monolith.switches.models import SwitchChange


@admin.register(SwitchChange)
class SwitchChangeAdmin(admin.ModelAdmin):
    list_display = ("at", "name", "actor", "before", "after", "reason")
    list_filter = ("name",)
    readonly_fields = ("name", "actor", "at", "before", "after", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
