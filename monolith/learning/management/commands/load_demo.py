"""``manage.py load_demo``: load the demo users and content (idempotent)."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

#: Loaders run in this order, all in one transaction. Each is a function taking
#: no argument, idempotent (natural keys such as slugs and usernames), and
#: returning a one-line summary. Other apps add theirs here as dotted paths,
#: after the users and content they use.
LOADERS = [
    "monolith.learning.demo.load_users",
    "monolith.accounts.demo.load_accounts",
    "monolith.learning.demo.load_learning",
    "monolith.shop_legacy.demo.load_shop_demo",
    "monolith.campaigns.demo.load_campaigns",
    "monolith.certificates.demo.load_certificates_demo",
    "monolith.interviews.demo.load_interviews_demo",
]


class Command(BaseCommand):
    help = "Create or update the demo users, modules, exercises and other demo data. Safe to run again."

    def handle(self, *args, **options):
        with transaction.atomic():
            summaries = [import_string(path)() for path in LOADERS]
        for summary in summaries:
            self.stdout.write(f"  {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
