"""Route table admin: every save goes through the audited services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from gateway_proxy import services
from gateway_proxy.models import Route, RouteChange, ShadowMismatch, TrafficMinute


class RouteForm(forms.ModelForm):
    """Names only services the registry knows: the error shows next to the field, nothing is saved."""

    def clean(self):
        cleaned = super().clean()
        for field, error in services.unknown_services(
            legacy_service=cleaned.get("legacy_service") or "",
            extracted_service=cleaned.get("extracted_service") or "",
        ).items():
            self.add_error(field, error)
        return cleaned


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    form = RouteForm
    list_display = ["prefix", "mode", "canary_percent", "legacy_service", "extracted_service", "updated_at"]
    list_filter = ["mode"]
    search_fields = ["prefix"]
    readonly_fields = ["updated_at"]

    def save_model(self, request, obj, form, change):
        actor = f"admin:{request.user.get_username()}"
        fields = {
            name: form.cleaned_data[name] for name in services.AUDITED_FIELDS if name in form.cleaned_data
        }
        try:
            if change:
                saved = services.route_update(route=obj, actor=actor, **fields)
            else:
                fields.pop("prefix", None)
                saved = services.route_create(prefix=obj.prefix, actor=actor, **fields)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), level=messages.ERROR)
            raise
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.route_delete(route=obj, actor=f"admin:{request.user.get_username()}")

    def delete_queryset(self, request, queryset):
        for route in queryset:
            self.delete_model(request, route)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RouteChange)
class RouteChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "prefix", "reason"]
    list_filter = ["action"]
    search_fields = ["prefix", "actor"]


@admin.register(ShadowMismatch)
class ShadowMismatchAdmin(ReadOnlyAdmin):
    list_display = ["at", "route_prefix", "method", "path", "legacy_status", "extracted_status"]
    list_filter = ["route_prefix"]


@admin.register(TrafficMinute)
class TrafficMinuteAdmin(ReadOnlyAdmin):
    list_display = [
        "minute",
        "route_prefix",
        "service",
        "requests",
        "errors",
        "shadow_compared",
        "shadow_mismatched",
    ]
    list_filter = ["service"]
