from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "monolith.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns"
