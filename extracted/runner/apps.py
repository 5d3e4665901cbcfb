from django.apps import AppConfig


class RunnerConfig(AppConfig):
    name = "extracted.runner"
    label = "runner"
    verbose_name = "Runner"
