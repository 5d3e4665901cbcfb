from django.apps import AppConfig


class DeliveriesConfig(AppConfig):
    name = "extracted.mailer.deliveries"
    label = "deliveries"
    verbose_name = "Mail deliveries"
    default_auto_field = "django.db.models.BigAutoField"
