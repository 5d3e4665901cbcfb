"""Compensate pending orders past their deadline (the worker does it too, continuously)."""

import time

from django.core.management.base import BaseCommand

from extracted.shop.store.sweeper import sweep_once


class Command(BaseCommand):
    help = "Reject and compensate pending orders whose saga timed out."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, help="Sweep every N seconds until stopped.")

    def handle(self, *args, loop: float = 0, **options):
        while True:
            expired = sweep_once()
            self.stdout.write(f"expired {expired} order(s)")
            if not loop:
                return
            time.sleep(loop)
