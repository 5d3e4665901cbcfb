from django.apps import AppConfig


class WebConfig(AppConfig):
    """The learner's web pages: shared layout, components, static files and error pages."""

    name = "monolith.web"
    label = "web"
