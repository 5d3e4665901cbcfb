from django.apps import AppConfig


class SwitchesConfig(AppConfig):
    name = "monolith.switches"
    label = "switches"
    verbose_name = "Strangler switches"

    def ready(self):
        from monolith.switches import audit

        audit.connect()
