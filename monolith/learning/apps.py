from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "monolith.learning"
    label = "learning"
    verbose_name = "Learning"
