from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "common.registry"
    label = "registry"
    verbose_name = "Service registry"
