from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "monolith.notifications"
    label = "notifications"
    verbose_name = "Notifications (legacy mail path)"
