from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "monolith.identity"
    label = "identity"
    verbose_name = "Identity provider (legacy OIDC)"
