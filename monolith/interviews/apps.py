from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "monolith.interviews"
    label = "interviews"
    verbose_name = "Coding interviews"
