from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "common.messaging"
    label = "messaging"
    verbose_name = "Messaging (outbox and inbox)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import signals

        from common.messaging.connections import after_request, before_request

        # Requests too: Django's own close_old_connections receivers were connected first.
        signals.request_started.connect(before_request, dispatch_uid="messaging-connections-request-start")
        signals.request_finished.connect(after_request, dispatch_uid="messaging-connections-request-end")
