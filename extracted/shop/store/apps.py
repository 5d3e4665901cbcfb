from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "extracted.shop.store"
    label = "store"
    verbose_name = "Shop"
    default_auto_field = "django.db.models.BigAutoField"
