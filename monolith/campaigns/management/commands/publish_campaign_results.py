"""``manage.py publish_campaign_results``: publish the results of every ended campaign that has none.

Pages publish them too when they find them due; this is for a scheduler
(cron) so results and mails do not wait for a visit. Safe to run again.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from monolith.campaigns import services
from monolith.campaigns.models import Campaign


class Command(BaseCommand):
    help = "Publish the results of ended campaigns (ranks, prizes, mails). Safe to run again."

    def handle(self, *args, **options):
        due = Campaign.objects.filter(results_published_at__isnull=True, ends_at__lte=timezone.now())
        count = sum(1 for campaign in due if services.campaign_results_publish_due(campaign=campaign))
        self.stdout.write(f"Published the results of {count} campaign(s).")
