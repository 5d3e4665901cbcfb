"""Compensate pending orders past their deadline, once (Celery beat schedules it continuously)."""

from django.core.management.base import BaseCommand

from extracted.shop.store.sweeper import sweep_once


class Command(BaseCommand):
    help = "Reject and compensate pending orders whose saga timed out, once."

    def handle(self, *args, **options):
        self.stdout.write(f"expired {sweep_once()} order(s)")
