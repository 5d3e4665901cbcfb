"""``manage.py publish_campaign_results``: publish the results of every ended campaign that has none.

Pages publish them too when they find them due, and Celery beat runs the same
work every minute (monolith/worker.py). Safe to run again.
"""

from django.core.management.base import BaseCommand

from monolith.campaigns import services


class Command(BaseCommand):
    help = "Publish the results of ended campaigns (ranks, prizes, mails). Safe to run again."

    def handle(self, *args, **options):
        count = services.campaigns_publish_due()
        self.stdout.write(f"Published the results of {count} campaign(s).")
