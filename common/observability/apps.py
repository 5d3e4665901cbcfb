from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "common.observability"
    label = "observability"
    verbose_name = "Observability (logs, metrics, traces)"

    def ready(self) -> None:
        from common.observability import tracing

        # Once per process, after any fork (gunicorn loads the application in each worker).
        tracing.configure()
