from django.apps import AppConfig


class ShopLegacyConfig(AppConfig):
    name = "monolith.shop_legacy"
    label = "shop_legacy"
    verbose_name = "Shop (legacy, in the monolith)"
