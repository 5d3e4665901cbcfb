from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "monolith.certificates"
    label = "certificates"
    verbose_name = "Certifications"
